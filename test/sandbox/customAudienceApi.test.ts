import { Sandbox, startSandbox } from '../../sandbox';
import { call, ids, legacy, LEGACY_AUTH, TOKEN_PATTERN } from './helpers';

let sandbox: Sandbox;
beforeAll(async () => {
	sandbox = await startSandbox({ indexingDelayMs: 0 });
});
afterAll(() => sandbox.stop());
beforeEach(() => {
	sandbox.reset();
	sandbox.setIndexingDelay(0);
});

const NO_TIMEZONE = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d{3})?$/;

function expectError(reply: { status: number; body: unknown }, status: number, code: number, name: string): void {
	expect(reply.status).toBe(status);
	expect(reply.body).toEqual({ error_code: code, error_name: name, error_message: expect.any(String) });
}

describe('legacy authentication', () => {
	it.each([
		['no X-Authorization', {}],
		['a wrong X-Authorization', { 'X-Authorization': 'wrong' }],
		['a Bearer header instead', { 'X-Authorization': '', Authorization: 'Bearer sandbox-rest-key' }],
	])('refuses %s with 401 / 10 AUTHENTICATION_INVALID', async (_, headers) => {
		const reply = await call(`${sandbox.url}/1.0/sandbox-app-key/custom-audience`, { headers });
		expectError(reply, 401, 10, 'AUTHENTICATION_INVALID');
	});

	it('refuses an unknown app key in the path with 403 / 12 API_MISUSE, without echoing it', async () => {
		const reply = await legacy(sandbox, 'GET', '', undefined, { appKey: 'my-live-key-123' });
		expectError(reply, 403, 12, 'API_MISUSE');
		expect(JSON.stringify(reply.body)).not.toContain('my-live-key-123');
	});
});

describe('legacy routes (404 / 20 ROUTE_NOT_FOUND)', () => {
	it.each([
		['GET', '/1.2/sandbox-app-key/custom-audience'],
		['GET', '/1.1/sandbox-app-key/custom-audiences'],
		['GET', '/1.1/sandbox-app-key/custom-audience/a/b'],
		['POST', '/1.1/sandbox-app-key/custom-audience'],
		['PATCH', '/1.1/sandbox-app-key/custom-audience'],
		['HEAD', '/1.1/sandbox-app-key/custom-audience/sandbox_audience'],
	])('%s %s', async (method, path) => {
		const reply = await call(`${sandbox.url}${path}`, { method, headers: LEGACY_AUTH });
		expect(reply.status).toBe(404);
		if (method !== 'HEAD') expectError(reply, 404, 20, 'ROUTE_NOT_FOUND');
	});

	it.each([
		['PATCH', { ids: ids(1) }],
		['GET', undefined],
		['DELETE', undefined],
	])('%s on an unknown audience', async (method, body) => {
		expectError(await legacy(sandbox, method, '/nope', body), 404, 20, 'ROUTE_NOT_FOUND');
	});
});

describe('legacy validation', () => {
	it.each([
		['ids missing', 'PATCH', '/sandbox_audience', {}, 30, 'MISSING_PARAMETER'],
		['action missing', 'PATCH', '/sandbox_audience', { ids: [{ id: 'a' }] }, 30, 'MISSING_PARAMETER'],
		['type missing on create', 'POST', '/new_one', { description: 'd' }, 30, 'MISSING_PARAMETER'],
		['an invalid name', 'PATCH', '/bad%20name', { ids: ids(1) }, 31, 'MALFORMED_PARAMETER'],
		['a 256-character name', 'POST', `/${'n'.repeat(256)}`, { type: 'custom_ids' }, 31, 'MALFORMED_PARAMETER'],
		['bad percent-encoding', 'GET', '/%E0%A4%A', undefined, 31, 'MALFORMED_PARAMETER'],
		['a type 1.0 does not take', 'POST', '/new_one', { type: 'install_ids' }, 31, 'MALFORMED_PARAMETER'],
		['an unknown top-level field', 'PATCH', '/sandbox_audience', { ids: ids(1), name: 'x' }, 31, 'MALFORMED_PARAMETER'],
		['an existing audience on create', 'POST', '/sandbox_audience', { type: 'custom_ids' }, 31, 'MALFORMED_PARAMETER'],
		['an empty tag', 'PATCH', '/sandbox_audience', { ids: [{ action: 'add', id: 'a', tags: [''] }] }, 31, 'MALFORMED_PARAMETER'],
		['a 65-character tag', 'PATCH', '/sandbox_audience', { ids: [{ action: 'add', id: 'a', tags: ['t'.repeat(65)] }] }, 31, 'MALFORMED_PARAMETER'],
		['tags not an array', 'PATCH', '/sandbox_audience', { ids: [{ action: 'add', id: 'a', tags: 'vip' }] }, 31, 'MALFORMED_PARAMETER'],
		['tags with remove', 'PATCH', '/sandbox_audience', { ids: [{ action: 'remove', id: 'a', tags: ['x'] }] }, 31, 'MALFORMED_PARAMETER'],
		['16 attributes', 'PATCH', '/sandbox_audience', { ids: [{ action: 'add', id: 'a', attributes: Object.fromEntries(Array.from({ length: 16 }, (_, i) => [`k${i}`, i])) }] }, 31, 'MALFORMED_PARAMETER'],
		['10,001 ids', 'PUT', '/sandbox_audience', { ids: ids(10_001).map(({ id }) => ({ id })) }, 31, 'MALFORMED_PARAMETER'],
		['an action on PUT', 'PUT', '/sandbox_audience', { ids: [{ action: 'add', id: 'a' }] }, 31, 'MALFORMED_PARAMETER'],
		['invalid JSON', 'PATCH', '/sandbox_audience', '{"ids": [', 32, 'MALFORMED_JSON_BODY'],
		['a JSON array', 'PATCH', '/sandbox_audience', '[]', 32, 'MALFORMED_JSON_BODY'],
	])('refuses %s', async (_, method, suffix, body, code, name) => {
		expectError(await legacy(sandbox, method, suffix, body), 400, code, name);
	});

	it('refuses a body that is not application/json with 400 / 32', async () => {
		const reply = await legacy(sandbox, 'PATCH', '/sandbox_audience', JSON.stringify({ ids: ids(1) }), {
			headers: { 'Content-Type': 'text/plain' },
		});
		expectError(reply, 400, 32, 'MALFORMED_JSON_BODY');
	});

	it('names the offending index', async () => {
		const reply = await legacy(sandbox, 'PATCH', '/sandbox_audience', {
			ids: [...ids(7), { action: 'add', id: 'x', attributes: { 'url(u)': 'nope' } }],
		});
		expect(reply.body.error_message).toContain('ids[7].attributes.url(u)');
	});

	it('1.1 takes install_ids only', async () => {
		expect((await legacy(sandbox, 'POST', '/installs', { type: 'install_ids' }, { version: '1.1' })).status).toBe(201);
		const refused = await legacy(sandbox, 'POST', '/customs', { type: 'custom_ids' }, { version: '1.1' });
		expectError(refused, 400, 31, 'MALFORMED_PARAMETER');
	});
});

describe('legacy writes', () => {
	it('PATCH adds members with attributes and tags (201 + token), applied once indexed', async () => {
		const reply = await legacy(sandbox, 'PATCH', '/sandbox_audience', {
			type: 'custom_ids',
			ids: [
				{ action: 'add', id: 'a', attributes: { 'date(att15)': '2012-08-12T22:30:05' }, tags: ['v1', 'v2'] },
				{ action: 'add', id: 'b' },
				{ action: 'remove', id: 'c' },
			],
		});
		expect(reply.status).toBe(201);
		expect(reply.body).toEqual({ indexing_token: expect.stringMatching(TOKEN_PATTERN) });
		await sandbox.whenIdle();
		expect(sandbox.state().customAudience.audiences.sandbox_audience.members).toEqual({
			a: { attributes: { 'date(att15)': '2012-08-12T22:30:05' }, tags: ['v1', 'v2'] },
			b: { attributes: {}, tags: [] },
		});
	});

	it('an add for an existing member replaces its attributes and tags', async () => {
		await legacy(sandbox, 'PATCH', '/sandbox_audience', { ids: [{ action: 'add', id: 'a', attributes: { x: 1, y: 2 }, tags: ['t'] }] });
		await legacy(sandbox, 'PATCH', '/sandbox_audience', { ids: [{ action: 'add', id: 'a', attributes: { z: 3 } }] });
		await sandbox.whenIdle();
		expect(sandbox.state().customAudience.audiences.sandbox_audience.members.a).toEqual({ attributes: { z: 3 }, tags: [] });
	});

	it('PUT replaces every member (201)', async () => {
		await legacy(sandbox, 'PATCH', '/sandbox_audience', { ids: ids(5) });
		const reply = await legacy(sandbox, 'PUT', '/sandbox_audience', { ids: [{ id: 'only', tags: ['x'] }] });
		expect(reply.status).toBe(201);
		await sandbox.whenIdle();
		expect(sandbox.state().customAudience.audiences.sandbox_audience.members).toEqual({
			only: { attributes: {}, tags: ['x'] },
		});
	});

	it('PUT creates an absent audience with the version\'s default type', async () => {
		expect((await legacy(sandbox, 'PUT', '/fresh', { ids: [{ id: 'i1' }] }, { version: '1.1' })).status).toBe(201);
		await sandbox.whenIdle();
		const view = await legacy(sandbox, 'GET', '/fresh', undefined, { version: '1.1' });
		expect(view.body).toMatchObject({ name: 'fresh', type: 'install_ids', nb_ids: 1, indexing_state: 'APPLIED' });
	});

	it('POST creates an audience (201 + token)', async () => {
		const reply = await legacy(sandbox, 'POST', '/created', { type: 'advertising_ids', description: 'From the test' });
		expect(reply.status).toBe(201);
		expect(reply.body.indexing_token).toMatch(TOKEN_PATTERN);
		const view = await legacy(sandbox, 'GET', '/created');
		expect(view.body).toMatchObject({ name: 'created', type: 'advertising_ids', description: 'From the test', nb_ids: 0 });
	});

	it('DELETE removes the audience at once (200 {}) and drops its pending writes', async () => {
		sandbox.setIndexingDelay(10_000);
		await legacy(sandbox, 'PATCH', '/sandbox_audience', { ids: ids(2) });
		const reply = await legacy(sandbox, 'DELETE', '/sandbox_audience');
		expect(reply.status).toBe(200);
		expect(reply.body).toEqual({});
		await sandbox.whenIdle();
		expectError(await legacy(sandbox, 'GET', '/sandbox_audience'), 404, 20, 'ROUTE_NOT_FOUND');
		expect(sandbox.state().customAudience.audiences).toEqual({});
	});
});

describe('legacy reads', () => {
	it('GET view returns the documented fields, timestamps without timezone', async () => {
		const reply = await legacy(sandbox, 'GET', '/sandbox_audience');
		expect(reply.status).toBe(200);
		expect(reply.body).toEqual({
			name: 'sandbox_audience',
			type: 'custom_ids',
			description: 'Sandbox audience',
			created: expect.stringMatching(NO_TIMEZONE),
			updated: expect.stringMatching(NO_TIMEZONE),
			nb_ids: 0,
			indexing_state: 'APPLIED',
		});
	});

	it('GET view with a token reports that write; an unknown token is 400 / 31', async () => {
		sandbox.setIndexingDelay(200);
		const { body } = await legacy(sandbox, 'PATCH', '/sandbox_audience', { ids: ids(1) });
		const pending = await legacy(sandbox, 'GET', `/sandbox_audience?indexing_token=${body.indexing_token}`);
		expect(pending.body.indexing_state).toBe('IN_PROGRESS');
		await sandbox.whenIdle();
		const applied = await legacy(sandbox, 'GET', `/sandbox_audience?indexing_token=${body.indexing_token}`);
		expect(applied.body).toMatchObject({ indexing_state: 'APPLIED', nb_ids: 1 });
		const unknown = await legacy(sandbox, 'GET', '/sandbox_audience?indexing_token=0000');
		expectError(unknown, 400, 31, 'MALFORMED_PARAMETER');
	});

	it('GET list pages by offset, newest first', async () => {
		for (let i = 0; i < 24; i++) await legacy(sandbox, 'POST', `/aud_${String(i).padStart(2, '0')}`, { type: 'custom_ids' });
		const names: string[] = [];
		for (let from = 0; ; from += 10) {
			const page = await legacy(sandbox, 'GET', `?from=${from}&limit=10`);
			expect(page.status).toBe(200);
			names.push(...page.body.custom_audiences.map((audience: { name: string }) => audience.name));
			if (page.body.custom_audiences.length < 10) break;
		}
		expect(names).toHaveLength(25);
		expect(names[0]).toBe('aud_23');
		expect(names[24]).toBe('sandbox_audience');
		expect((await legacy(sandbox, 'GET', '')).body.custom_audiences).toHaveLength(10);
	});

	it.each([['limit=0'], ['limit=101'], ['from=-1'], ['from=x']])('refuses %s with 400 / 31', async (query) => {
		expectError(await legacy(sandbox, 'GET', `?${query}`), 400, 31, 'MALFORMED_PARAMETER');
	});
});

describe('legacy server errors via faults', () => {
	it.each([
		['500', 500, 1, 'SERVER_ERROR'],
		['503', 503, 2, 'MAINTENANCE_ERROR'],
	] as const)('fault %s answers %i / %i %s', async (kind, status, code, name) => {
		sandbox.setFaults({ rules: [{ api: 'customAudience', kind, count: 1 }] });
		expectError(await legacy(sandbox, 'GET', ''), status, code, name);
		expect((await legacy(sandbox, 'GET', '')).status).toBe(200);
	});
});
