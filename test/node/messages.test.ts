/**
 * What the node says, exactly, through n8n-core's WorkflowExecute: item numbers counted from 1, one
 * problem per line, dates by example, a wrong Batch key naming both keys, and, when items lack a
 * field, where they come from.
 */
import type { IDataObject, INodeParameters } from 'n8n-workflow';
import { batchApi } from '../../nodes/Audience/transport/batch';
import { AUDIENCE, itemsWorkflow, runWorkflow, useSandbox, type WorkflowNode } from './harness';
import { type LoopbackServer, startLoopbackServer } from './loopback';

const { sandbox, batchCredentials, commBoxCredentials } = useSandbox();

const credentials = (batch: { projectKey?: string; restApiKey?: string; baseUrl?: string } = {}) => ({ batchApi: batchCredentials(batch), commBoxApi: commBoxCredentials() });

function batchUpdate(parameters: IDataObject = {}, extra: Partial<WorkflowNode> = {}): WorkflowNode {
	return {
		name: 'Batch Update',
		type: AUDIENCE,
		typeVersion: 2,
		parameters: { resource: 'batch', operation: 'update', audience: { __rl: true, mode: 'name', value: 'sandbox_audience' }, options: {}, ...parameters } as INodeParameters,
		...extra,
	};
}

const WHERE_FROM = (node: string, fields: string[], missing = 'phone') =>
	`The items this node received come from "${node}"; the first has the fields ${fields.map((field) => `"${field}"`).join(', ')}. ` +
	`If the ${missing} is on an earlier node, map it from there with an expression such as {{ $('Earlier Node').item.json.${missing} }}.`;

describe('an item with two problems: one line each, numbered from 1', () => {
	// 10 items; the 7th (index 6) has an empty id and the date 31/02/2025, which does not exist.
	const items = Array.from({ length: 10 }, (_, i) => ({ id: i === 6 ? '' : `u${i}`, since: i === 6 ? '31/02/2025' : '2025-02-28' }));
	const since = { attributeMode: 'fields', attributes: { attribute: [{ name: 'since', type: 'date', value: '={{ $json.since }}' }] } };
	const LINES =
		'Item 7: missing id: the "Custom User ID" field gave ""\n' +
		'Item 7: attribute "since": "31/02/2025" is not a date such as 2025-02-28 or 2025-02-28T10:00:00Z';

	it('stops the run: the message has both lines; the description too, and where the items come from', async () => {
		const run = await runWorkflow(itemsWorkflow(items, [batchUpdate(since)]), credentials());

		expect(run.status).toBe('error');
		const { error } = run.nodes['Batch Update'];
		expect(error?.message).toBe(`${LINES}. Nothing was sent.`);
		expect(error?.description).toBe(`${LINES}\n${WHERE_FROM('Items', ['id', 'since'], 'id')}`);
		expect(error?.context?.itemIndex).toBe(6);
		expect(sandbox.requests()).toEqual([]);
	});

	it('with the error output: the item goes to output 1 with both lines; the 9 others are sent', async () => {
		const run = await runWorkflow(itemsWorkflow(items, [batchUpdate(since, { onError: 'continueErrorOutput' })]), credentials());

		expect(run.status).toBe('success');
		const [sent, failed] = run.nodes['Batch Update'].outputs;
		expect(sent).toHaveLength(9);
		expect(failed).toEqual([{ json: { ...items[6], error: LINES, details: { outcome: 'refused', sent: false } }, pairedItem: [{ item: 6 }] }]);
		expect(sandbox.requests().map((r) => [r.route, r.status, r.ids])).toEqual([['update', 202, 9]]);
	});
});

describe('a wrong Batch key names both keys', () => {
	const DESCRIPTION =
		'Check the REST API key and the project key of the Batch credential (Batch dashboard → Settings → General).\n' +
		'What each audience holds (once indexed): audience "sandbox_audience" is unchanged; item 1 (1 id) refused.\n' +
		'No request of this run was accepted by Batch.';

	it.each([
		['a wrong project key', { projectKey: 'project_other' }],
		['a wrong REST API key', { restApiKey: 'not-the-rest-key' }],
	])('%s: the exact message and description', async (_label, keys) => {
		const run = await runWorkflow(itemsWorkflow([{ id: 'u1' }], [batchUpdate()]), credentials(keys));

		expect(run.status).toBe('error');
		const { error } = run.nodes['Batch Update'];
		expect(error?.message).toBe(
			'Batch answered 401: the REST API key or the project key is wrong (The REST API key is not valid for this project [AUTHENTICATION_INVALID])',
		);
		expect(error?.description).toBe(DESCRIPTION);
		expect(sandbox.requests().filter((r) => r.route === 'update').every((r) => r.status === 401)).toBe(true);
	});

	describe('a 403 (Batch, not the sandbox)', () => {
		let server: LoopbackServer;

		beforeAll(async () => {
			server = await startLoopbackServer({
				respond: (_request, response) => {
					response.writeHead(403, { 'Content-Type': 'application/json' });
					response.end(JSON.stringify({ error_code: 'FORBIDDEN', error_message: 'This API key cannot access this project' }));
				},
			});
		});

		afterAll(async () => {
			await server.close();
		});

		it('the exact message and description', async () => {
			const run = await runWorkflow(itemsWorkflow([{ id: 'u1' }], [batchUpdate()]), credentials({ baseUrl: server.url }));

			expect(run.status).toBe('error');
			const { error } = run.nodes['Batch Update'];
			expect(error?.message).toBe('Batch answered 403: the REST API key or the project key is wrong (This API key cannot access this project [FORBIDDEN])');
			expect(error?.description).toBe(
				'Check the REST API key and the project key of the Batch credential (Batch dashboard → Settings → General): the key must belong to that project.\n' +
					'What each audience holds (once indexed): audience "sandbox_audience" is unchanged; item 1 (1 id) refused.\n' +
					'No request of this run was accepted by Batch.',
			);
		});
	});

	it('describeError: 401 and 403 name both keys, other statuses keep the API text as it is', () => {
		const body = { error_code: 'AUTHENTICATION_INVALID', error_message: 'Bad key' };
		expect(batchApi.describeError(401, body).message).toBe('the REST API key or the project key is wrong (Bad key [AUTHENTICATION_INVALID])');
		expect(batchApi.describeError(403, body).message).toBe('the REST API key or the project key is wrong (Bad key [AUTHENTICATION_INVALID])');
		expect(batchApi.describeError(400, { error_code: 'MALFORMED_PARAMETER', error_message: 'x' }).message).toBe('x [MALFORMED_PARAMETER]');
		expect(batchApi.describeError(401, undefined).message).toBe('the REST API key or the project key is wrong (no error message)');
	});
});

describe('items without the field a node needs: where they come from', () => {
	const commBoxReplace: WorkflowNode = {
		name: 'CommBox Replace',
		type: AUDIENCE,
		typeVersion: 2,
		// Phone keeps its default, ={{ $json.phone }}.
		parameters: { resource: 'commBox', operation: 'replaceStatic', audience: { __rl: true, mode: 'id', value: '1001' }, source: 'items' } as INodeParameters,
	};
	const contacts = [
		{ id: 'u1', phone: '+33 6 12 34 00 01' },
		{ id: 'u2', phone: '+33 6 12 34 00 02' },
	];

	it('CommBox after a version 1 Batch Update (one item per request, no phone): names that node and the fields its items have', async () => {
		const run = await runWorkflow(itemsWorkflow(contacts, [{ ...batchUpdate(), typeVersion: 1 }, commBoxReplace]), credentials());

		expect(run.status).toBe('error');
		const { error } = run.nodes['CommBox Replace'];
		expect(error?.message).toBe('Item 1: missing phone. Nothing was sent.');
		expect(error?.description).toBe(
			`Item 1: missing phone\n${WHERE_FROM('Batch Update', ['audience', 'operation', 'indexingToken', 'request', 'requests', 'ids', 'added', 'removed', 'duplicatesCollapsed', 'dryRun'])}`,
		);
		expect(sandbox.requests().filter((r) => r.api === 'commBox')).toEqual([]);
	});

	it('CommBox after a version 2 Batch Update: the contacts keep their phone, nothing is missing', async () => {
		const run = await runWorkflow(itemsWorkflow(contacts, [batchUpdate(), commBoxReplace]), credentials());

		expect(run.status).toBe('success');
		expect(sandbox.state().commBox.audiences['1001'].rows).toEqual([{ phone1: '33612340001' }, { phone1: '33612340002' }]);
	});

	it('CommBox straight after items without a phone: every item listed, then where they come from', async () => {
		const items = [{ id: 'u1', email: 'a@example.com' }, { id: 'u2', email: 'b@example.com' }, { id: 'u3', email: 'c@example.com' }];
		const run = await runWorkflow(itemsWorkflow(items, [commBoxReplace]), credentials());

		expect(run.status).toBe('error');
		const { error } = run.nodes['CommBox Replace'];
		expect(error?.message).toBe('Item 1: missing phone (and 2 more invalid items). Nothing was sent.');
		expect(error?.description).toBe(`Item 1: missing phone\nItem 2: missing phone\nItem 3: missing phone\n${WHERE_FROM('Items', ['id', 'email'])}`);
	});

	it('an invalid phone (not a missing one) adds no such explanation', async () => {
		const run = await runWorkflow(itemsWorkflow([{ phone: '+33 6 12 34 00 01' }, { phone: '12' }], [commBoxReplace]), credentials());

		expect(run.status).toBe('error');
		const { error } = run.nodes['CommBox Replace'];
		// The phone's own wording belongs to the phone rules; here only its single line matters.
		expect(error?.message).toMatch(/^Item 2: phone "12" [^\n]+\. Nothing was sent\.$/);
		expect(error?.description).toMatch(/^Item 2: phone "12" [^\n]+$/);
	});
});
