/**
 * The Audience node run by n8n-core's WorkflowExecute (harness `runWorkflow`): Items -> Audience,
 * over real HTTP to the loopback sandbox.
 */
import type { IDataObject, INodeParameters } from 'n8n-workflow';
import { AUDIENCE, itemsWorkflow, type WorkflowNode, runWorkflow, useSandbox } from './harness';

const { sandbox, batchCredentials } = useSandbox();

const AUDIENCE_NAME = 'sandbox_audience';
const credentials = () => ({ batchApi: batchCredentials() });

/** Audience, platform Batch, operation Update; `userId` keeps its default `={{ $json.id }}`. */
function batchUpdate(audience: string, options: IDataObject = {}, extra: Partial<WorkflowNode> = {}): WorkflowNode {
	return {
		name: 'Audience',
		type: AUDIENCE,
		parameters: {
			resource: 'batch',
			operation: 'update',
			audience: { __rl: true, mode: 'name', value: audience },
			options,
		} as INodeParameters,
		...extra,
	};
}

describe('Audience node through WorkflowExecute', () => {
	it('dry run: one request item for 3 items, paired to all of them, nothing sent', async () => {
		const run = await runWorkflow(itemsWorkflow([{ id: 'u1' }, { id: 'u2' }, { id: 'u3' }], [batchUpdate('x', { dryRun: true })]), credentials());

		expect(run.status).toBe('success');
		const { outputs, error } = run.nodes.Audience;
		expect(error).toBeUndefined();
		expect(outputs).toHaveLength(1);
		expect(outputs[0]).toHaveLength(1);
		const [item] = outputs[0];
		expect(item.json).toMatchObject({ audience: 'x', operation: 'update', ids: 3, added: 3, removed: 0, dryRun: true, indexingToken: null });
		// Nothing was sent: a dry run has no outcome and no note.
		expect(item.json).not.toHaveProperty('outcome');
		expect(item.json).not.toHaveProperty('note');
		expect(item.json.payload).toEqual({
			name: 'x',
			ids: [
				{ id: 'u1', action: 'add' },
				{ id: 'u2', action: 'add' },
				{ id: 'u3', action: 'add' },
			],
		});
		expect(item.pairedItem).toEqual([{ item: 0 }, { item: 1 }, { item: 2 }]);
		expect(sandbox.requests()).toEqual([]);
	});

	it('sends one update and reports its token, and the sandbox applies it', async () => {
		const run = await runWorkflow(itemsWorkflow([{ id: 'u1' }, { id: 'u2' }, { id: 'u1' }], [batchUpdate(AUDIENCE_NAME)]), credentials());

		expect(run.status).toBe('success');
		const [item] = run.nodes.Audience.outputs[0];
		expect(item.json).toMatchObject({ audience: AUDIENCE_NAME, ids: 2, duplicatesCollapsed: 1, dryRun: false, outcome: 'accepted' });
		expect(item.json.indexingToken).toEqual(expect.any(String));
		// A token was returned: no note about a missing one.
		expect(item.json.note).toBeUndefined();
		expect(item.pairedItem).toEqual([{ item: 0 }, { item: 1 }, { item: 2 }]);
		expect(sandbox.requests().map((r) => [r.method, r.route, r.status, r.ids])).toEqual([['POST', 'update', 202, 2]]);
		await sandbox.whenIdle();
		expect(Object.keys(sandbox.state().batch.audiences[AUDIENCE_NAME].members).sort()).toEqual(['u1', 'u2']);
	});

	describe('an item without an id', () => {
		const items = [{ id: 'u1' }, { email: 'no-id@example.com' }, { id: 'u3' }];

		it('stops the node, naming Item 2 (the second item, index 1), and sends nothing', async () => {
			const run = await runWorkflow(itemsWorkflow(items, [batchUpdate(AUDIENCE_NAME)]), credentials());

			expect(run.status).toBe('error');
			const { error, outputs } = run.nodes.Audience;
			expect(error?.message).toBe('Item 2: missing id: the "Custom User ID" field gave nothing. Nothing was sent.');
			expect(error?.context?.itemIndex).toBe(1);
			expect(outputs).toEqual([]);
			expect(sandbox.requests()).toEqual([]);
		});

		it('with the error output: the invalid item goes to output 1 paired to its input, the valid ones are sent', async () => {
			const run = await runWorkflow(
				itemsWorkflow(items, [batchUpdate(AUDIENCE_NAME, {}, { onError: 'continueErrorOutput' })]),
				credentials(),
			);

			expect(run.status).toBe('success');
			const { outputs, error } = run.nodes.Audience;
			expect(error).toBeUndefined();
			expect(outputs).toHaveLength(2);

			const [success, failure] = outputs;
			expect(success).toHaveLength(1);
			expect(success[0].json).toMatchObject({ audience: AUDIENCE_NAME, ids: 2, added: 2 });
			expect(success[0].pairedItem).toEqual([{ item: 0 }, { item: 2 }]);

			expect(failure).toHaveLength(1);
			// n8n merges the paired input item into an error-output item: the node adds only `error` and
			// `details` (an invalid item was never sent: refused by the node itself).
			expect(failure[0].json).toEqual({
				email: 'no-id@example.com',
				error: 'Item 2: missing id: the "Custom User ID" field gave nothing',
				details: { outcome: 'refused', sent: false },
			});
			expect(failure[0].pairedItem).toEqual([{ item: 1 }]);

			expect(sandbox.requests().map((r) => [r.route, r.status, r.ids])).toEqual([['update', 202, 2]]);
			await sandbox.whenIdle();
			expect(Object.keys(sandbox.state().batch.audiences[AUDIENCE_NAME].members).sort()).toEqual(['u1', 'u3']);
		});

		it('with "continue (regular output)": the error item stays on output 0 next to the request item', async () => {
			const run = await runWorkflow(
				itemsWorkflow(items, [batchUpdate(AUDIENCE_NAME, { dryRun: true }, { onError: 'continueRegularOutput' })]),
				credentials(),
			);

			expect(run.status).toBe('success');
			const { outputs } = run.nodes.Audience;
			expect(outputs).toHaveLength(1);
			expect(outputs[0].map((item) => item.pairedItem)).toEqual([[{ item: 0 }, { item: 2 }], [{ item: 1 }]]);
			expect(outputs[0][1].json.error).toBe('Item 2: missing id: the "Custom User ID" field gave nothing');
		});
	});

	describe('mapped attributes, read straight from the items or through the expression engine alike', () => {
		const items = [
			{ id: 'u1', plan: 'pro', score: 3, since: '2024-01-31T10:00:00.000Z' },
			{ id: 'u2', plan: 'free', score: 'many', since: '2024-02-01' },
			{ id: 'u1', plan: 'team', score: 5, since: '2024-03-01T00:00:00Z' },
		];
		const mapped = (score: string) => ({
			attributeMode: 'fields',
			attributes: {
				attribute: [
					{ name: 'plan', type: 'string', value: '={{ $json.plan }}' },
					{ name: 'score', type: 'number', value: score },
					{ name: 'since', type: 'date', value: "={{ $json['since'] }}" },
				],
			},
		});

		it.each([['={{ $json.score }}'], ['={{ $json.score ?? null }}']])(
			'score %s: the last occurrence wins, the invalid item is reported with its id',
			async (score) => {
				const node = batchUpdate(AUDIENCE_NAME, {}, { onError: 'continueErrorOutput' });
				Object.assign(node.parameters as IDataObject, mapped(score));
				const run = await runWorkflow(itemsWorkflow(items, [node]), credentials());

				expect(run.status).toBe('success');
				const [success, failure] = run.nodes.Audience.outputs;
				expect(success.map((item) => [item.json.ids, item.json.duplicatesCollapsed, item.pairedItem])).toEqual([[1, 1, [{ item: 0 }, { item: 2 }]]]);
				expect(failure.map((item) => [item.json.error, item.pairedItem])).toEqual([
					['Item 2 (id "u2"): attribute "score": "many" is not a number', [{ item: 1 }]],
				]);
				await sandbox.whenIdle();
				expect(sandbox.state().batch.audiences[AUDIENCE_NAME].members).toEqual({
					u1: { plan: 'team', score: 5, 'date(since)': '2024-03-01T00:00:00Z' },
				});
			},
		);
	});
});
