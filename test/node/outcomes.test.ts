/**
 * What the node states about each request's outcome, run through n8n-core's WorkflowExecute
 * against the sandbox's faults: odd 2xx bodies (accepted without a token), lost answers to creates
 * and writes (outcome unknown), oversized error bodies (cut), and records refused with a generic
 * message (found by split-retry).
 */
import type { IDataObject, INodeExecutionData, INodeParameters } from 'n8n-workflow';
import { splitRetryBound } from '../../nodes/Audience/engine';
import { type FaultRule, type Sandbox, SANDBOX_CREDENTIALS, startSandbox } from '../../sandbox';
import { AUDIENCE, itemsWorkflow, runWorkflow, type WorkflowNode, type WorkflowRun } from './harness';

let sandbox: Sandbox;
beforeAll(async () => {
	sandbox = await startSandbox({ indexingDelayMs: 0, port: 0 });
});
afterAll(async () => await sandbox.stop());
beforeEach(() => sandbox.reset());
// The config outlives a reset: clear what a test set.
afterEach(() => sandbox.configure({ rejectIds: [], rejectIdsMessage: null }));

const AUDIENCE_NAME = 'sandbox_audience';
const NO_TOKEN_NOTE = 'Accepted, but the answer carried no indexing token: its indexing cannot be followed.';

const credentials = () => ({
	batchApi: { restApiKey: SANDBOX_CREDENTIALS.batchRestKey, projectKey: SANDBOX_CREDENTIALS.batchProjectKey, baseUrl: sandbox.url, apiVersion: '2.11' },
	batchCustomAudienceApi: {
		restApiKey: SANDBOX_CREDENTIALS.batchRestKey,
		appApiKey: SANDBOX_CREDENTIALS.customAudienceAppKey,
		apiVersion: '1.1',
		baseUrl: sandbox.url,
	},
	commBoxApi: { apiKey: SANDBOX_CREDENTIALS.commBoxApiKey, baseUrl: sandbox.url },
});

type Platform = 'batch' | 'batchCustomAudience';
const API_OF = { batch: 'batch', batchCustomAudience: 'customAudience' } as const;

function audienceNode(parameters: IDataObject, continueOnFail = false): WorkflowNode {
	return {
		name: 'Audience',
		type: AUDIENCE,
		parameters: parameters as INodeParameters,
		...(continueOnFail ? { onError: 'continueErrorOutput' as const } : {}),
	};
}

function updateNode(platform: Platform, options: IDataObject = {}, continueOnFail = false): WorkflowNode {
	return audienceNode(
		{ resource: platform, operation: 'update', audience: { __rl: true, mode: 'name', value: AUDIENCE_NAME }, options },
		continueOnFail,
	);
}

const ids = (n: number) => Array.from({ length: n }, (_, i) => ({ id: `u${i}` }));
const run = async (items: IDataObject[], node: WorkflowNode) => await runWorkflow(itemsWorkflow(items, [node]), credentials());

async function membersOf(platform: Platform): Promise<string[]> {
	await sandbox.whenIdle();
	const state = sandbox.state();
	const audience = platform === 'batch' ? state.batch.audiences[AUDIENCE_NAME] : state.customAudience.audiences[AUDIENCE_NAME];
	return Object.keys(audience.members).sort((a, b) => Number(a.slice(1)) - Number(b.slice(1)));
}

const writes = (route: string) => sandbox.requests().filter((request) => request.route.toLowerCase() === route.toLowerCase());
const errorOf = (result: WorkflowRun) => result.nodes.Audience.error;

describe('a 2xx answer with an odd body: accepted, without a token', () => {
	const kinds = ['nullBody', 'emptyBody', 'emptyObjectBody', 'htmlBody'] as const;
	const cases = (['batch', 'batchCustomAudience'] as const).flatMap((platform) => kinds.map((kind) => [platform, kind] as const));

	it.each(cases)('%s Update, %s: no crash, outcome accepted, indexingToken null with a note; the sandbox holds the members', async (platform, kind) => {
		sandbox.setFaults({ rules: [{ api: API_OF[platform], route: 'update', kind }] });
		const result = await run(ids(3), updateNode(platform));

		expect(errorOf(result)).toBeUndefined();
		expect(result.status).toBe('success');
		expect(writes('update').map((request) => request.fault)).toEqual([kind]);
		const [output] = result.nodes.Audience.outputs;
		expect(output).toHaveLength(1);
		expect(output[0].json).toMatchObject({ audience: AUDIENCE_NAME, ids: 3, outcome: 'accepted', indexingToken: null, note: NO_TOKEN_NOTE, dryRun: false });
		expect(output[0].pairedItem).toEqual([{ item: 0 }, { item: 1 }, { item: 2 }]);
		expect(await membersOf(platform)).toEqual(['u0', 'u1', 'u2']);
	});

	it('Wait for Indexing does not wait for a request accepted without a token', async () => {
		sandbox.setFaults({ rules: [{ api: 'batch', route: 'update', kind: 'emptyBody' }] });
		const result = await run(ids(3), updateNode('batch', { waitForIndexing: true, waitTimeout: 5, pollInterval: 1 }));

		expect(result.status).toBe('success');
		expect(result.nodes.Audience.outputs[0].map((item) => [item.json.outcome, item.json.indexingToken, item.json.note])).toEqual([
			['accepted', null, NO_TOKEN_NOTE],
		]);
		expect(writes('view')).toEqual([]);
		expect(await membersOf('batch')).toEqual(['u0', 'u1', 'u2']);
	});
});

describe('a create whose answer was lost', () => {
	const NAME = 'lost_create';
	const batchCreate = (continueOnFail = false) =>
		audienceNode({ resource: 'batch', operation: 'create', name: NAME, options: { maxRetries: 0 } }, continueOnFail);
	const commBoxCreate = (continueOnFail = false) =>
		audienceNode({ resource: 'commBox', operation: 'createStatic', name: NAME, source: 'items', options: { maxRetries: 0 } }, continueOnFail);
	const phones = [{ phone: '+33612345678' }, { phone: '+33612345679' }];

	const lookupFails: Record<'batch' | 'commBox', FaultRule[]> = {
		batch: [
			{ api: 'batch', route: 'create', kind: 'lostResponse' },
			{ api: 'batch', route: 'view', kind: '500' },
		],
		commBox: [
			{ api: 'commBox', route: 'POST /audiences', kind: 'lostResponse' },
			{ api: 'commBox', route: 'GET /audiences', kind: '500' },
		],
	};
	const platformName = { batch: 'Batch', commBox: 'CommBox' } as const;
	const nodeFor = { batch: batchCreate, commBox: commBoxCreate } as const;
	const itemsFor = { batch: [{}], commBox: phones } as const;
	const createRoute = { batch: 'create', commBox: 'POST /audiences' } as const;

	it.each(['batch', 'commBox'] as const)('%s: the look-up fails too: not known whether it was created, check before running again', async (platform) => {
		sandbox.setFaults({ rules: lookupFails[platform] });
		const result = await run([...itemsFor[platform]], nodeFor[platform]());

		expect(result.status).toBe('error');
		const error = errorOf(result);
		expect(error?.message).toMatch(
			new RegExp(
				`^It is not known whether the ${platformName[platform]} audience "${NAME}" was created: the answer to the create was lost, and looking it up failed too \\(.+\\)\\. Check whether it exists before running again: running again may create it a second time\\.$`,
			),
		);
		expect(error?.description).toContain(`Check in ${platformName[platform]} whether "${NAME}" exists, e.g. with the Get Many operation.`);
		// A create is never retried once it may have been processed.
		expect(writes(createRoute[platform])).toHaveLength(1);
		expect(writes(createRoute[platform])[0].status).toBe(0);
		// The create was in fact applied: "not known" was the right answer, not "not created".
		const state = sandbox.state();
		expect(platform === 'batch' ? [state.batch.audiences[NAME]].filter(Boolean) : Object.values(state.commBox.audiences).filter((a) => a.name === NAME)).toHaveLength(1);
	});

	it.each(['batch', 'commBox'] as const)('%s under continue on fail: the error item has details.outcome unknown', async (platform) => {
		sandbox.setFaults({ rules: lookupFails[platform] });
		const result = await run([...itemsFor[platform]], nodeFor[platform](true));

		expect(result.status).toBe('success');
		const [success, failure] = result.nodes.Audience.outputs;
		expect(success).toEqual([]);
		expect(failure).toHaveLength(1);
		expect(failure[0].json.error).toMatch(new RegExp(`^It is not known whether the ${platformName[platform]} audience "${NAME}" was created`));
		expect(failure[0].json.details).toEqual({ outcome: 'unknown', sent: true });
		expect(failure[0].pairedItem).toEqual(platform === 'batch' ? [{ item: 0 }] : [{ item: 0 }, { item: 1 }]);
	});

	// An error item carries the message alone (not the description): the warning must be in the message.
	it.each(['batch', 'commBox'] as const)('%s under continue on fail: the error item itself says to check before running again', async (platform) => {
		sandbox.setFaults({ rules: lookupFails[platform] });
		const result = await run([...itemsFor[platform]], nodeFor[platform](true));

		const [, failure] = result.nodes.Audience.outputs;
		expect(failure).toHaveLength(1);
		expect(failure[0].json.error).toMatch(/\. Check whether it exists before running again: running again may create it a second time\.$/);
	});

	it('Batch: the look-up finds the audience created by this run: created', async () => {
		sandbox.setFaults({ rules: [{ api: 'batch', route: 'create', kind: 'lostResponse' }] });
		const result = await run([{}], batchCreate());

		expect(errorOf(result)).toBeUndefined();
		expect(result.nodes.Audience.outputs[0].map((item) => item.json)).toEqual([
			{ audience: NAME, created: true, indexingToken: null, responseLost: true, indexingState: expect.any(String) },
		]);
		expect(writes('create')).toHaveLength(1);
		expect(sandbox.state().batch.audiences[NAME]).toBeDefined();
	});

	it('CommBox: the look-up finds the audience created by this run: found by name', async () => {
		sandbox.setFaults({ rules: [{ api: 'commBox', route: 'POST /audiences', kind: 'lostResponse' }] });
		const result = await run(phones, commBoxCreate());

		expect(errorOf(result)).toBeUndefined();
		const [item] = result.nodes.Audience.outputs[0];
		const created = Object.values(sandbox.state().commBox.audiences).filter((audience) => audience.name === NAME);
		expect(created).toHaveLength(1);
		expect(item.json).toMatchObject({
			operation: 'createStatic',
			audienceId: created[0].id,
			status: 201,
			description: 'Audience created (the response was lost; found by name)',
			rows: 2,
		});
		expect(created[0].rows.map((row) => row.phone1)).toEqual(['33612345678', '33612345679']);
		expect(writes('POST /audiences')).toHaveLength(1);
	});
});

describe('a create whose answer was lost, settled by the look-up', () => {
	const NAME = 'reset_create';
	const creates = {
		batch: {
			rule: { api: 'batch', route: 'create', kind: 'reset' } as FaultRule,
			node: (continueOnFail = false) => audienceNode({ resource: 'batch', operation: 'create', name: NAME, options: { maxRetries: 0 } }, continueOnFail),
			items: [{}],
			found: `no audience "${NAME}" exists, so it was not created; running again is safe.`,
		},
		commBox: {
			rule: { api: 'commBox', route: 'POST /audiences', kind: 'reset' } as FaultRule,
			node: (continueOnFail = false) =>
				audienceNode({ resource: 'commBox', operation: 'createStatic', name: NAME, source: 'items', options: { maxRetries: 0 } }, continueOnFail),
			items: [{ phone: '+33612345678' }],
			found: `no audience "${NAME}" was created, so running again is safe.`,
		},
	};
	const exists = () =>
		Object.keys(sandbox.state().batch.audiences).includes(NAME) || Object.values(sandbox.state().commBox.audiences).some((a) => a.name === NAME);

	it.each(['batch', 'commBox'] as const)('%s: the connection was cut before anything was processed; the look-up finds none: not created, safe to run again', async (platform) => {
		const { rule, node, items, found } = creates[platform];
		sandbox.setFaults({ rules: [rule] });
		const result = await run(items, node());

		expect(result.status).toBe('error');
		// At the end of the message (an error item carries the message alone), not in the description.
		const message = String(errorOf(result)?.message);
		const lookedUp = `The answer was lost, so the node looked the audience up: ${found}`;
		expect(message.slice(-lookedUp.length)).toBe(lookedUp);
		expect(String(errorOf(result)?.description ?? '')).not.toContain('looked the audience up');
		expect(exists()).toBe(false);
	});

	// notCreated (reconcileCreate.ts) settles the outcome: the look-up proved nothing was created, so
	// the error item is refused (sent, nothing applied), not unknown.
	it.each(['batch', 'commBox'] as const)('%s under continue on fail: the look-up settled it, so the error item is not "unknown"', async (platform) => {
		const { rule, node, items, found } = creates[platform];
		sandbox.setFaults({ rules: [rule] });
		const result = await run(items, node(true));

		const [, failure] = result.nodes.Audience.outputs;
		expect(failure).toHaveLength(1);
		const lookedUp = `The answer was lost, so the node looked the audience up: ${found}`;
		expect(String(failure[0].json.error).slice(-lookedUp.length)).toBe(lookedUp);
		expect(failure[0].json.details).toEqual({ outcome: 'refused', sent: true });
		expect(failure[0].pairedItem).toEqual([{ item: 0 }]);
		expect(exists()).toBe(false);
	});
});

describe('a CommBox Replace Static whose answer was lost', () => {
	const replaceNode = (continueOnFail = false) =>
		audienceNode({ resource: 'commBox', operation: 'replaceStatic', audience: { __rl: true, mode: 'id', value: '1001' }, source: 'items', options: { maxRetries: 0 } }, continueOnFail);
	const phones = (n: number) => Array.from({ length: n }, (_, i) => ({ phone: `+3361234567${i}` }));

	it("settled by the audience's size: it now holds the file's rows and did not before", async () => {
		sandbox.setFaults({ rules: [{ api: 'commBox', route: 'PUT /Audiences', kind: 'lostResponse' }] });
		const result = await run(phones(3), replaceNode());

		expect(errorOf(result)).toBeUndefined();
		const [item] = result.nodes.Audience.outputs[0];
		expect(item.json).toMatchObject({ audienceId: '1001', status: 200, rows: 3 });
		expect(item.json.description).toMatch(/^Replaced: the answer was lost, but CommBox audience 1001 now holds the file's 3 rows \(it held 0\)/);
		expect(sandbox.state().commBox.audiences['1001'].rows).toHaveLength(3);
	});

	it('not settled (the size was already the same): outcome unknown, running again is safe', async () => {
		await run(phones(3), replaceNode());
		sandbox.setFaults({ rules: [{ api: 'commBox', route: 'PUT /Audiences', kind: 'lostResponse' }] });
		const result = await run(phones(3), replaceNode(true));

		const [success, failure] = result.nodes.Audience.outputs;
		expect(success).toEqual([]);
		expect(failure).toHaveLength(1);
		expect(failure[0].json.error).toMatch(/^The outcome of the upload to CommBox audience 1001 is unknown: its answer was lost, so the audience holds either the file's rows or its previous customers\. It now holds 3 customers\./);
		expect(failure[0].json.details).toEqual({ outcome: 'unknown', sent: true });
	});
});

describe('an error body of 2 MiB is cut', () => {
	const MAX_TEXT = 1500;
	const MAX_RUN_DATA = 100 * 1024;
	const huge: FaultRule['kind'] = 'hugeErrorBody';
	const sizes: string[] = [];
	afterAll(() => console.log(`oversized error body (2 MiB):\n${sizes.join('\n')}`));

	const cases = [
		{
			label: 'Batch Update',
			rule: { api: 'batch', route: 'update', kind: huge } as FaultRule,
			node: (continueOnFail: boolean) => updateNode('batch', {}, continueOnFail),
			items: ids(4),
			code: '[MALFORMED_PARAMETER]',
		},
		{
			label: 'legacy Update (PATCH)',
			rule: { api: 'customAudience', route: 'update', kind: huge } as FaultRule,
			node: (continueOnFail: boolean) => updateNode('batchCustomAudience', {}, continueOnFail),
			items: ids(4),
			code: 'MALFORMED_PARAMETER (code 31)',
		},
		{
			label: 'CommBox Replace Static (PUT)',
			rule: { api: 'commBox', route: 'PUT /Audiences', kind: huge } as FaultRule,
			node: (continueOnFail: boolean) =>
				audienceNode({ resource: 'commBox', operation: 'replaceStatic', audience: { __rl: true, mode: 'id', value: '1001' }, source: 'items' }, continueOnFail),
			items: Array.from({ length: 4 }, (_, i) => ({ phone: `+3361234567${i}` })),
			code: 'CommBox answered 400: Bad Request - Injected fault: oversized error body.',
		},
	];

	it.each(cases)('$label: the message and the description stay short and keep the error code', async ({ label, rule, node, items, code }) => {
		sandbox.setFaults({ rules: [rule] });
		const result = await run(items, node(false));

		expect(result.status).toBe('error');
		const error = errorOf(result);
		const message = String(error?.message);
		const description = String(error?.description ?? '');
		const runData = JSON.stringify(result.runData).length;
		sizes.push(`${label}, stopped: message ${message.length} chars, description ${description.length} chars, run data ${runData} chars`);
		expect(message).toContain(code);
		expect(message).toContain('Injected fault: oversized error body.');
		expect(message).toContain('more characters cut)');
		expect(message.length).toBeLessThan(MAX_TEXT);
		expect(runData).toBeLessThan(MAX_RUN_DATA);
		// The 2 MiB answers did arrive: it is the node that cut them.
		expect(sandbox.requests().filter((request) => request.fault === huge).length).toBeGreaterThan(0);
		// Each refused part's line quotes the (cut) API message: at most ~600 characters each.
		for (const line of description.split('\n')) expect(line.length).toBeLessThan(MAX_TEXT);
	});

	// The description of refusedRecordsError (statements.ts) has one line per distinct refusal message
	// (at most 5), not one per refused part: the 4 parts of the request-wide chunk (3 probes and the
	// rest) share the cut API message, so it is quoted once.
	it.each(cases)('$label: the description stays under 1,500 characters', async ({ label, rule, node, items }) => {
		sandbox.setFaults({ rules: [rule] });
		const result = await run(items, node(false));

		expect(result.status).toBe('error');
		const description = String(errorOf(result)?.description ?? '');
		expect(description.length).toBeLessThan(MAX_TEXT);
		if (label !== 'CommBox Replace Static (PUT)') {
			const lines = description.split('\n');
			expect(lines.filter((line) => line.includes('Injected fault: oversized error body.'))).toHaveLength(1);
			expect(lines[0]).toMatch(/^Items 1-4: .*Injected fault: oversized error body\./);
			expect(lines).toContain(`Extra requests sent to isolate them: ${splitRetryBound(4, 4)}.`);
		}
	});

	it.each(cases)('$label under continue on fail (4 items): the run data stays under 100 KB', async ({ label, rule, node, items, code }) => {
		sandbox.setFaults({ rules: [rule] });
		const result = await run(items, node(true));

		expect(result.status).toBe('success');
		const [, failure] = result.nodes.Audience.outputs;
		const runData = JSON.stringify(result.runData).length;
		const longest = Math.max(...failure.map((item) => String(item.json.error).length));
		sizes.push(`${label}, continue on fail: ${failure.length} error items, longest error ${longest} chars, run data ${runData} chars`);
		expect(failure.length).toBeGreaterThan(0);
		// Every input item is on the error output (Batch and legacy: one error item each; CommBox: one item for the file).
		expect(failure.flatMap((item) => (item.pairedItem as Array<{ item: number }>).map((pair) => pair.item)).sort()).toEqual([0, 1, 2, 3]);
		for (const item of failure) {
			expect(String(item.json.error)).toContain(code.replace(/^CommBox answered 400: /, ''));
			expect(String(item.json.error).length).toBeLessThan(MAX_TEXT);
			expect(item.json.details).toEqual({ outcome: 'refused', sent: true });
		}
		expect(runData).toBeLessThan(MAX_RUN_DATA);
	});
});

describe('an update whose answer is lost on every attempt', () => {
	const lost: FaultRule = { api: 'batch', route: 'update', kind: 'lostResponse' };

	it('stops with an unknown outcome, never "unchanged"; running again is safe; the write was applied', async () => {
		sandbox.setFaults({ rules: [lost] });
		const result = await run(ids(100), updateNode('batch', { maxRetries: 1 }));

		expect(result.status).toBe('error');
		const message = String(errorOf(result)?.message);
		expect(message).toMatch(/^Request 1 of 1 to audience "sandbox_audience" has an unknown outcome \(it may have been applied\): /);
		expect(message).toContain('unknown outcome');
		expect(message).toContain('items 1-100 (100 ids) outcome unknown (may have been applied)');
		expect(message).toContain('Running the workflow again is safe');
		expect(message).not.toContain('unchanged');
		expect(message).not.toContain('No request of this run was accepted');
		expect(message).not.toContain('not sent');
		// Idempotent: retried once, lost twice.
		expect(writes('update').map((request) => [request.status, request.ids, request.fault])).toEqual([
			[0, 100, 'lostResponse'],
			[0, 100, 'lostResponse'],
		]);
		expect(await membersOf('batch')).toHaveLength(100);
	});

	// Update mode, nothing accepted but something unknown: no "items  (0 ids) accepted" group.
	it('the statement lists no empty group when nothing was accepted', async () => {
		sandbox.setFaults({ rules: [lost] });
		const result = await run(ids(100), updateNode('batch', { maxRetries: 1 }));

		const message = String(errorOf(result)?.message);
		expect(message).toContain('Audience "sandbox_audience": items 1-100 (100 ids) outcome unknown (may have been applied).');
		expect(message).not.toMatch(/\(0 ids\)/);
	});

	it('under continue on fail: 100 error items with outcome unknown, sent', async () => {
		sandbox.setFaults({ rules: [lost] });
		const result = await run(ids(100), updateNode('batch', { maxRetries: 1 }, true));

		expect(result.status).toBe('success');
		const [success, failure] = result.nodes.Audience.outputs;
		expect(success).toEqual([]);
		expect(failure).toHaveLength(100);
		expect(failure.map((item) => (item.pairedItem as Array<{ item: number }>)[0].item)).toEqual(Array.from({ length: 100 }, (_, i) => i));
		for (const item of failure) {
			expect(item.json.details).toEqual({ outcome: 'unknown', sent: true });
			expect(item.json.error).toContain('unknown outcome');
			expect(item.json.error).toContain('Running the workflow again is safe');
			expect(item.json.error).not.toContain('unchanged');
		}
		expect(await membersOf('batch')).toHaveLength(100);
	});
});

describe('records refused with a generic message naming none of them', () => {
	it('25 ids, bad at 3 and 20: split-retry puts exactly those 2 on the error output, the other 23 are applied', async () => {
		sandbox.configure({ rejectIds: ['u3', 'u20'], rejectIdsMessage: 'One or more ids are not valid' });
		const result = await run(ids(25), updateNode('batch', { batchSize: 10_000 }, true));

		expect(result.status).toBe('success');
		const [success, failure] = result.nodes.Audience.outputs;
		expect(failure.map((item) => [item.json.id, item.pairedItem])).toEqual([
			['u3', [{ item: 3 }]],
			['u20', [{ item: 20 }]],
		]);
		for (const item of failure) {
			expect(item.json.details).toEqual({ outcome: 'refused', sent: true });
			expect(item.json.error).toBe(`Id "${item.json.id}" refused by Batch (found by splitting its request): Batch answered 400: One or more ids are not valid [MALFORMED_PARAMETER]`);
		}
		const accepted = success.flatMap((item: INodeExecutionData) => (item.pairedItem as Array<{ item: number }>).map((pair) => pair.item));
		expect(accepted.sort((a, b) => a - b)).toEqual(Array.from({ length: 25 }, (_, i) => i).filter((i) => i !== 3 && i !== 20));
		for (const item of success) expect(item.json).toMatchObject({ outcome: 'accepted', split: true, indexingToken: expect.any(String) });

		expect(await membersOf('batch')).toEqual(Array.from({ length: 25 }, (_, i) => `u${i}`).filter((id) => id !== 'u3' && id !== 'u20'));
		const extraRequests = writes('update').length - 1;
		console.log(`split-retry of 25 ids with 2 bad: ${extraRequests} extra requests (bound ${splitRetryBound(25, 2)})`);
		expect(extraRequests).toBeLessThanOrEqual(splitRetryBound(25, 2));
	});

	// Each chunk is judged on its own probes: nothing about a request-wide refusal is carried over to
	// the next chunk, even when it is refused with the same text.
	it('a chunk whose every id is bad does not stop the next chunk from being split', async () => {
		const bad = ['u0', 'u1', 'u2', 'u3', 'u4', 'u5', 'u6', 'u7', 'u12'];
		sandbox.configure({ rejectIds: bad, rejectIdsMessage: 'One or more ids are not valid' });
		// Chunk 1 = u0-u7 (all bad), chunk 2 = u8-u15 (u12 bad); one at a time, so chunk 1 is settled first.
		const result = await run(ids(16), updateNode('batch', { batchSize: 8, requestsInFlight: 1 }, true));

		expect(result.status).toBe('success');
		const [, failure] = result.nodes.Audience.outputs;
		expect(failure.map((item) => item.json.id)).toEqual(bad);
		// Chunk 1: its probes u0, u4, u7, then the rest of it (5 ids), all refused, so it is reported
		// request-wide; chunk 2: its probes u8, u12, u15, then the rest of it (5 ids), accepted.
		expect(writes('update').map((request) => [request.status, request.ids])).toEqual([
			[400, 8],
			[400, 1],
			[400, 1],
			[400, 1],
			[400, 5],
			[400, 8],
			[202, 1],
			[400, 1],
			[202, 1],
			[202, 5],
		]);
		for (const item of failure.filter((entry) => entry.json.id !== 'u12')) {
			// The probes u0, u4, u7 alone; the rest of chunk 1 (5 ids) with its own answer.
			const size = ['u0', 'u4', 'u7'].includes(String(item.json.id)) ? '1 id' : '5 ids';
			expect(item.json.error).toBe(
				`${size} refused by Batch: three ids of their request sent alone and the rest were all refused too, so the refusal concerns the request (audience, credentials or format), not single members: Batch answered 400: One or more ids are not valid [MALFORMED_PARAMETER]`,
			);
			expect(item.json.details).toEqual({ outcome: 'refused', sent: true });
		}
		expect(failure.find((item) => item.json.id === 'u12')?.json.error).toBe(
			'Id "u12" refused by Batch (found by splitting its request): Batch answered 400: One or more ids are not valid [MALFORMED_PARAMETER]',
		);
		expect(await membersOf('batch')).toEqual(['u8', 'u9', 'u10', 'u11', 'u13', 'u14', 'u15']);
	});

	it('without continue on fail: the run stops naming the 2 refused items after the others were delivered', async () => {
		sandbox.configure({ rejectIds: ['u3', 'u20'], rejectIdsMessage: 'One or more ids are not valid' });
		const result = await run(ids(25), updateNode('batch', { batchSize: 10_000 }));

		expect(result.status).toBe('error');
		expect(errorOf(result)?.message).toMatch(
			/^2 items were refused by Batch: item 4 \(id "u3"\), item 21 \(id "u20"\)\. The other 23 ids were delivered in \d+ accepted requests\. First refusal: /,
		);
		expect(await membersOf('batch')).toHaveLength(23);
	});
});

describe('records refused each with its own message', () => {
	it('the error lists one line per distinct refusal message, at most 5', async () => {
		// The sandbox's default refusal names the id: each of the 7 bad ids, isolated alone, gets its own message.
		const bad = [3, 5, 9, 14, 17, 20, 22];
		sandbox.configure({ rejectIds: bad.map((i) => `u${i}`) });
		const result = await run(ids(25), updateNode('batch', { batchSize: 10_000 }));

		expect(result.status).toBe('error');
		const lines = String(errorOf(result)?.description ?? '').split('\n');
		const extraRequests = writes('update').length - 1;
		expect(extraRequests).toBeLessThanOrEqual(splitRetryBound(25, bad.length));
		expect(lines.slice(0, 7)).toEqual([
			...bad.slice(0, 5).map((i) => `Item ${i + 1}: Batch answered 400: ids[0].id: "u${i}" is refused by a record-level rule [MALFORMED_PARAMETER]`),
			'… and 2 other refusal messages',
			`Extra requests sent to isolate them: ${extraRequests}.`,
		]);
		expect(lines[7]).toMatch(/^Accepted tokens: /);
		expect(lines).toHaveLength(8);
		expect(await membersOf('batch')).toHaveLength(25 - bad.length);
	});
});
