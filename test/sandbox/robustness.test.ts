import { request } from 'node:http';
import { connect } from 'node:net';
import { networkInterfaces } from 'node:os';
import { Sandbox, startSandbox } from '../../sandbox';
import { batchGet, batchPost, BATCH_AUTH, call, commBox, ids, JSON_TYPE, legacy } from './helpers';

let sandbox: Sandbox;
beforeAll(async () => {
	sandbox = await startSandbox({ indexingDelayMs: 0 });
});
afterAll(() => sandbox.stop());
beforeEach(() => sandbox.reset());

async function expectStillServing(): Promise<void> {
	expect((await batchGet(sandbox, 'list')).status).toBe(200);
}

function port(): number {
	return Number(new URL(sandbox.url).port);
}

/** Sends raw bytes and resolves with whatever comes back before the server closes the socket. */
function rawExchange(bytes: string): Promise<string> {
	return new Promise((resolve, reject) => {
		const socket = connect(port(), '127.0.0.1', () => socket.end(bytes));
		let received = '';
		socket.on('data', (chunk) => (received += chunk.toString('latin1')));
		socket.on('close', () => resolve(received));
		socket.on('error', reject);
	});
}

it('survives garbage that is not HTTP', async () => {
	expect(await rawExchange('GARBAGE \u0000\u0001\r\n\r\n')).toMatch(/^HTTP\/1\.1 400/);
	await expectStillServing();
});

it('survives huge headers (Node answers 431)', async () => {
	const reply = await fetch(`${sandbox.url}/2.11/audiences/list`, { headers: { ...BATCH_AUTH, 'X-Padding': 'x'.repeat(100_000) } });
	expect(reply.status).toBe(431);
	await expectStillServing();
});

it('survives a client that hangs up in the middle of a body', async () => {
	await new Promise<void>((resolve) => {
		const req = request({
			host: '127.0.0.1',
			port: port(),
			method: 'POST',
			path: '/2.11/audiences/update',
			headers: { ...BATCH_AUTH, ...JSON_TYPE, 'Content-Length': '100000' },
		});
		req.on('error', () => resolve());
		req.write('{"name":"sandbox_audience","ids":[');
		setTimeout(() => req.destroy(), 50);
	});
	await expectStillServing();
	await new Promise((resolve) => setTimeout(resolve, 20));
	expect(sandbox.requests().find((entry) => entry.route === 'update')).toMatchObject({ status: 0 });
});

it.each([
	['a truncated JSON body', '{"name":"sandbox_audience","ids":[{"action":"ad'],
	['deeply nested JSON', `${'['.repeat(200_000)}${']'.repeat(200_000)}`],
	['a JSON null', 'null'],
	['invalid UTF-8', Buffer.from([0x7b, 0xff, 0xfe, 0x7d]).toString('latin1')],
])('answers %s with MALFORMED_JSON_BODY', async (_, body) => {
	const reply = await batchPost(sandbox, 'update', body);
	expect(reply.status).toBe(400);
	expect(reply.body.error_code).toBe('MALFORMED_JSON_BODY');
});

it('refuses a body over 50 MB with a 400', async () => {
	const reply = await batchPost(sandbox, 'update', `{"name":"${'x'.repeat(51 * 1024 * 1024)}"}`);
	expect(reply.status).toBe(400);
	expect(reply.body).toEqual({ error_code: 'MALFORMED_PARAMETER', error_message: 'the request body is larger than 50 MB' });
	await expectStillServing();
});

it('answers bad percent-encoding with each API\'s own 400', async () => {
	expect((await commBox(sandbox, 'PUT', '/Audiences/%E0%A4%A')).status).toBe(400);
	expect((await legacy(sandbox, 'DELETE', '/%ZZ')).body.error_code).toBe(31);
	expect((await call(`${sandbox.url}/2.11/audiences/view?name=%ZZ&limit=%`, { headers: BATCH_AUTH })).status).toBe(400);
});

it.each([
	['a double slash', '//2.11/audiences/list'],
	['a dot segment', '/..'],
	['a NUL byte', '/%00'],
	['an encoded slash', '/2.11%2Faudiences%2Flist'],
	['2,000 segments', `/${'a/'.repeat(2000)}`],
])(
	'answers a path with %s with a 404',
	async (_, path) => {
		expect((await call(`${sandbox.url}${path}`, { headers: BATCH_AUTH })).status).toBe(404);
	},
);

it('answers unknown methods', async () => {
	expect((await call(`${sandbox.url}/2.11/audiences/list`, { method: 'PROPFIND', headers: BATCH_AUTH })).status).toBe(405);
	expect((await call(`${sandbox.url}/audiences`, { method: 'PATCH' })).status).toBe(405);
});

it('handles concurrent writes to the same audience', async () => {
	const replies = await Promise.all(
		Array.from({ length: 40 }, (_, batch) =>
			batchPost(sandbox, 'update', { name: 'sandbox_audience', ids: ids(25).map((entry) => ({ ...entry, id: `${batch}-${entry.id}` })) }),
		),
	);
	expect(replies.every((reply) => reply.status === 202)).toBe(true);
	expect(new Set(replies.map((reply) => reply.body.indexing_token)).size).toBe(40);
	await sandbox.whenIdle();
	expect(sandbox.state().batch.audiences.sandbox_audience.nb_ids).toBe(1000);
});

it('listens on loopback only', async () => {
	const external = Object.values(networkInterfaces())
		.flat()
		.find((address) => address && address.family === 'IPv4' && !address.internal);
	if (!external) return;
	await expect(fetch(`http://${external.address}:${port()}/audiences`)).rejects.toThrow();
});
