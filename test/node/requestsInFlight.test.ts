/**
 * "Requests in Flight": an update's requests go out concurrently, never more than the option
 * allows, one at a time after a 429, and a failure still ends with an exact statement. The sandbox
 * holds requests until the expected number is in flight, so no assertion depends on timing.
 */
import type { IDataObject, INodeParameters } from 'n8n-workflow';
import { type Sandbox, SANDBOX_CREDENTIALS, startSandbox } from '../../sandbox';
import { AUDIENCE, itemsWorkflow, runWorkflow } from './harness';

let sandbox: Sandbox;
beforeAll(async () => {
	sandbox = await startSandbox({ indexingDelayMs: 0, port: 0 });
});
afterAll(async () => await sandbox.stop());
beforeEach(() => sandbox.reset());

const AUDIENCE_NAME = 'sandbox_audience';
const credentials = () => ({
	batchApi: { restApiKey: SANDBOX_CREDENTIALS.batchRestKey, projectKey: SANDBOX_CREDENTIALS.batchProjectKey, baseUrl: sandbox.url, apiVersion: '2.11' },
});
/** 80 items in 8 requests of 10. */
const items = Array.from({ length: 80 }, (_, i) => ({ id: `u${i}` }));

async function update(options: IDataObject) {
	const parameters = { resource: 'batch', operation: 'update', audience: { __rl: true, mode: 'name', value: AUDIENCE_NAME }, options: { batchSize: 10, ...options } };
	return await runWorkflow(itemsWorkflow(items, [{ name: 'Audience', type: AUDIENCE, parameters: parameters as INodeParameters }]), credentials());
}
const updates = () => sandbox.requests().filter((request) => request.route === 'update');
const holdUntil = (inFlight: number, count?: number) => ({ api: 'batch' as const, route: 'update', kind: 'latency' as const, latencyMs: 30_000, untilInFlight: inFlight, count });

describe('Requests in Flight', () => {
	it('sends up to 4 requests at once by default; outputs follow the plan, each paired to its 10 items', async () => {
		// Each request is held until 4 are in flight: sent one by one, they would wait 30 s each.
		sandbox.setFaults({ rules: [holdUntil(4, 4)] });
		const run = await update({});

		expect(run.status).toBe('success');
		expect(updates().map((request) => request.status)).toEqual(Array(8).fill(202));
		expect(Math.max(...updates().map((request) => request.inFlight))).toBe(4);
		const output = run.nodes.Audience.outputs[0];
		expect(output.map((item) => item.json.request)).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
		output.forEach((item, k) => expect(item.pairedItem).toEqual(Array.from({ length: 10 }, (_, i) => ({ item: k * 10 + i }))));
		await sandbox.whenIdle();
		expect(sandbox.state().batch.audiences[AUDIENCE_NAME].nb_ids).toBe(80);
	});

	it('never has more in flight than the option allows (1: one at a time)', async () => {
		const run = await update({ requestsInFlight: 1 });

		expect(run.status).toBe('success');
		expect(updates().map((request) => [request.status, request.inFlight])).toEqual(Array(8).fill([202, 1]));
	});

	it('after a 429, sends the rest one at a time and loses nothing', async () => {
		// The first 4 are held together, then each is answered 429 (Retry-After 1 s): every request
		// launched after that finds nothing else in flight.
		sandbox.setFaults({ rules: [holdUntil(4, 4), { api: 'batch', route: 'update', kind: '429', count: 4 }] });
		const run = await update({});

		expect(run.status).toBe('success');
		expect(updates().map((request) => request.status).sort()).toEqual([...Array(4).fill(429), ...Array(8).fill(202)].sort());
		// Arrival order: 4 rejected, their 4 retries (in any order), then the last 4 requests alone.
		expect(updates().slice(-4).map((request) => request.inFlight)).toEqual([1, 1, 1, 1]);
		await sandbox.whenIdle();
		expect(sandbox.state().batch.audiences[AUDIENCE_NAME].nb_ids).toBe(80);
	});

	it('a request failing for good (503, outcome unknown): what is in flight finishes, and the statement names every accepted token', async () => {
		// The 3rd request to arrive fails with 503 and no retry; which chunk that is depends on arrival.
		sandbox.setFaults({ rules: [holdUntil(4, 4), { api: 'batch', route: 'update', kind: '503', after: 2, count: 1 }] });
		const run = await update({ maxRetries: 0 });

		expect(run.status).toBe('error');
		const accepted = updates().filter((request) => request.status === 202);
		const message = String(run.nodes.Audience.error?.message);
		const description = String(run.nodes.Audience.error?.description);
		// A 5xx after the last retry may have been applied: its outcome is unknown, never "failed" nor "not sent".
		const headline = /^Request ([1-8]) of 8 to audience "sandbox_audience" has an unknown outcome \(it may have been applied\): Batch answered 503: /.exec(message);
		expect(headline).not.toBeNull();
		const unknown = Number(headline?.[1]);
		// The accepted requests, by their number in the plan (each carries items 10·(n-1)+1 .. 10·n, counted from 1).
		const acceptedNumbers = [...description.matchAll(/^request ([1-8]) of 8: audience "sandbox_audience", 10 ids \(update\), token [0-9a-f]{32}$/gm)].map((m) => Number(m[1]));
		expect(acceptedNumbers).toHaveLength(accepted.length);
		expect(acceptedNumbers).not.toContain(unknown);
		const notSent = [1, 2, 3, 4, 5, 6, 7, 8].filter((n) => n !== unknown && !acceptedNumbers.includes(n));
		const holding = [
			`Audience "sandbox_audience": items ${itemRanges(acceptedNumbers)} (${accepted.length * 10} ids) accepted`,
			`items ${itemRanges([unknown])} (10 ids) outcome unknown (may have been applied)`,
			...(notSent.length ? [`items ${itemRanges(notSent)} (${notSent.length * 10} ids) not sent`] : []),
		].join('; ');
		expect(message).toContain(`[MAINTENANCE_ERROR]. ${holding}. ${accepted.length} of 8 requests were accepted: `);
		expect(message).toContain(
			`The outcome of 1 request is unknown: request ${unknown} of 8 (audience "sandbox_audience", 10 ids) may have been applied. Running the workflow again is safe`,
		);
		expect(message).not.toMatch(/unchanged|No request of this run was accepted/);
		// Nothing new after the failure: at most the 3 others in flight with it were accepted.
		expect(updates()).toHaveLength(accepted.length + 1);
		expect(accepted.length).toBeLessThanOrEqual(7);
		await sandbox.whenIdle();
		// The sandbox did not process the 503: only the accepted requests were applied.
		expect(sandbox.state().batch.audiences[AUDIENCE_NAME].nb_ids).toBe(accepted.length * 10);
		expect(description.match(/token [0-9a-f]{32}/g)).toHaveLength(accepted.length);
	});
});

/** The item ranges of requests `numbers` (1-based, 10 items each), as the statement writes them (items counted from 1): `1-20, 31-40`. */
function itemRanges(numbers: number[]): string {
	const sorted = [...numbers].sort((a, b) => a - b);
	const ranges: string[] = [];
	for (let i = 0; i < sorted.length; ) {
		let j = i;
		while (j + 1 < sorted.length && sorted[j + 1] === sorted[j] + 1) j++;
		ranges.push(`${(sorted[i] - 1) * 10 + 1}-${sorted[j] * 10}`);
		i = j + 1;
	}
	return ranges.join(', ');
}
