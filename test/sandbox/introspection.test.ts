import { Sandbox, SANDBOX_CREDENTIALS, startSandbox } from '../../sandbox';
import { batchGet, batchPost, call, ids } from './helpers';

let sandbox: Sandbox;
beforeAll(async () => {
	sandbox = await startSandbox({ indexingDelayMs: 0 });
});
afterAll(() => sandbox.stop());
beforeEach(() => {
	sandbox.reset();
	sandbox.configure({ indexingDelayMs: 0, inProcessState: 'IN_PROGRESS' });
});

const post = (path: string, body?: unknown) =>
	call(`${sandbox.url}/__sandbox/${path}`, { method: 'POST', body: body === undefined ? undefined : JSON.stringify(body) });

describe('the sandbox handle', () => {
	it('listens on 127.0.0.1 and exposes the credentials', () => {
		expect(sandbox.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
		expect(sandbox.credentials).toEqual(SANDBOX_CREDENTIALS);
		expect(SANDBOX_CREDENTIALS).toEqual({
			batchRestKey: 'sandbox-rest-key',
			batchProjectKey: 'project_sandbox',
			customAudienceAppKey: 'sandbox-app-key',
			commBoxApiKey: 'sandbox-commbox-key',
		});
	});

	it('starts from the seed data', () => {
		const state = sandbox.state();
		expect(state.batch.audiences).toEqual({
			sandbox_audience: expect.objectContaining({ name: 'sandbox_audience', type: 'CUSTOM_ID', nb_ids: 0, indexing_state: 'APPLIED', members: {} }),
		});
		expect(state.customAudience.audiences).toEqual({
			sandbox_audience: expect.objectContaining({ name: 'sandbox_audience', type: 'custom_ids', nb_ids: 0, members: {} }),
		});
		expect(state.commBox.audiences).toEqual({
			'1001': expect.objectContaining({ id: '1001', name: 'sandbox_static', type: 'Static', user_count: 0, columns: [], rows: [] }),
			'1002': expect.objectContaining({ id: '1002', name: 'sandbox_dynamic', type: 'Dynamic', rows: [] }),
		});
		expect(state.commBox.audiences['1002']).not.toHaveProperty('user_count');
	});

	it('refuses invalid options', async () => {
		await expect(startSandbox({ port: -1 })).rejects.toThrow(/port/);
		await expect(startSandbox({ indexingDelayMs: -5 })).rejects.toThrow(/indexingDelayMs/);
		await expect(startSandbox({ seed: 0.5 })).rejects.toThrow(/seed/);
		expect(() => sandbox.setIndexingDelay(-1)).toThrow(/indexingDelayMs/);
	});

	it('stop() closes the port and can be called twice', async () => {
		const other = await startSandbox();
		await other.stop();
		await other.stop();
		await expect(fetch(`${other.url}/audiences`)).rejects.toThrow();
	});
});

describe('/__sandbox routes', () => {
	it('GET /__sandbox/state is the snapshot', async () => {
		await batchPost(sandbox, 'update', { name: 'sandbox_audience', ids: ids(2) });
		await sandbox.whenIdle();
		const reply = await call(`${sandbox.url}/__sandbox/state`);
		expect(reply.status).toBe(200);
		expect(reply.body).toEqual(sandbox.state());
		expect(reply.body.batch.audiences.sandbox_audience.nb_ids).toBe(2);
	});

	it('POST /__sandbox/reset restores the seed data', async () => {
		await batchPost(sandbox, 'create', { name: 'extra', type: 'custom_ids' });
		const reply = await post('reset');
		expect(reply).toMatchObject({ status: 200, body: { reset: true } });
		expect(Object.keys(sandbox.state().batch.audiences)).toEqual(['sandbox_audience']);
		expect(sandbox.requests()).toEqual([]);
	});

	it('POST /__sandbox/config sets the delay and the pending word', async () => {
		const reply = await post('config', { indexingDelayMs: 300, inProcessState: 'IN_PROCESS' });
		expect(reply).toMatchObject({ status: 200, body: { indexingDelayMs: 300, inProcessState: 'IN_PROCESS' } });
		const { body } = await batchPost(sandbox, 'update', { name: 'sandbox_audience', ids: ids(1) });
		const view = await batchGet(sandbox, 'view', { name: 'sandbox_audience', indexing_token: body.indexing_token });
		expect(view.body.indexing_state).toBe('IN_PROCESS');

		const idle = await call(`${sandbox.url}/__sandbox/idle`);
		expect(idle).toMatchObject({ status: 200, body: { idle: true } });
		expect(sandbox.state().batch.audiences.sandbox_audience.nb_ids).toBe(1);
	});

	it.each([[{ indexingDelayMs: -1 }], [{ inProcessState: 'DONE' }], [{ delay: 5 }], [[]]])('refuses the config %j (400)', async (config) => {
		const reply = await post('config', config);
		expect(reply.status).toBe(400);
		expect(reply.body.error).toMatch(/config|JSON object/);
	});

	it('refuses a body that is not JSON (400) and unknown routes (404)', async () => {
		expect((await post('faults', undefined)).status).toBe(400);
		expect((await call(`${sandbox.url}/__sandbox/nothing`)).status).toBe(404);
		expect((await call(`${sandbox.url}/__sandbox/state`, { method: 'DELETE' })).status).toBe(404);
	});
});
