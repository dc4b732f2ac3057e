import { FaultConfig, Sandbox, startSandbox } from '../../sandbox';
import { batchGet, batchPost, BATCH_AUTH, call, commBox, fileForm, ids } from './helpers';

let sandbox: Sandbox;
beforeAll(async () => {
	sandbox = await startSandbox({ indexingDelayMs: 0 });
});
afterAll(() => sandbox.stop());
beforeEach(() => sandbox.reset());

/** Status of each of `count` sequential list calls; 0 when the connection was reset. */
async function statuses(count: number, request = () => batchGet(sandbox, 'list')): Promise<number[]> {
	const result: number[] = [];
	for (let i = 0; i < count; i++) result.push(await request().then((reply) => reply.status, () => 0));
	return result;
}

async function runWithFaults(config: FaultConfig, count: number): Promise<number[]> {
	sandbox.reset();
	sandbox.setFaults(config);
	return statuses(count);
}

describe('deterministic faults', () => {
	it('`after` lets the first N matching requests through, then `count` fails the next ones', async () => {
		expect(await runWithFaults({ rules: [{ route: 'list', kind: '503', after: 2, count: 3 }] }, 6)).toEqual([
			200, 200, 503, 503, 503, 200,
		]);
	});

	const mixed = (seed: number): FaultConfig => ({
		seed,
		rules: [
			{ route: 'list', kind: '429', rate: 0.15 },
			{ route: 'list', kind: '503', rate: 0.15 },
			{ route: 'list', kind: 'reset', rate: 0.1 },
		],
	});

	it('the same seed gives the same status sequence; another seed differs', async () => {
		const first = await runWithFaults(mixed(42), 60);
		const second = await runWithFaults(mixed(42), 60);
		const other = await runWithFaults(mixed(7), 60);
		expect(second).toEqual(first);
		expect(other).not.toEqual(first);
		expect(new Set(first)).toEqual(new Set([200, 429, 503, 0]));
	});

	it('rates of several rules add up (30% split across 429/503/reset)', async () => {
		const sequence = await runWithFaults(
			{
				seed: 3,
				rules: [
					{ route: 'list', kind: '429', rate: 0.1 },
					{ route: 'list', kind: '503', rate: 0.1 },
					{ route: 'list', kind: 'reset', rate: 0.1 },
				],
			},
			300,
		);
		const failed = sequence.filter((status) => status !== 200).length;
		expect(failed).toBeGreaterThan(60);
		expect(failed).toBeLessThan(120);
	});

	it('the fault seed defaults to the sandbox seed', async () => {
		const seeded = await startSandbox({ indexingDelayMs: 0, seed: 99 });
		try {
			const rules: FaultConfig['rules'] = [{ kind: '500', rate: 0.5 }];
			seeded.setFaults({ rules });
			const withDefault = await statuses(30, () => batchGet(seeded, 'list'));
			seeded.setFaults({ seed: 99, rules });
			const withExplicit = await statuses(30, () => batchGet(seeded, 'list'));
			expect(withDefault).toEqual(withExplicit);
		} finally {
			await seeded.stop();
		}
	});

	it('count fails only the next N matching requests', async () => {
		sandbox.setFaults({ rules: [{ api: 'batch', route: 'list', kind: '500', count: 2 }] });
		expect(await statuses(2, () => batchGet(sandbox, 'view', { name: 'sandbox_audience' }))).toEqual([200, 200]);
		expect(await statuses(4)).toEqual([500, 500, 200, 200]);
	});

	it('rules filter by api and route (case-insensitive)', async () => {
		sandbox.setFaults({ rules: [{ api: 'commBox', route: 'put /audiences', kind: '503' }] });
		expect((await batchGet(sandbox, 'list')).status).toBe(200);
		expect((await commBox(sandbox, 'GET', '/audiences')).status).toBe(200);
		expect((await commBox(sandbox, 'PUT', '/Audiences/1001', fileForm('phone1\n442079832100\n'))).status).toBe(503);
	});
});

describe('fault kinds', () => {
	it.each([
		['429', 429, 'TOO_MANY_REQUESTS'],
		['500', 500, 'SERVER_ERROR'],
		['503', 503, 'MAINTENANCE_ERROR'],
	] as const)('%s answers the Batch error body', async (kind, status, code) => {
		sandbox.setFaults({ rules: [{ kind, count: 1 }] });
		const reply = await batchGet(sandbox, 'list');
		expect(reply.status).toBe(status);
		expect(reply.body).toEqual({ error_code: code, error_message: expect.any(String) });
	});

	it('429 carries Retry-After (default 1 s, or as configured)', async () => {
		sandbox.setFaults({ rules: [{ kind: '429', count: 1 }, { kind: '429', count: 1, retryAfterSeconds: 7 }] });
		expect((await batchGet(sandbox, 'list')).headers.get('retry-after')).toBe('1');
		expect((await batchGet(sandbox, 'list')).headers.get('retry-after')).toBe('7');
		expect((await batchGet(sandbox, 'list')).headers.get('retry-after')).toBeNull();
	});

	it('reset closes the socket without a response', async () => {
		sandbox.setFaults({ rules: [{ kind: 'reset', count: 1 }] });
		await expect(fetch(`${sandbox.url}/2.11/audiences/list`, { headers: BATCH_AUTH })).rejects.toThrow();
		expect((await batchGet(sandbox, 'list')).status).toBe(200);
		expect(sandbox.requests()[0]).toMatchObject({ status: 0, fault: 'reset', route: 'list' });
	});

	it('latency delays, then processes normally', async () => {
		sandbox.setFaults({ rules: [{ route: 'view', kind: 'latency', latencyMs: 150 }] });
		const started = Date.now();
		const reply = await batchGet(sandbox, 'view', { name: 'sandbox_audience' });
		expect(reply.status).toBe(200);
		expect(Date.now() - started).toBeGreaterThanOrEqual(140);
		expect(sandbox.requests()[0]).toMatchObject({ status: 200, fault: 'latency:150ms' });
	});

	it('untilInFlight holds requests until that many are in flight; the log says how many were', async () => {
		sandbox.setFaults({ rules: [{ route: 'list', kind: 'latency', latencyMs: 30_000, untilInFlight: 3 }] });
		// Held for 30 s each if they came one by one; together they are released at once.
		const replies = await Promise.all([1, 2, 3].map(() => batchGet(sandbox, 'list')));
		expect(replies.map((reply) => reply.status)).toEqual([200, 200, 200]);
		expect(sandbox.requests().map((entry) => entry.inFlight).sort()).toEqual([1, 2, 3]);
		expect(sandbox.requests()[0].fault).toBe('latency:30000ms or 3 in flight');
		// Counted out before the reply: the next request finds nothing else in flight.
		sandbox.setFaults({ rules: [] });
		await batchGet(sandbox, 'list');
		expect(sandbox.requests()[3].inFlight).toBe(1);
	});

	it('latency combines with a failure', async () => {
		sandbox.setFaults({ rules: [{ kind: 'latency', latencyMs: 20 }, { kind: '503', count: 1 }] });
		expect((await batchGet(sandbox, 'list')).status).toBe(503);
		expect(sandbox.requests()[0].fault).toBe('latency:20ms+503');
	});

	it('a faulted write is not applied, so retrying it is safe', async () => {
		sandbox.setFaults({ rules: [{ route: 'update', kind: '500', count: 1 }, { route: 'update', kind: 'reset', count: 1 }] });
		const body = { name: 'sandbox_audience', ids: ids(3) };
		expect((await batchPost(sandbox, 'update', body)).status).toBe(500);
		await expect(batchPost(sandbox, 'update', body)).rejects.toThrow();
		expect((await batchPost(sandbox, 'update', body)).status).toBe(202);
		await sandbox.whenIdle();
		const audience = sandbox.state().batch.audiences.sandbox_audience;
		expect(audience.nb_ids).toBe(3);
		const tokens = sandbox.requests().filter((entry) => entry.status === 202);
		expect(tokens).toHaveLength(1);
	});

	it('introspection routes are never faulted', async () => {
		sandbox.setFaults({ rules: [{ kind: '500' }] });
		expect((await call(`${sandbox.url}/__sandbox/state`)).status).toBe(200);
		expect((await call(`${sandbox.url}/__sandbox/requests`)).status).toBe(200);
		expect((await batchGet(sandbox, 'list')).status).toBe(500);
	});
});

describe('fault configuration', () => {
	it.each([
		[{ rules: [{ kind: '404' }] }],
		[{ rules: [{ kind: '500', rate: 2 }] }],
		[{ rules: [{ kind: '500', count: -1 }] }],
		[{ rules: [{ kind: 'latency' }] }],
		[{ rules: [{ kind: '500', untilInFlight: 2 }] }],
		[{ rules: [{ kind: 'latency', latencyMs: 10, untilInFlight: 0.5 }] }],
		[{ rules: [{ kind: '500', api: 'stripe' }] }],
		[{ rules: [{ kind: '500', colour: 'red' }] }],
		[{ seed: 1.5, rules: [] }],
		[{}],
	])('refuses %j, in process and over HTTP (400)', async (config) => {
		expect(() => sandbox.setFaults(config as FaultConfig)).toThrow(/faults/);
		const reply = await call(`${sandbox.url}/__sandbox/faults`, { method: 'POST', body: JSON.stringify(config) });
		expect(reply.status).toBe(400);
		expect(reply.body.error).toMatch(/faults/);
	});

	it('POST /__sandbox/faults sets rules a later request hits; reset clears them', async () => {
		const config = { seed: 5, rules: [{ api: 'batch', route: 'list', kind: '503', count: 1 }] };
		const reply = await call(`${sandbox.url}/__sandbox/faults`, {
			method: 'POST',
			headers: { 'Content-Type': 'application/json' },
			body: JSON.stringify(config),
		});
		expect(reply).toMatchObject({ status: 200, body: config });
		expect((await batchGet(sandbox, 'list')).status).toBe(503);
		sandbox.setFaults({ rules: [{ kind: '500' }] });
		await call(`${sandbox.url}/__sandbox/reset`, { method: 'POST' });
		expect((await batchGet(sandbox, 'list')).status).toBe(200);
	});
});
