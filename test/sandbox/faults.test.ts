import { FaultConfig, FaultRule, Sandbox, startSandbox } from '../../sandbox';
import { batchGet, batchPost, BATCH_AUTH, call, commBox, fileForm, ids, JSON_TYPE, legacy, Reply, TOKEN_PATTERN } from './helpers';

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
		[{ rules: [{ kind: '500', errorBodyBytes: 100 }] }],
		[{ rules: [{ kind: 'hugeErrorBody', errorBodyBytes: -1 }] }],
		[{ rules: [{ kind: 'hugeErrorBody', errorBodyBytes: 1.5 }] }],
		[{ rules: [{ kind: 'hugeErrorBody', errorBodyBytes: 64 * 1024 * 1024 + 1 }] }],
		[{ rules: [{ kind: 'emptybody' }] }],
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

/** Faults that answer a processed request oddly (or not at all), and the oversized error reply. */

const SENTENCE = 'Injected fault: oversized error body.';
const updateBody = { name: 'sandbox_audience', ids: ids(3) };
const batchUpdate = () => batchPost(sandbox, 'update', updateBody);

/** Tokens are derived from the seed and start over on reset: the first write after a reset always gets this one. */
async function firstTokenAfterReset(write: () => Promise<Reply>): Promise<string> {
	const { body } = await write();
	sandbox.reset();
	return body.indexing_token;
}

function faultOnce(rule: FaultRule): void {
	sandbox.setFaults({ rules: [{ count: 1, ...rule }] });
}

function batchMembers(): string[] {
	return Object.keys(sandbox.state().batch.audiences.sandbox_audience.members);
}

function expectBodyLength(reply: Reply): void {
	expect(reply.headers.get('content-length')).toBe(String(reply.raw.length));
}

describe('processed, then the success status with an odd body', () => {
	it.each([
		['emptyBody', '', 'application/json; charset=utf-8'],
		['nullBody', 'null', 'application/json; charset=utf-8'],
		['emptyObjectBody', '{}', 'application/json; charset=utf-8'],
	] as const)('%s: a Batch update answers 202 with %j, and its token is issued and indexed', async (kind, text, contentType) => {
		const token = await firstTokenAfterReset(batchUpdate);
		faultOnce({ api: 'batch', route: 'update', kind });

		const reply = await batchUpdate();
		expect(reply.status).toBe(202);
		expect(reply.raw.toString('utf8')).toBe(text);
		expect(reply.headers.get('content-type')).toBe(contentType);
		expectBodyLength(reply);

		await sandbox.whenIdle();
		expect(batchMembers()).toEqual(['user-0', 'user-1', 'user-2']);
		const view = await batchGet(sandbox, 'view', { name: 'sandbox_audience', indexing_token: token });
		expect(view.body.indexing_state).toBe('APPLIED');
		expect(sandbox.requests()).toEqual([
			expect.objectContaining({ route: 'update', status: 202, ids: 3, fault: kind }),
			expect.objectContaining({ route: 'view', status: 200 }),
		]);
		expect(sandbox.requests()[1]).not.toHaveProperty('fault');
	});

	it('htmlBody: a Batch update answers 202 with a small HTML page', async () => {
		const token = await firstTokenAfterReset(batchUpdate);
		faultOnce({ api: 'batch', route: 'update', kind: 'htmlBody' });

		const reply = await batchUpdate();
		expect(reply.status).toBe(202);
		expect(reply.headers.get('content-type')).toBe('text/html; charset=utf-8');
		expect(reply.raw.toString('utf8')).toMatch(/^<!DOCTYPE html>\n<html>.*<\/html>\n$/s);
		expect(reply.raw.length).toBeLessThan(200);
		expectBodyLength(reply);

		await sandbox.whenIdle();
		expect(batchMembers()).toEqual(['user-0', 'user-1', 'user-2']);
		expect((await batchGet(sandbox, 'view', { name: 'sandbox_audience', indexing_token: token })).body.indexing_state).toBe('APPLIED');
		expect(sandbox.requests()[0]).toMatchObject({ route: 'update', status: 202, fault: 'htmlBody' });
	});

	it('a legacy PUT answers 201 with `null` and replaces the members', async () => {
		const put = () => legacy(sandbox, 'PUT', '/sandbox_audience', { ids: [{ id: 'a' }, { id: 'b' }] });
		const token = await firstTokenAfterReset(put);
		faultOnce({ api: 'customAudience', route: 'replace', kind: 'nullBody' });

		const reply = await put();
		expect(reply.status).toBe(201);
		expect(reply.raw.toString('utf8')).toBe('null');

		await sandbox.whenIdle();
		expect(Object.keys(sandbox.state().customAudience.audiences.sandbox_audience.members)).toEqual(['a', 'b']);
		const view = await legacy(sandbox, 'GET', `/sandbox_audience?indexing_token=${token}`);
		expect(view.body.indexing_state).toBe('APPLIED');
		expect(sandbox.requests()[0]).toMatchObject({ api: 'customAudience', route: 'replace', status: 201, ids: 2, fault: 'nullBody' });
	});

	it('a CommBox PUT answers 200 with an HTML page and replaces the rows', async () => {
		faultOnce({ api: 'commBox', route: 'PUT /Audiences', kind: 'htmlBody' });

		const reply = await commBox(sandbox, 'PUT', '/Audiences/1001', fileForm('phone1\n442079832100\n'));
		expect(reply.status).toBe(200);
		expect(reply.headers.get('content-type')).toBe('text/html; charset=utf-8');
		expect(reply.raw.toString('utf8')).toMatch(/^<!DOCTYPE html>/);

		expect(sandbox.state().commBox.audiences['1001'].rows).toEqual([{ phone1: '442079832100' }]);
		expect(sandbox.requests()[0]).toMatchObject({ route: 'PUT /Audiences', status: 200, ids: 1, fault: 'htmlBody' });
	});

	it('an error reply is sent as it is, with the fault in the log', async () => {
		faultOnce({ api: 'batch', route: 'update', kind: 'emptyBody' });

		const reply = await batchPost(sandbox, 'update', { name: 'no_such_audience', ids: ids(1) });
		expect(reply.status).toBe(400);
		expect(reply.body).toEqual({ error_code: 'AUDIENCE_NOT_FOUND', error_message: 'The audience "no_such_audience" does not exist' });
		expect(sandbox.requests()[0]).toMatchObject({ status: 400, fault: 'emptyBody' });
	});
});

describe('hugeErrorBody: not processed, a 400 with an oversized message', () => {
	it('Batch: MALFORMED_PARAMETER with a 2 MiB message by default; the write is not applied, and a retry is', async () => {
		faultOnce({ api: 'batch', route: 'update', kind: 'hugeErrorBody' });

		const reply = await batchUpdate();
		expect(reply.status).toBe(400);
		expect(Object.keys(reply.body)).toEqual(['error_code', 'error_message']);
		expect(reply.body.error_code).toBe('MALFORMED_PARAMETER');
		const message: string = reply.body.error_message;
		expect(message.startsWith(`${SENTENCE} xxx`)).toBe(true);
		expect(message).toMatch(/^[^x]+ x+$/);
		expect(message.length).toBe(2 * 1024 * 1024);
		expect(reply.raw.length).toBe(message.length + '{"error_code":"MALFORMED_PARAMETER","error_message":""}'.length);
		expectBodyLength(reply);

		await sandbox.whenIdle();
		expect(batchMembers()).toEqual([]);
		expect(sandbox.requests()[0]).toMatchObject({ route: 'update', status: 400, ids: 0, fault: 'hugeErrorBody' });

		expect((await batchUpdate()).status).toBe(202);
		await sandbox.whenIdle();
		expect(batchMembers()).toHaveLength(3);
	});

	it('legacy: its 400 / 31 envelope, padded to errorBodyBytes', async () => {
		faultOnce({ api: 'customAudience', kind: 'hugeErrorBody', errorBodyBytes: 4096 });

		const reply = await legacy(sandbox, 'PATCH', '/sandbox_audience', { ids: ids(2) });
		expect(reply.status).toBe(400);
		expect(reply.body).toEqual({ error_code: 31, error_name: 'MALFORMED_PARAMETER', error_message: expect.any(String) });
		expect(reply.body.error_message.startsWith(SENTENCE)).toBe(true);
		expect(reply.body.error_message).toHaveLength(4096);

		await sandbox.whenIdle();
		expect(sandbox.state().customAudience.audiences.sandbox_audience.nb_ids).toBe(0);
		expect(sandbox.requests()[0]).toMatchObject({ route: 'update', status: 400, fault: 'hugeErrorBody' });
	});

	it('CommBox: its 400 envelope, the message after "Bad Request - "', async () => {
		faultOnce({ api: 'commBox', kind: 'hugeErrorBody', errorBodyBytes: 1000 });

		const reply = await commBox(sandbox, 'PUT', '/Audiences/1001', fileForm('phone1\n442079832100\n'));
		expect(reply.status).toBe(400);
		expect(reply.body).toEqual({ status: 400, description: expect.any(String), response_time: expect.any(String) });
		expect(reply.body.description.startsWith(`Bad Request - ${SENTENCE} x`)).toBe(true);
		expect(reply.body.description).toHaveLength('Bad Request - '.length + 1000);

		expect(sandbox.state().commBox.audiences['1001'].rows).toEqual([]);
		expect(sandbox.requests()[0]).toMatchObject({ route: 'PUT /Audiences', status: 400, fault: 'hugeErrorBody' });
	});

	it('a size below the sentence still sends the whole sentence', async () => {
		faultOnce({ kind: 'hugeErrorBody', errorBodyBytes: 5 });
		const reply = await batchGet(sandbox, 'list');
		expect(reply).toMatchObject({ status: 400, body: { error_code: 'MALFORMED_PARAMETER', error_message: SENTENCE } });
	});
});

describe('lostResponse: processed, then the connection closed without a reply', () => {
	const replace = (members: string[]) =>
		fetch(`${sandbox.url}/2.11/audiences/replace`, {
			method: 'POST',
			headers: { ...BATCH_AUTH, ...JSON_TYPE },
			body: JSON.stringify({ name: 'sandbox_audience', ids: members.map((id) => ({ id })) }),
		});

	it('without count, every attempt is applied and none is answered', async () => {
		sandbox.setFaults({ rules: [{ api: 'batch', route: 'replace', kind: 'lostResponse' }] });
		for (const members of [['a'], ['b', 'c'], ['d', 'e', 'f']]) {
			await expect(replace(members)).rejects.toThrow();
			await sandbox.whenIdle();
			expect(batchMembers()).toEqual(members);
		}
		expect(sandbox.requests().map(({ route, status, ids, fault }) => ({ route, status, ids, fault }))).toEqual([
			{ route: 'replace', status: 0, ids: 1, fault: 'lostResponse' },
			{ route: 'replace', status: 0, ids: 2, fault: 'lostResponse' },
			{ route: 'replace', status: 0, ids: 3, fault: 'lostResponse' },
		]);
	});

	it('with count: 1, only the first attempt loses its reply', async () => {
		sandbox.setFaults({ rules: [{ api: 'batch', route: 'replace', kind: 'lostResponse', count: 1 }] });
		await expect(replace(['a'])).rejects.toThrow();
		await sandbox.whenIdle();
		expect(batchMembers()).toEqual(['a']);

		for (const members of [['b', 'c'], ['d']]) {
			const reply = await replace(members);
			expect(reply.status).toBe(202);
			expect(await reply.json()).toEqual({ indexing_token: expect.stringMatching(TOKEN_PATTERN) });
			await sandbox.whenIdle();
			expect(batchMembers()).toEqual(members);
		}
		expect(sandbox.requests().map(({ status, fault }) => [status, fault])).toEqual([
			[0, 'lostResponse'],
			[202, undefined],
			[202, undefined],
		]);
	});
});
