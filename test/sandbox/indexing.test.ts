import { Sandbox, startSandbox } from '../../sandbox';
import { batchGet, batchPost, ids, legacy } from './helpers';

let sandbox: Sandbox;
beforeAll(async () => {
	sandbox = await startSandbox({ indexingDelayMs: 0 });
});
afterAll(() => sandbox.stop());
beforeEach(() => {
	sandbox.reset();
	sandbox.configure({ indexingDelayMs: 0, inProcessState: 'IN_PROGRESS' });
});

async function tokenState(token: string, name = 'sandbox_audience'): Promise<string> {
	const reply = await batchGet(sandbox, 'view', { name, indexing_token: token });
	expect(reply.status).toBe(200);
	return reply.body.indexing_state;
}

async function update(entries: unknown[]): Promise<string> {
	const reply = await batchPost(sandbox, 'update', { name: 'sandbox_audience', ids: entries });
	expect(reply.status).toBe(202);
	return reply.body.indexing_token;
}

describe('indexing states per token', () => {
	it('IN_PROGRESS until indexed, then APPLIED; members change only once indexed', async () => {
		sandbox.setIndexingDelay(300);
		const token = await update(ids(3));
		expect(await tokenState(token)).toBe('IN_PROGRESS');
		const before = sandbox.state().batch.audiences.sandbox_audience;
		expect(before).toMatchObject({ nb_ids: 0, members: {}, indexing_state: 'IN_PROGRESS' });

		await sandbox.whenIdle();
		expect(await tokenState(token)).toBe('APPLIED');
		const after = sandbox.state().batch.audiences.sandbox_audience;
		expect(after.nb_ids).toBe(3);
		expect(Object.keys(after.members)).toEqual(['user-0', 'user-1', 'user-2']);
		expect(after.updated > before.updated).toBe(true);
	});

	it('reports IN_PROCESS when configured so (the docs disagree on the word)', async () => {
		const configured = await startSandbox({ indexingDelayMs: 300, inProcessState: 'IN_PROCESS' });
		try {
			const { body } = await batchPost(configured, 'update', { name: 'sandbox_audience', ids: ids(1) });
			const view = await batchGet(configured, 'view', { name: 'sandbox_audience', indexing_token: body.indexing_token });
			expect(view.body.indexing_state).toBe('IN_PROCESS');
			await configured.whenIdle();
			const done = await batchGet(configured, 'view', { name: 'sandbox_audience', indexing_token: body.indexing_token });
			expect(done.body.indexing_state).toBe('APPLIED');
		} finally {
			await configured.stop();
		}
	});

	it('an earlier token becomes REPLACED once a later replace is indexed', async () => {
		const applied = await update(ids(2));
		await sandbox.whenIdle();
		sandbox.setIndexingDelay(200);
		const pending = await update([{ action: 'add', id: 'late' }]);
		const replace = (await batchPost(sandbox, 'replace', { name: 'sandbox_audience', ids: [{ id: 'r1' }] })).body.indexing_token;
		expect(await tokenState(applied)).toBe('APPLIED');
		expect(await tokenState(pending)).toBe('IN_PROGRESS');
		expect(await tokenState(replace)).toBe('IN_PROGRESS');

		await sandbox.whenIdle();
		expect(await tokenState(applied)).toBe('REPLACED');
		expect(await tokenState(pending)).toBe('REPLACED');
		expect(await tokenState(replace)).toBe('APPLIED');
		expect(sandbox.state().batch.audiences.sandbox_audience.members).toEqual({ r1: {} });

		const after = await update([{ action: 'add', id: 'after' }]);
		await sandbox.whenIdle();
		expect(await tokenState(after)).toBe('APPLIED');
		expect(await tokenState(replace)).toBe('APPLIED');
	});

	it('view without a token reports the last write', async () => {
		await update(ids(1));
		await sandbox.whenIdle();
		sandbox.setIndexingDelay(300);
		await update([{ action: 'remove', id: 'user-0' }]);
		expect((await batchGet(sandbox, 'view', { name: 'sandbox_audience' })).body).toMatchObject({ indexing_state: 'IN_PROGRESS', nb_ids: 1 });
		await sandbox.whenIdle();
		expect((await batchGet(sandbox, 'view', { name: 'sandbox_audience' })).body).toMatchObject({ indexing_state: 'APPLIED', nb_ids: 0 });
	});

	it('create reports a token of its own', async () => {
		sandbox.setIndexingDelay(200);
		const { body } = await batchPost(sandbox, 'create', { name: 'fresh', type: 'custom_ids' });
		expect(await tokenState(body.indexing_token, 'fresh')).toBe('IN_PROGRESS');
		await sandbox.whenIdle();
		expect(await tokenState(body.indexing_token, 'fresh')).toBe('APPLIED');
	});
});

describe('indexing order', () => {
	it('applies writes strictly in acceptance order, even when the delay shrinks', async () => {
		sandbox.setIndexingDelay(250);
		await update([{ action: 'add', id: 'u1', attributes: { v: 1 } }]);
		sandbox.setIndexingDelay(0);
		await update([{ action: 'remove', id: 'u1' }]);
		await update([{ action: 'add', id: 'u2' }]);
		await new Promise((resolve) => setTimeout(resolve, 50));
		expect(sandbox.state().batch.audiences.sandbox_audience.nb_ids).toBe(0);
		await sandbox.whenIdle();
		expect(sandbox.state().batch.audiences.sandbox_audience.members).toEqual({ u2: {} });
	});

	it('within a request, the last action for an id wins', async () => {
		await update([
			{ action: 'add', id: 'a' },
			{ action: 'remove', id: 'a' },
			{ action: 'add', id: 'b', attributes: { v: 1 } },
			{ action: 'add', id: 'b', attributes: { w: 2 } },
			{ action: 'remove', id: 'c' },
			{ action: 'add', id: 'c' },
		]);
		await sandbox.whenIdle();
		expect(sandbox.state().batch.audiences.sandbox_audience.members).toEqual({ b: { w: 2 }, c: {} });
	});

	it('an add for an existing member replaces its attributes', async () => {
		await update([{ action: 'add', id: 'a', attributes: { x: 1, y: 2 } }]);
		await update([{ action: 'add', id: 'a', attributes: { 'date(since)': '2024-01-01T00:00:00Z' } }]);
		await update([{ action: 'add', id: 'b', attributes: { x: 1 } }]);
		await update([{ action: 'add', id: 'b' }]);
		await sandbox.whenIdle();
		expect(sandbox.state().batch.audiences.sandbox_audience.members).toEqual({
			a: { 'date(since)': '2024-01-01T00:00:00Z' },
			b: {},
		});
	});

	it('two indexed writes get distinct, increasing `updated` timestamps', async () => {
		await update(ids(1));
		await update(ids(2));
		await sandbox.whenIdle();
		const first = sandbox.state().batch.audiences.sandbox_audience.updated;
		await update(ids(1));
		await sandbox.whenIdle();
		const second = sandbox.state().batch.audiences.sandbox_audience.updated;
		expect(second > first).toBe(true);
	});

	it('reset drops pending writes', async () => {
		sandbox.setIndexingDelay(10_000);
		await update(ids(5));
		sandbox.reset();
		await sandbox.whenIdle();
		expect(sandbox.state().batch.audiences.sandbox_audience.nb_ids).toBe(0);
	});
});

describe('legacy indexing', () => {
	it('IN_PROGRESS then APPLIED; a PUT does not mark earlier tokens REPLACED (not a legacy state)', async () => {
		sandbox.setIndexingDelay(200);
		const patch = (await legacy(sandbox, 'PATCH', '/sandbox_audience', { ids: ids(2) })).body.indexing_token;
		const put = (await legacy(sandbox, 'PUT', '/sandbox_audience', { ids: [{ id: 'only' }] })).body.indexing_token;
		const view = (token: string) => legacy(sandbox, 'GET', `/sandbox_audience?indexing_token=${token}`);
		expect((await view(patch)).body.indexing_state).toBe('IN_PROGRESS');
		expect(sandbox.state().customAudience.audiences.sandbox_audience.nb_ids).toBe(0);
		await sandbox.whenIdle();
		expect((await view(patch)).body.indexing_state).toBe('APPLIED');
		expect((await view(put)).body).toMatchObject({ indexing_state: 'APPLIED', nb_ids: 1 });
	});

	it('stays IN_PROGRESS even when Batch 2.x is configured to say IN_PROCESS', async () => {
		sandbox.configure({ indexingDelayMs: 200, inProcessState: 'IN_PROCESS' });
		const { body } = await legacy(sandbox, 'PATCH', '/sandbox_audience', { ids: ids(1) });
		const view = await legacy(sandbox, 'GET', `/sandbox_audience?indexing_token=${body.indexing_token}`);
		expect(view.body.indexing_state).toBe('IN_PROGRESS');
		await sandbox.whenIdle();
	});
});
