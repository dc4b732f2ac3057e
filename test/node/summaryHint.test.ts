/**
 * The banners the editor shows above the node's output (n8n's execution hints), from real runs
 * through n8n-core's WorkflowExecute against the sandbox: what a sync or an upload did, failures
 * included; that Batch is still applying writes that were not waited for; that Check Indexing found
 * writes still being applied.
 */
import type { IDataObject, INodeParameters } from 'n8n-workflow';
import { AUDIENCE, itemsWorkflow, runWorkflow, useSandbox, type WorkflowNode } from './harness';

const { sandbox, batchCredentials, commBoxCredentials } = useSandbox();

const credentials = ({ commBoxApiKey, ...batchKeys }: { restApiKey?: string; projectKey?: string; commBoxApiKey?: string } = {}) => ({
	batchApi: batchCredentials(batchKeys),
	commBoxApi: commBoxCredentials(commBoxApiKey === undefined ? {} : { apiKey: commBoxApiKey }),
});

const update = (options: INodeParameters = {}, typeVersion = 1): WorkflowNode => ({
	name: 'Audience',
	type: AUDIENCE,
	typeVersion,
	parameters: { resource: 'batch', operation: 'update', audience: { __rl: true, mode: 'name', value: 'sandbox_audience' }, options } as INodeParameters,
	onError: 'continueErrorOutput' as const,
});

const replaceStatic = (options: INodeParameters = {}): WorkflowNode => ({
	name: 'Audience',
	type: AUDIENCE,
	typeVersion: 2,
	parameters: {
		resource: 'commBox',
		operation: 'replaceStatic',
		audience: { __rl: true, mode: 'id', value: '1001' },
		source: 'items',
		options,
	} as INodeParameters,
	onError: 'continueErrorOutput' as const,
});

const ids = (n: number, blanks = 0): IDataObject[] => Array.from({ length: n }, (_, i) => ({ id: i < blanks ? '' : `u${i}` }));
/** Contacts with valid French mobile numbers: +33 6 12 34 00 00, +33 6 12 34 00 01, … (the first `blanks` without a phone). */
const contacts = (n: number, blanks = 0): IDataObject[] =>
	Array.from({ length: n }, (_, i) => ({ name: `C${i}`, phone: i < blanks ? '' : `+33 6 12 ${String(340_000 + i).replace(/(..)(..)(..)/, '$1 $2 $3')}` }));

const hintsOf = (run: Awaited<ReturnType<typeof runWorkflow>>, node = 'Audience') => run.runData[node][0].hints;
const banner = (message: string, type: 'info' | 'warning') => ({ message, type, location: 'outputPane' });

const STILL_INDEXING = banner(
	'Batch is still applying these changes (usually within minutes). A Check Indexing step with "Wait Until Done", or the option "Wait for Indexing", makes the workflow continue only once they are applied.',
	'info',
);

describe('Batch Update', () => {
	it('a sync shows "items → requests: ids accepted, duplicates collapsed, invalid", then that Batch is still applying it', async () => {
		// 25,003 items: 40 repeat an earlier id, 2 have no id. 24,961 unique ids -> 3 requests of at most 10,000.
		const items = Array.from({ length: 25_003 }, (_, i) => ({ id: i < 2 ? '' : `u${i < 42 ? i + 100 : i}` }));
		const run = await runWorkflow(itemsWorkflow(items, [update()]), credentials());

		expect(run.status).toBe('success');
		// Invalid items make it a warning.
		expect(hintsOf(run)).toEqual([
			banner('25,003 items → 3 requests: 24,961 ids accepted, 40 duplicates collapsed, 2 invalid', 'warning'),
			STILL_INDEXING,
		]);
		expect(run.nodes.Audience.outputs[0]).toHaveLength(3);
		expect(sandbox.requests().filter((r) => r.method === 'POST')).toHaveLength(3);
	});

	it('a complete sync is an info banner; with "Wait for Indexing" there is no still-indexing banner', async () => {
		const waited = await runWorkflow(itemsWorkflow(ids(3), [update({ waitForIndexing: true, pollInterval: 1 }, 2)]), credentials());
		expect(waited.status).toBe('success');
		expect(hintsOf(waited)).toEqual([banner('3 items → 1 request: 3 ids accepted, 0 duplicates collapsed, 0 invalid', 'info')]);

		const notWaited = await runWorkflow(itemsWorkflow(ids(1), [update({}, 2)]), credentials());
		expect(hintsOf(notWaited)).toEqual([banner('1 item → 1 request: 1 id accepted, 0 duplicates collapsed, 0 invalid', 'info'), STILL_INDEXING]);
	});

	it('a dry run says nothing was sent', async () => {
		const run = await runWorkflow(itemsWorkflow([{ id: 'a' }, { id: 'a' }], [update({ dryRun: true })]), credentials());

		expect(hintsOf(run)).toEqual([banner('Dry run (nothing sent): 2 items → 1 request, 1 duplicate collapsed, 0 invalid', 'info')]);
	});

	it('partial failure under Continue: one of 3 requests answered 503 (outcome unknown), the others accepted', async () => {
		sandbox.setFaults({ rules: [{ api: 'batch', route: 'update', kind: '503', after: 1, count: 1 }] });
		const run = await runWorkflow(itemsWorkflow(ids(30), [update({ batchSize: 10, maxRetries: 0, requestsInFlight: 1 })]), credentials());

		expect(run.status).toBe('success');
		expect(run.nodes.Audience.outputs[1]).toHaveLength(10);
		expect(hintsOf(run)).toEqual([
			banner('30 items → 3 requests: 20 ids accepted, 1 request with an unknown outcome (may have been applied), 0 duplicates collapsed, 0 invalid', 'warning'),
			STILL_INDEXING,
		]);
	});

	it('partial failure under Continue: one of 3 requests refused for good (429 with no retry left): its ids are not sent', async () => {
		sandbox.setFaults({ rules: [{ api: 'batch', route: 'update', kind: '429', after: 1, count: 1 }] });
		const run = await runWorkflow(itemsWorkflow(ids(30), [update({ batchSize: 10, maxRetries: 0, requestsInFlight: 1 })]), credentials());

		expect(run.status).toBe('success');
		expect(hintsOf(run)).toEqual([
			banner('30 items → 3 requests: 20 ids accepted, 10 ids not sent, 0 duplicates collapsed, 0 invalid', 'warning'),
			STILL_INDEXING,
		]);
	});

	it('total failure under Continue: a wrong REST API key, every request refused (401); no still-indexing banner', async () => {
		const run = await runWorkflow(itemsWorkflow(ids(50, 2), [update({}, 2)]), credentials({ restApiKey: 'not-the-rest-key' }));

		expect(run.status).toBe('success');
		expect(run.nodes.Audience.outputs[0]).toEqual([]);
		expect(run.nodes.Audience.outputs[1]).toHaveLength(50);
		expect(hintsOf(run)).toEqual([
			banner('50 items → 1 request: 0 ids accepted, 1 request refused (401), 0 duplicates collapsed, 2 invalid', 'warning'),
		]);
	});
});

describe('Check Indexing', () => {
	const checkIndexing = (options: IDataObject = {}): WorkflowNode => ({
		name: 'Check Indexing',
		type: AUDIENCE,
		typeVersion: 2,
		parameters: { resource: 'batch', operation: 'checkIndexing', options } as INodeParameters,
	});

	it('writes still being applied, without waiting: says so and how to wait', async () => {
		sandbox.setIndexingDelay(600_000);
		const run = await runWorkflow(itemsWorkflow(ids(30), [update({ batchSize: 10 }, 2), checkIndexing()]), credentials());

		expect(run.status).toBe('success');
		expect(run.nodes['Check Indexing'].outputs[0]).toHaveLength(30);
		expect(hintsOf(run, 'Check Indexing')).toEqual([
			banner(
				'3 of 3 writes are still being applied. To continue only once they are applied, turn on "Wait Until Done" in the options; or check again later.',
				'info',
			),
		]);
	});

	it('every write applied, or waited for: no banner', async () => {
		const run = await runWorkflow(itemsWorkflow(ids(30), [update({ batchSize: 10 }, 2), checkIndexing({ waitUntilDone: true, pollInterval: 1 })]), credentials());

		expect(run.status).toBe('success');
		expect(run.nodes['Check Indexing'].outputs[0].map((item) => [item.json.indexingState, item.json.done])).toEqual(Array(30).fill(['APPLIED', true]));
		expect(hintsOf(run, 'Check Indexing')).toEqual([]);
	});
});

describe('CommBox Replace Static', () => {
	it('an upload shows "items → 1 file of N rows accepted, duplicates collapsed, invalid"', async () => {
		const run = await runWorkflow(itemsWorkflow(contacts(50), [replaceStatic()]), credentials());

		expect(run.status).toBe('success');
		expect(hintsOf(run)).toEqual([banner('50 items → 1 file of 50 rows accepted, 0 duplicates collapsed, 0 invalid', 'info')]);
	});

	it('with invalid items: a warning', async () => {
		const run = await runWorkflow(itemsWorkflow(contacts(50, 2), [replaceStatic()]), credentials());

		expect(run.status).toBe('success');
		expect(hintsOf(run)).toEqual([banner('50 items → 1 file of 48 rows accepted, 0 duplicates collapsed, 2 invalid', 'warning')]);
	});

	it('refused under Continue: a wrong API key (401)', async () => {
		const run = await runWorkflow(itemsWorkflow(contacts(50, 2), [replaceStatic()]), credentials({ commBoxApiKey: 'expired-commbox-key' }));

		expect(run.status).toBe('success');
		expect(hintsOf(run)).toEqual([banner('50 items → 1 file of 48 rows refused (401), 0 duplicates collapsed, 2 invalid', 'warning')]);
	});

	it('a dry run says nothing was sent', async () => {
		const items = [...contacts(3), { name: 'again', phone: '0033612340000' }];
		const run = await runWorkflow(itemsWorkflow(items, [replaceStatic({ dryRun: true })]), credentials());

		expect(run.status).toBe('success');
		expect(hintsOf(run)).toEqual([banner('Dry run (nothing sent): 4 items → 1 file of 3 rows, 1 duplicate collapsed, 0 invalid', 'info')]);
		expect(sandbox.requests()).toEqual([]);
	});
});
