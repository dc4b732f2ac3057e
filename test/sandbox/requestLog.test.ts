import { SANDBOX_CREDENTIALS, Sandbox, startSandbox } from '../../sandbox';
import { batchGet, batchPost, call, commBox, fileForm, ids, legacy, Reply } from './helpers';

let sandbox: Sandbox;
beforeAll(async () => {
	sandbox = await startSandbox({ indexingDelayMs: 0 });
});
afterAll(() => sandbox.stop());
beforeEach(() => sandbox.reset());

describe('request log', () => {
	it('records every request with method, path, route, status and ids count', async () => {
		await batchPost(sandbox, 'update', { name: 'sandbox_audience', ids: ids(3) });
		await batchPost(sandbox, 'update', { name: 'sandbox_audience', ids: [...ids(4), { action: 'x', id: 'y' }] });
		await batchGet(sandbox, 'view', { name: 'sandbox_audience' });
		await legacy(sandbox, 'PATCH', '/sandbox_audience', { ids: ids(2) });
		await commBox(sandbox, 'PUT', '/Audiences/1001', fileForm('phone1\n442079832100\n972501234567\n'));
		await call(`${sandbox.url}/nowhere`);

		expect(sandbox.requests()).toEqual([
			expect.objectContaining({ seq: 1, api: 'batch', method: 'POST', path: '/2.11/audiences/update', route: 'update', status: 202, ids: 3 }),
			expect.objectContaining({ seq: 2, api: 'batch', method: 'POST', route: 'update', status: 400, ids: 5 }),
			expect.objectContaining({ seq: 3, api: 'batch', method: 'GET', path: '/2.11/audiences/view?name=sandbox_audience', route: 'view', status: 200, ids: 0 }),
			expect.objectContaining({ seq: 4, api: 'customAudience', method: 'PATCH', path: '/1.0/***/custom-audience/sandbox_audience', route: 'update', status: 201, ids: 2 }),
			expect.objectContaining({ seq: 5, api: 'commBox', method: 'PUT', path: '/Audiences/1001', route: 'PUT /Audiences', status: 200, ids: 2 }),
			expect.objectContaining({ seq: 6, api: 'commBox', method: 'GET', path: '/nowhere', route: 'unknown', status: 404, ids: 0 }),
		]);
		for (const entry of sandbox.requests()) {
			expect(entry.time).toMatch(/Z$/);
			expect(entry.durationMs).toBeGreaterThanOrEqual(0);
			expect(entry).not.toHaveProperty('fault');
		}
	});

	it('is the same over HTTP, which is itself not logged; reset clears it', async () => {
		await batchGet(sandbox, 'list');
		const overHttp = await call(`${sandbox.url}/__sandbox/requests`);
		expect(overHttp.body).toEqual(sandbox.requests());
		expect(sandbox.requests()).toHaveLength(1);
		sandbox.reset();
		expect(sandbox.requests()).toEqual([]);
		await batchGet(sandbox, 'list');
		expect(sandbox.requests()[0].seq).toBe(1);
	});

	it('marks faulted requests', async () => {
		sandbox.setFaults({ rules: [{ kind: '429', count: 1 }] });
		await batchGet(sandbox, 'list');
		expect(sandbox.requests()[0]).toMatchObject({ status: 429, fault: '429' });
	});
});

describe('secrets', () => {
	it('never appear in the log, the state or any reply, whatever the client sends', async () => {
		const secrets = Object.values(SANDBOX_CREDENTIALS);
		const wrongLiveKey = 'my-real-live-api-key';
		const replies: Reply[] = [
			await batchPost(sandbox, 'update', { name: 'sandbox_audience', ids: ids(2) }),
			await batchGet(sandbox, 'list', {}, { Authorization: 'Bearer wrong', 'X-Batch-Project': 'project_sandbox' }),
			await batchGet(sandbox, 'view', { name: 'sandbox_audience', indexing_token: SANDBOX_CREDENTIALS.batchRestKey }),
			await batchGet(sandbox, 'view', { name: SANDBOX_CREDENTIALS.batchRestKey }),
			await legacy(sandbox, 'PATCH', '/sandbox_audience', { ids: ids(1) }),
			await legacy(sandbox, 'GET', '', undefined, { appKey: wrongLiveKey }),
			await legacy(sandbox, 'GET', '', undefined, { headers: { 'X-Authorization': 'wrong' } }),
			await legacy(sandbox, 'GET', `/${SANDBOX_CREDENTIALS.commBoxApiKey}`),
			await commBox(sandbox, 'PUT', '/Audiences/1001', fileForm('phone1\n442079832100\n')),
			await commBox(sandbox, 'GET', '/audiences', undefined, { Authorization: 'Bearer nope' }),
			await call(`${sandbox.url}/audiences?key=${SANDBOX_CREDENTIALS.commBoxApiKey}`),
		];
		await sandbox.whenIdle();
		const everything = JSON.stringify({ replies: replies.map((reply) => reply.body), log: sandbox.requests(), state: sandbox.state() });
		for (const secret of [...secrets, wrongLiveKey]) expect(everything).not.toContain(secret);
		expect(sandbox.requests().map((entry) => entry.path)).toContain('/1.0/***/custom-audience');
		expect(sandbox.requests().map((entry) => entry.path)).toContain('/audiences?key=***');
	});

	it('are masked by value: any app key before custom-audience, also behind a path prefix, and the keys a client sends', async () => {
		const appKey = ' my secret/key+é?&= ';
		const clientKey = 'client-rest-key-0123';
		const encoded = encodeURIComponent(appKey.trim());
		await call(`${sandbox.url}/prefix/1.1/${encoded}/custom-audience?from=0`, { headers: { 'X-Authorization': clientKey } });
		await call(`${sandbox.url}/1.1/${encoded.toLowerCase()}/custom-audience/x?echo=${encoded}`, { headers: { 'X-Authorization': clientKey } });
		await call(`${sandbox.url}/2.11/audiences/view?name=${clientKey}`, { headers: { Authorization: `Bearer ${clientKey}` } });
		await call(`${sandbox.url}/1.1/abc/custom-audience`);

		expect(sandbox.requests().map((entry) => entry.path)).toEqual([
			'/prefix/1.1/***/custom-audience?from=0',
			'/1.1/***/custom-audience/x?echo=***',
			'/2.11/audiences/view?name=***',
			'/1.1/***/custom-audience',
		]);
	});
});
