/**
 * Failure paths through n8n-core's WorkflowExecute: a stopped execution ends the node's waits, and
 * list walks against an API that never ends them stop with a clear error.
 */
import type { INodeParameters } from 'n8n-workflow';
import { PROBES, splitRetryBound } from '../../nodes/Audience/engine';
import { type Sandbox, SANDBOX_CREDENTIALS, startSandbox } from '../../sandbox';
import { AUDIENCE, itemsWorkflow, runWorkflow, startWorkflow } from './harness';
import { startLoopbackServer, type LoopbackServer } from './loopback';

let sandbox: Sandbox;
beforeAll(async () => {
	sandbox = await startSandbox({ indexingDelayMs: 0, port: 0 });
});
afterAll(async () => await sandbox.stop());
beforeEach(() => sandbox.reset());

const batchCredentials = (baseUrl: string) => ({
	batchApi: { restApiKey: SANDBOX_CREDENTIALS.batchRestKey, projectKey: SANDBOX_CREDENTIALS.batchProjectKey, baseUrl, apiVersion: '2.11' },
});
const legacyCredentials = (baseUrl: string) => ({
	batchCustomAudienceApi: { restApiKey: SANDBOX_CREDENTIALS.batchRestKey, appApiKey: SANDBOX_CREDENTIALS.customAudienceAppKey, apiVersion: '1.1', baseUrl },
});
const audienceNode = (parameters: Record<string, unknown>) => ({ name: 'Audience', type: AUDIENCE, parameters: parameters as INodeParameters });

async function until(condition: () => boolean, timeoutMs = 20_000): Promise<void> {
	const deadline = Date.now() + timeoutMs;
	while (!condition()) {
		if (Date.now() > deadline) throw new Error('condition not met in time');
		await new Promise((resolve) => setTimeout(resolve, 10));
	}
}

describe('stopping the execution', () => {
	it('ends a 300 s Retry-After wait at once: the run is canceled, nothing more is sent', async () => {
		sandbox.setFaults({ rules: [{ api: 'batch', route: 'update', kind: '429', retryAfterSeconds: 300 }] });
		const items = Array.from({ length: 3 }, (_, i) => ({ id: `u${i}` }));
		const started = startWorkflow(
			itemsWorkflow(items, [audienceNode({ resource: 'batch', operation: 'update', audience: { __rl: true, mode: 'name', value: 'sandbox_audience' } })]),
			batchCredentials(sandbox.url),
		);
		await until(() => sandbox.requests().some((r) => r.route === 'update' && r.status === 429));

		const stoppedAt = Date.now();
		started.cancel();
		const run = await started.result;
		const latencyMs = Date.now() - stoppedAt;
		console.log(`cancel latency during a 300 s Retry-After: ${latencyMs} ms`);

		expect(run.status).toBe('canceled');
		// Far below the 300 s the server asked for: the wait ended because of the stop.
		expect(latencyMs).toBeLessThan(30_000);
		expect(sandbox.requests().filter((r) => r.route === 'update').map((r) => r.status)).toEqual([429]);
		expect(sandbox.state().batch.audiences.sandbox_audience.nb_ids).toBe(0);
	}, 60_000);
});

describe('split-retry', () => {
	it('probes the first, middle and last ids of a request the API refuses as a whole, then the rest: all refused, it is reported as request-wide', async () => {
		const run = await runWorkflow(
			itemsWorkflow(
				Array.from({ length: 4 }, (_, i) => ({ id: `u${i}` })),
				[audienceNode({ resource: 'batch', operation: 'update', audience: { __rl: true, mode: 'name', value: 'no_such_audience' } })],
			),
			batchCredentials(sandbox.url),
		);
		// The API's own message is kept as the first refusal.
		expect(run.nodes.Audience.error?.message).toBe(
			'4 items were refused by Batch: item 1 (id "u0"), item 2 (id "u1"), item 3 (id "u2"), item 4 (id "u3"). No request of this run was accepted by Batch. First refusal: Batch answered 400: The audience "no_such_audience" does not exist [AUDIENCE_NOT_FOUND]',
		);
		// The message is never relied upon: the chunk, then three of its ids alone (u0, u2, u3), then
		// the rest (u1) once; all refused, so nothing is split further.
		const updates = sandbox.requests().map((r) => [r.route, r.status, r.ids]);
		expect(updates).toEqual([
			['update', 400, 4],
			['update', 400, 1],
			['update', 400, 1],
			['update', 400, 1],
			['update', 400, 1],
		]);
		const extraRequests = updates.length - 1;
		expect(extraRequests).toBe(PROBES + 1);
		expect(extraRequests).toBe(splitRetryBound(4, 4));
		expect(run.nodes.Audience.error?.description).toContain(`Extra requests sent to isolate them: ${extraRequests}.`);
	});
});

describe('list walks that would never end', () => {
	let server: LoopbackServer | undefined;
	afterEach(async () => await server?.close());

	it('Batch Get Many: a cursor given twice stops the walk with a clear error', async () => {
		let page = 0;
		server = await startLoopbackServer({
			answer: () => {
				page++;
				// Pages 1, 2, 3 ... each with a new audience, but the cursor never moves on after page 2.
				return { audiences: [{ name: `a${page}` }], has_more: true, next_from: page === 1 ? 'c1' : 'c2' };
			},
		});
		const run = await runWorkflow(
			itemsWorkflow([{}], [audienceNode({ resource: 'batch', operation: 'getMany', returnAll: true })]),
			batchCredentials(server.url),
		);
		expect(run.status).toBe('error');
		expect(run.nodes.Audience.error?.message).toBe('The Batch audience list stopped after 3 pages: the API gave the cursor c2 twice');
		expect(server.received).toHaveLength(3);
	});

	it('Batch Get Many: a page bringing no new audience stops the walk', async () => {
		let page = 0;
		server = await startLoopbackServer({
			answer: () => ({ audiences: [{ name: 'same' }], has_more: true, next_from: `c${++page}` }),
		});
		const run = await runWorkflow(
			itemsWorkflow([{}], [audienceNode({ resource: 'batch', operation: 'getMany', returnAll: true })]),
			batchCredentials(server.url),
		);
		expect(run.nodes.Audience.error?.message).toBe('The Batch audience list stopped after 2 pages: page 2 listed only audiences already read (next: c2)');
		expect(server.received).toHaveLength(2);
	});

	it('legacy Get Many: an ignored offset (the same full page again) stops the walk', async () => {
		server = await startLoopbackServer({
			answer: () => ({ custom_audiences: Array.from({ length: 100 }, (_, i) => ({ name: `aud_${i}` })) }),
		});
		const run = await runWorkflow(
			itemsWorkflow([{}], [audienceNode({ resource: 'batchCustomAudience', operation: 'getMany', returnAll: true })]),
			legacyCredentials(server.url),
		);
		expect(run.status).toBe('error');
		expect(run.nodes.Audience.error?.message).toBe(
			'The Batch Custom Audience list stopped after 2 pages: page 2 listed only audiences already read (next: offset 200)',
		);
		expect(server.received.map((r) => new URLSearchParams(r.query).get('from'))).toEqual(['0', '100']);
	});
});
