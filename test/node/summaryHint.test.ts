/**
 * The one-line sync summary the editor shows above the output (n8n's execution hints), from a real
 * run through n8n-core's WorkflowExecute against the sandbox.
 */
import type { INodeParameters } from 'n8n-workflow';
import { type Sandbox, SANDBOX_CREDENTIALS, startSandbox } from '../../sandbox';
import { AUDIENCE, itemsWorkflow, runWorkflow } from './harness';

let sandbox: Sandbox;

beforeAll(async () => {
	sandbox = await startSandbox({ indexingDelayMs: 0, port: 0 });
});

afterAll(async () => {
	await sandbox.stop();
});

const credentials = () => ({
	batchApi: { restApiKey: SANDBOX_CREDENTIALS.batchRestKey, projectKey: SANDBOX_CREDENTIALS.batchProjectKey, baseUrl: sandbox.url, apiVersion: '2.11' },
});

const update = (options: INodeParameters = {}) => ({
	name: 'Audience',
	type: AUDIENCE,
	parameters: { resource: 'batch', operation: 'update', audience: { __rl: true, mode: 'name', value: 'sandbox_audience' }, options } as INodeParameters,
	onError: 'continueErrorOutput' as const,
});

it('a sync shows "items → requests, duplicates collapsed, invalid" as an execution hint', async () => {
	// 25,003 items: 40 repeat an earlier id, 2 have no id. 24,961 unique ids -> 3 requests of at most 10,000.
	const items = Array.from({ length: 25_003 }, (_, i) => ({ id: i < 2 ? '' : `u${i < 42 ? i + 100 : i}` }));
	const run = await runWorkflow(itemsWorkflow(items, [update()]), credentials());

	expect(run.status).toBe('success');
	expect(run.runData.Audience[0].hints).toEqual([
		{ message: '25,003 items → 3 requests, 40 duplicates collapsed, 2 invalid', type: 'info', location: 'outputPane' },
	]);
	expect(run.nodes.Audience.outputs[0]).toHaveLength(3);
	expect(sandbox.requests().filter((r) => r.method === 'POST')).toHaveLength(3);
});

it('a dry run says nothing was sent', async () => {
	const run = await runWorkflow(itemsWorkflow([{ id: 'a' }, { id: 'a' }], [update({ dryRun: true })]), credentials());

	expect(run.runData.Audience[0].hints?.map((hint) => hint.message)).toEqual(['Dry run (nothing sent): 2 items → 1 request, 1 duplicates collapsed, 0 invalid']);
});
