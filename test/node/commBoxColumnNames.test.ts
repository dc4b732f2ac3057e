/**
 * CommBox column names that would touch a prototype (`__proto__`, `constructor`, `prototype`, any
 * case) are refused, never dropped: a mapped column so named stops the run before anything is
 * sent; with All Fields, an item with such a field is invalid. Run through n8n-core against the
 * sandbox.
 */
import type { IDataObject, INodeParameters } from 'n8n-workflow';
import { AUDIENCE, itemsWorkflow, runWorkflow, useSandbox, type WorkflowNode } from './harness';

const { sandbox, commBoxCredentials } = useSandbox();

const RULE = 'CommBox files cannot have a column named __proto__, constructor or prototype';
const credentials = () => ({ commBoxApi: commBoxCredentials() });

function replaceNode(parameters: IDataObject, extra: Partial<WorkflowNode> = {}): WorkflowNode {
	return {
		name: 'Audience',
		type: AUDIENCE,
		parameters: { resource: 'commBox', operation: 'replaceStatic', audience: { __rl: true, mode: 'id', value: '1001' }, source: 'items', ...parameters } as INodeParameters,
		...extra,
	};
}

const mapped = (...columns: Array<[string, string]>) => ({
	extraColumns: 'mapped',
	columns: { column: columns.map(([name, value]) => ({ name, value })) },
});

describe('Extra Columns "Mapped"', () => {
	it('columns arrive under their names, those near the reserved ones included', async () => {
		const node = replaceNode(mapped(['first_name', '={{ $json.name }}'], ['toString', '={{ $json.plan }}'], ['proto', 'x']));
		const run = await runWorkflow(itemsWorkflow([{ phone: '+33 6 12 34 56 78', name: 'Ada', plan: 'gold' }], [node]), credentials());

		expect(run.status).toBe('success');
		const audience = sandbox.state().commBox.audiences['1001'];
		expect(audience.columns).toEqual(['phone1', 'first_name', 'toString', 'proto']);
		expect(audience.rows).toEqual([{ phone1: '33612345678', first_name: 'Ada', toString: 'gold', proto: 'x' }]);
	});

	it.each([
		['__proto__', 2],
		['constructor', 1],
		[' Prototype ', 2],
		['__PROTO__', 2],
	])('a column named %p is refused, naming it and the item; nothing is sent', async (name, position) => {
		const columns: Array<[string, string]> = [['first_name', '={{ $json.name }}']];
		columns.splice(position - 1, 0, [name, '={{ $json.plan }}']);
		const node = replaceNode(mapped(...columns));
		const run = await runWorkflow(itemsWorkflow([{ phone: '+33612345678', name: 'Ada', plan: 'gold' }], [node]), credentials());

		expect(run.status).toBe('error');
		expect(run.nodes.Audience.error?.message).toBe(
			`Column name ${JSON.stringify(name.trim())} (mapped column ${position}, item 1) is not allowed: ${RULE}. Nothing was sent.`,
		);
		expect(sandbox.requests()).toEqual([]);
	});

	it('is refused even with the error output on (a setting, not an item)', async () => {
		const node = replaceNode(mapped(['__proto__', '={{ $json.plan }}']), { onError: 'continueErrorOutput' });
		const run = await runWorkflow(itemsWorkflow([{ phone: '+33612345678', plan: 'gold' }], [node]), credentials());

		expect(run.status).toBe('error');
		expect(run.nodes.Audience.error?.message).toBe(`Column name "__proto__" (mapped column 1, item 1) is not allowed: ${RULE}. Nothing was sent.`);
		expect(sandbox.requests()).toEqual([]);
	});
});

describe('Extra Columns "All Fields"', () => {
	const items = (): IDataObject[] => [
		{ phone: '+33612345678', name: 'Ada' },
		JSON.parse('{"phone": "+442079832100", "name": "Bob", "__proto__": "x"}') as IDataObject,
		{ phone: '+972541234567', name: 'Cy', Constructor: 'y' },
	];

	it('an item with such a field is invalid, naming the field; the run fails before sending', async () => {
		const run = await runWorkflow(itemsWorkflow(items(), [replaceNode({ extraColumns: 'allFields' })]), credentials());

		expect(run.status).toBe('error');
		expect(run.nodes.Audience.error?.message).toBe(`Item 2: field "__proto__" cannot be a column: ${RULE} (and 1 more invalid items). Nothing was sent.`);
		expect(sandbox.requests()).toEqual([]);
	});

	it('with the error output: those items go to output 1, the others are sent without the field', async () => {
		const node = replaceNode({ extraColumns: 'allFields' }, { onError: 'continueErrorOutput' });
		const run = await runWorkflow(itemsWorkflow(items(), [node]), credentials());

		const [sent, failed] = run.nodes.Audience.outputs;
		expect(failed.map((item) => [item.json.error, item.pairedItem])).toEqual([
			[`Item 2: field "__proto__" cannot be a column: ${RULE}`, [{ item: 1 }]],
			[`Item 3: field "Constructor" cannot be a column: ${RULE}`, [{ item: 2 }]],
		]);
		expect(sent).toHaveLength(1);
		const audience = sandbox.state().commBox.audiences['1001'];
		expect(audience.columns).toEqual(['phone1', 'name']);
		expect(audience.rows).toEqual([{ phone1: '33612345678', name: 'Ada' }]);
	});
});
