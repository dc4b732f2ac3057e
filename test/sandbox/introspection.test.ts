import { Sandbox, SANDBOX_CREDENTIALS, startSandbox } from '../../sandbox';
import { batchGet, batchPost, call, ids, legacy } from './helpers';

let sandbox: Sandbox;
beforeAll(async () => {
	sandbox = await startSandbox({ indexingDelayMs: 0 });
});
afterAll(() => sandbox.stop());
beforeEach(() => {
	sandbox.reset();
	sandbox.configure({ indexingDelayMs: 0, inProcessState: 'IN_PROGRESS', rejectIds: [], rejectIdsMessage: null });
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

// `rejectIds`, and `rejectIdsMessage`: a record-level refusal that names no record.
const MESSAGE = 'One or more ids are not valid';

const postConfig = (body: unknown) => call(`${sandbox.url}/__sandbox/config`, { method: 'POST', body: JSON.stringify(body) });
const withBad = [...ids(2), { action: 'add', id: 'bad' }];
const batchUpdateWithBad = () => batchPost(sandbox, 'update', { name: 'sandbox_audience', ids: withBad });

async function expectNothingApplied(target: Sandbox = sandbox): Promise<void> {
	await target.whenIdle();
	const state = target.state();
	expect(state.batch.audiences.sandbox_audience.nb_ids).toBe(0);
	expect(state.customAudience.audiences.sandbox_audience.nb_ids).toBe(0);
}

describe('rejectIds', () => {
	it('refuses a Batch update, legacy PATCH and PUT holding one, naming its index', async () => {
		sandbox.configure({ rejectIds: ['bad'] });
		const named = 'ids[2].id: "bad" is refused by a record-level rule';
		expect(await batchUpdateWithBad()).toMatchObject({
			status: 400,
			body: { error_code: 'MALFORMED_PARAMETER', error_message: named },
		});
		const legacyError = { error_code: 31, error_name: 'MALFORMED_PARAMETER', error_message: named };
		expect(await legacy(sandbox, 'PATCH', '/sandbox_audience', { ids: withBad })).toMatchObject({ status: 400, body: legacyError });
		const putIds = withBad.map(({ id }) => ({ id }));
		expect(await legacy(sandbox, 'PUT', '/sandbox_audience', { ids: putIds })).toMatchObject({ status: 400, body: legacyError });
		await expectNothingApplied();
		expect(sandbox.requests().map((entry) => entry.status)).toEqual([400, 400, 400]);
	});

	it('lets a write without one through', async () => {
		sandbox.configure({ rejectIds: ['bad'] });
		expect((await batchPost(sandbox, 'update', { name: 'sandbox_audience', ids: ids(2) })).status).toBe(202);
	});
});

describe('rejectIdsMessage', () => {
	it('from startSandbox: the same 400 with exactly that message, naming no record', async () => {
		const configured = await startSandbox({ indexingDelayMs: 0, rejectIds: ['bad'], rejectIdsMessage: MESSAGE });
		try {
			const batch = await batchPost(configured, 'replace', { name: 'sandbox_audience', ids: [{ id: 'ok' }, { id: 'bad' }] });
			expect(batch.status).toBe(400);
			expect(batch.raw.toString('utf8')).toBe(JSON.stringify({ error_code: 'MALFORMED_PARAMETER', error_message: MESSAGE }));
			const patch = await legacy(configured, 'PATCH', '/sandbox_audience', { ids: withBad });
			expect(patch.status).toBe(400);
			expect(patch.body).toEqual({ error_code: 31, error_name: 'MALFORMED_PARAMETER', error_message: MESSAGE });
			await expectNothingApplied(configured);
			expect(configured.requests().map(({ route, status }) => [route, status])).toEqual([
				['replace', 400],
				['update', 400],
			]);
		} finally {
			await configured.stop();
		}
	});

	it('over POST /__sandbox/config: answered back, kept across resets, cleared by null', async () => {
		const set = await postConfig({ rejectIds: ['bad'], rejectIdsMessage: MESSAGE });
		expect(set).toMatchObject({ status: 200, body: { rejectIds: ['bad'], rejectIdsMessage: MESSAGE } });
		await call(`${sandbox.url}/__sandbox/reset`, { method: 'POST' });
		expect((await batchUpdateWithBad()).body).toEqual({ error_code: 'MALFORMED_PARAMETER', error_message: MESSAGE });

		const cleared = await postConfig({ rejectIdsMessage: null });
		expect(cleared).toMatchObject({ status: 200, body: { rejectIds: ['bad'], rejectIdsMessage: null } });
		expect((await batchUpdateWithBad()).body.error_message).toBe('ids[2].id: "bad" is refused by a record-level rule');
		await expectNothingApplied();
	});

	it('an empty string clears it too; a config that leaves it out keeps it', () => {
		sandbox.configure({ rejectIdsMessage: MESSAGE });
		sandbox.configure({ rejectIds: ['bad'] });
		expect(sandbox.configure({ indexingDelayMs: 0 })).toMatchObject({ rejectIds: ['bad'], rejectIdsMessage: MESSAGE });
		expect(sandbox.configure({ rejectIdsMessage: '' })).toMatchObject({ rejectIdsMessage: null });
	});

	it('refuses nothing by itself', async () => {
		sandbox.configure({ rejectIdsMessage: MESSAGE });
		expect((await batchUpdateWithBad()).status).toBe(202);
	});

	it.each([[5], [['x']], [{ text: 'x' }]])('refuses rejectIdsMessage %j, in process and over HTTP (400)', async (value) => {
		const config = { rejectIdsMessage: value } as unknown as { rejectIdsMessage: string };
		expect(() => sandbox.configure(config)).toThrow('config: rejectIdsMessage must be a string or null');
		await expect(startSandbox(config)).rejects.toThrow(/rejectIdsMessage/);
		const reply = await postConfig(config);
		expect(reply).toMatchObject({ status: 400, body: { error: 'config: rejectIdsMessage must be a string or null' } });
	});
});
