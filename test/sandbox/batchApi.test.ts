import { Sandbox, startSandbox } from '../../sandbox';
import { batchGet, batchPost, BATCH_AUTH, call, ids, JSON_TYPE, TOKEN_PATTERN } from './helpers';

let sandbox: Sandbox;
beforeAll(async () => {
	sandbox = await startSandbox({ indexingDelayMs: 0 });
});
afterAll(() => sandbox.stop());
beforeEach(() => {
	sandbox.reset();
	sandbox.setIndexingDelay(0);
});

const validUpdate = { name: 'sandbox_audience', ids: [{ action: 'add', id: 'u1' }] };

describe('Batch 2.x authentication (401)', () => {
	it.each([
		['no headers', {}],
		['a wrong REST key', { Authorization: 'Bearer wrong', 'X-Batch-Project': 'project_sandbox' }],
		['no Bearer prefix', { Authorization: 'sandbox-rest-key', 'X-Batch-Project': 'project_sandbox' }],
		['no project key', { Authorization: 'Bearer sandbox-rest-key' }],
		['a wrong project key', { Authorization: 'Bearer sandbox-rest-key', 'X-Batch-Project': 'project_other' }],
	])('refuses %s with AUTHENTICATION_INVALID', async (_, headers) => {
		const reply = await batchGet(sandbox, 'list', {}, headers as Record<string, string>);
		expect(reply.status).toBe(401);
		expect(reply.body).toEqual({ error_code: 'AUTHENTICATION_INVALID', error_message: expect.any(String) });
	});

	it('accepts the sandbox credentials on any 2.x version', async () => {
		for (const version of ['2.0', '2.4', '2.11']) {
			const reply = await call(`${sandbox.url}/${version}/audiences/list`, { headers: BATCH_AUTH });
			expect(reply.status).toBe(200);
		}
	});
});

describe('Batch 2.x routes', () => {
	it.each(['/3.0/audiences/list', '/2.11/audiences/nope', '/2.11/profiles/update', '/2.11/audiences/list/', '/2.11/audiences'])(
		'answers 404 ROUTE_NOT_FOUND for %s',
		async (path) => {
			const reply = await call(`${sandbox.url}${path}`, { headers: BATCH_AUTH });
			expect(reply.status).toBe(404);
			expect(reply.body.error_code).toBe('ROUTE_NOT_FOUND');
		},
	);

	it('answers 405 with Allow for a wrong method', async () => {
		const reply = await call(`${sandbox.url}/2.11/audiences/update`, { headers: BATCH_AUTH });
		expect(reply.status).toBe(405);
		expect(reply.headers.get('allow')).toBe('POST');
		expect(reply.body.error_code).toBe('METHOD_NOT_ALLOWED');
	});
});

describe('Batch 2.x request bodies', () => {
	it('requires Content-Type: application/json (400, not 415)', async () => {
		const reply = await batchPost(sandbox, 'update', validUpdate, { headers: { 'Content-Type': 'text/plain' } });
		expect(reply.status).toBe(400);
		expect(reply.body.error_code).toBe('MALFORMED_JSON_BODY');
	});

	it.each([['{"name":'], ['[1,2]'], [''], ['"text"']])('refuses the body %p with MALFORMED_JSON_BODY', async (body) => {
		const reply = await batchPost(sandbox, 'update', body);
		expect(reply.status).toBe(400);
		expect(reply.body.error_code).toBe('MALFORMED_JSON_BODY');
	});

	it('refuses unknown top-level fields', async () => {
		const reply = await batchPost(sandbox, 'update', { ...validUpdate, tags: [] });
		expect(reply.status).toBe(400);
		expect(reply.body).toEqual({ error_code: 'MALFORMED_PARAMETER', error_message: 'unknown field "tags"' });
	});
});

describe('Batch 2.x create', () => {
	it('creates an audience (202 with a 32-hex token) listed at once', async () => {
		const reply = await batchPost(sandbox, 'create', { name: 'new-audience_1', type: 'custom_ids', display_name: 'New' });
		expect(reply.status).toBe(202);
		expect(reply.body).toEqual({ indexing_token: expect.stringMatching(TOKEN_PATTERN) });
		const view = await batchGet(sandbox, 'view', { name: 'new-audience_1' });
		expect(view.body).toMatchObject({ name: 'new-audience_1', display_name: 'New', type: 'CUSTOM_ID', nb_ids: 0 });
	});

	it('uses the name as display_name when none is given', async () => {
		await batchPost(sandbox, 'create', { name: 'plain', type: 'custom_ids' });
		expect((await batchGet(sandbox, 'view', { name: 'plain' })).body.display_name).toBe('plain');
	});

	it('refuses a duplicate name with AUDIENCE_ALREADY_EXISTS', async () => {
		const reply = await batchPost(sandbox, 'create', { name: 'sandbox_audience', type: 'custom_ids' });
		expect(reply.status).toBe(400);
		expect(reply.body.error_code).toBe('AUDIENCE_ALREADY_EXISTS');
	});

	it.each([
		[{ type: 'custom_ids' }, 'MISSING_PARAMETER', 'name is required'],
		[{ name: 'bad name!', type: 'custom_ids' }, 'MALFORMED_PARAMETER', 'name must be'],
		[{ name: 'x'.repeat(256), type: 'custom_ids' }, 'MALFORMED_PARAMETER', 'name must be'],
		[{ name: 42, type: 'custom_ids' }, 'MALFORMED_PARAMETER', 'name must be'],
		[{ name: 'ok' }, 'MISSING_PARAMETER', 'type is required'],
		[{ name: 'ok', type: 'emails' }, 'MALFORMED_PARAMETER', 'type must be "custom_ids"'],
		[{ name: 'ok', type: 'custom_ids', display_name: 3 }, 'MALFORMED_PARAMETER', 'display_name must be a string'],
		[{ name: 'ok', type: 'custom_ids', ids: [] }, 'MALFORMED_PARAMETER', 'unknown field "ids"'],
	])('refuses %j with 400 %s', async (body, code, message) => {
		const reply = await batchPost(sandbox, 'create', body);
		expect(reply.status).toBe(400);
		expect(reply.body.error_code).toBe(code);
		expect(reply.body.error_message).toContain(message);
	});

	it('accepts a 255-character name of every allowed character class', async () => {
		const name = `aZ09_-${'x'.repeat(249)}`;
		expect((await batchPost(sandbox, 'create', { name, type: 'custom_ids' })).status).toBe(202);
	});
});

const sixteenAttributes = Object.fromEntries(Array.from({ length: 16 }, (_, i) => [`a${i}`, i]));
const updateRules: Array<[string, unknown, string, string]> = [
	['ids missing', { name: 'sandbox_audience' }, 'MISSING_PARAMETER', 'ids is required'],
	['ids not an array', { name: 'sandbox_audience', ids: {} }, 'MALFORMED_PARAMETER', 'ids must be an array'],
	['ids empty', { name: 'sandbox_audience', ids: [] }, 'MALFORMED_PARAMETER', 'ids must hold 1 to 10000 entries, got 0'],
	['10,001 ids', { name: 'sandbox_audience', ids: ids(10_001) }, 'MALFORMED_PARAMETER', 'got 10001'],
	['name missing', { ids: ids(1) }, 'MISSING_PARAMETER', 'name is required'],
	['an entry not an object', { name: 'sandbox_audience', ids: ['u1'] }, 'MALFORMED_PARAMETER', 'ids[0]: must be an object'],
	['an unknown entry field', { name: 'sandbox_audience', ids: [{ action: 'add', id: 'u', tags: [] }] }, 'MALFORMED_PARAMETER', 'ids[0]: unknown field "tags"'],
	['action missing', { name: 'sandbox_audience', ids: [{ id: 'u' }] }, 'MISSING_PARAMETER', 'ids[0].action is required'],
	['action unknown', { name: 'sandbox_audience', ids: [{ action: 'upsert', id: 'u' }] }, 'MALFORMED_PARAMETER', 'ids[0].action must be "add" or "remove"'],
	['id missing', { name: 'sandbox_audience', ids: [{ action: 'add' }] }, 'MISSING_PARAMETER', 'ids[0].id is required'],
	['id not a string', { name: 'sandbox_audience', ids: [{ action: 'add', id: 7 }] }, 'MALFORMED_PARAMETER', 'ids[0].id must be a non-empty string'],
	['id empty', { name: 'sandbox_audience', ids: [{ action: 'add', id: '' }] }, 'MALFORMED_PARAMETER', 'ids[0].id must be a non-empty string'],
	['attributes with remove', { name: 'sandbox_audience', ids: [{ action: 'add', id: 'a' }, { action: 'remove', id: 'b', attributes: {} }] }, 'MALFORMED_PARAMETER', 'ids[1].attributes: only accepted with action "add"'],
	['attributes not an object', { name: 'sandbox_audience', ids: [{ action: 'add', id: 'a', attributes: [] }] }, 'MALFORMED_PARAMETER', 'ids[0].attributes: must be an object'],
	['16 attributes', { name: 'sandbox_audience', ids: [...ids(42), { action: 'add', id: 'x', attributes: sixteenAttributes }] }, 'MALFORMED_PARAMETER', 'ids[42].attributes: more than 15 attributes'],
	['an attribute name with a dash', { name: 'sandbox_audience', ids: [{ action: 'add', id: 'a', attributes: { 'bad-name': 1 } }] }, 'MALFORMED_PARAMETER', 'ids[0].attributes.bad-name: a name is 1 to 30'],
	['a 31-character attribute name', { name: 'sandbox_audience', ids: [{ action: 'add', id: 'a', attributes: { ['a'.repeat(31)]: 1 } }] }, 'MALFORMED_PARAMETER', 'a name is 1 to 30'],
	['an empty typed name', { name: 'sandbox_audience', ids: [{ action: 'add', id: 'a', attributes: { 'date()': '2023-08-12T22:30:05Z' } }] }, 'MALFORMED_PARAMETER', 'a name is 1 to 30'],
	['an unknown type wrapper', { name: 'sandbox_audience', ids: [{ action: 'add', id: 'a', attributes: { 'int(x)': 1 } }] }, 'MALFORMED_PARAMETER', 'a name is 1 to 30'],
	['a date that is not ISO-8601', { name: 'sandbox_audience', ids: [{ action: 'add', id: 'a', attributes: { 'date(d)': '12/08/2023' } }] }, 'MALFORMED_PARAMETER', 'ids[0].attributes.date(d): must be an ISO-8601 date'],
	['a date without time', { name: 'sandbox_audience', ids: [{ action: 'add', id: 'a', attributes: { 'date(d)': '2023-08-12' } }] }, 'MALFORMED_PARAMETER', 'ISO-8601'],
	['a date as a number', { name: 'sandbox_audience', ids: [{ action: 'add', id: 'a', attributes: { 'date(d)': 1691879405 } }] }, 'MALFORMED_PARAMETER', 'ISO-8601'],
	['an impossible date', { name: 'sandbox_audience', ids: [{ action: 'add', id: 'a', attributes: { 'date(d)': '2023-13-45T99:00:00Z' } }] }, 'MALFORMED_PARAMETER', 'ISO-8601'],
	['a relative url', { name: 'sandbox_audience', ids: [{ action: 'add', id: 'a', attributes: { 'url(u)': '/img.png' } }] }, 'MALFORMED_PARAMETER', 'ids[0].attributes.url(u): must be an absolute http(s) URL'],
	['an ftp url', { name: 'sandbox_audience', ids: [{ action: 'add', id: 'a', attributes: { 'url(u)': 'ftp://example.com/x' } }] }, 'MALFORMED_PARAMETER', 'absolute http(s) URL'],
	['a url over 2048 characters', { name: 'sandbox_audience', ids: [{ action: 'add', id: 'a', attributes: { 'url(u)': `https://example.com/${'x'.repeat(2048)}` } }] }, 'MALFORMED_PARAMETER', 'at most 2048'],
	['a string over 300 characters', { name: 'sandbox_audience', ids: [{ action: 'add', id: 'a', attributes: { s: 'x'.repeat(301) } }] }, 'MALFORMED_PARAMETER', 'ids[0].attributes.s: a string has at most 300 characters'],
	['an array of 26 items', { name: 'sandbox_audience', ids: [{ action: 'add', id: 'a', attributes: { tags: Array(26).fill('t') } }] }, 'MALFORMED_PARAMETER', 'at most 25 items'],
	['an array holding a number', { name: 'sandbox_audience', ids: [{ action: 'add', id: 'a', attributes: { list: ['a', 1] } }] }, 'MALFORMED_PARAMETER', 'ids[0].attributes.list[1]: array items must be strings'],
	['an array item over 300 characters', { name: 'sandbox_audience', ids: [{ action: 'add', id: 'a', attributes: { list: ['x'.repeat(301)] } }] }, 'MALFORMED_PARAMETER', 'list[0]: a string has at most 300'],
	['a null attribute', { name: 'sandbox_audience', ids: [{ action: 'add', id: 'a', attributes: { n: null } }] }, 'MALFORMED_PARAMETER', 'must be a string, number, boolean or array of strings'],
	['an object attribute', { name: 'sandbox_audience', ids: [{ action: 'add', id: 'a', attributes: { o: { x: 1 } } }] }, 'MALFORMED_PARAMETER', 'must be a string, number, boolean or array of strings'],
];

describe('Batch 2.x update validation (400)', () => {
	it.each(updateRules)('refuses %s', async (_, body, code, message) => {
		const reply = await batchPost(sandbox, 'update', body);
		expect(reply.status).toBe(400);
		expect(reply.body.error_code).toBe(code);
		expect(reply.body.error_message).toContain(message);
	});

	it('refuses an unknown audience with AUDIENCE_NOT_FOUND (400; the docs list no 404)', async () => {
		const reply = await batchPost(sandbox, 'update', { ...validUpdate, name: 'missing' });
		expect(reply.status).toBe(400);
		expect(reply.body.error_code).toBe('AUDIENCE_NOT_FOUND');
	});

	it('accepts every documented attribute type (202)', async () => {
		const attributes = {
			att1: 3,
			ratio: 0.5,
			att2: 'string',
			flag: true,
			'date(att15)': '2023-08-12T22:30:05Z',
			'date(local)': '2012-08-12T22:30:05',
			'date(offset)': '2023-08-12T22:30:05.123+02:00',
			'url(att20)': 'https://example.com/image.jpg',
			interests: ['bikes', 'cinema'],
			empty_list: [],
			Max_Length_Name_Of_30_Chars_AB: 'x'.repeat(300),
		};
		const reply = await batchPost(sandbox, 'update', { name: 'sandbox_audience', ids: [{ action: 'add', id: 'u1', attributes }] });
		expect(reply.status).toBe(202);
		expect(reply.body.indexing_token).toMatch(TOKEN_PATTERN);
		await sandbox.whenIdle();
		expect(sandbox.state().batch.audiences.sandbox_audience.members.u1).toEqual(attributes);
	});
});

describe('Batch 2.x replace', () => {
	it('refuses an action field', async () => {
		const reply = await batchPost(sandbox, 'replace', { name: 'sandbox_audience', ids: [{ action: 'add', id: 'a' }] });
		expect(reply.status).toBe(400);
		expect(reply.body.error_message).toBe('ids[0]: unknown field "action"');
	});

	it('refuses more than 10,000 ids and an unknown audience', async () => {
		const tooMany = ids(10_001).map(({ id }) => ({ id }));
		expect((await batchPost(sandbox, 'replace', { name: 'sandbox_audience', ids: tooMany })).status).toBe(400);
		const unknown = await batchPost(sandbox, 'replace', { name: 'nope', ids: [] });
		expect(unknown.body.error_code).toBe('AUDIENCE_NOT_FOUND');
	});

	it('replaces every member; the last duplicate wins', async () => {
		await batchPost(sandbox, 'update', { name: 'sandbox_audience', ids: ids(3) });
		const reply = await batchPost(sandbox, 'replace', {
			name: 'sandbox_audience',
			ids: [{ id: 'n1', attributes: { v: 1 } }, { id: 'n2' }, { id: 'n1', attributes: { v: 2 } }],
		});
		expect(reply.status).toBe(202);
		await sandbox.whenIdle();
		expect(sandbox.state().batch.audiences.sandbox_audience.members).toEqual({ n1: { v: 2 }, n2: {} });
	});

	it('with 0 ids empties the audience', async () => {
		await batchPost(sandbox, 'update', { name: 'sandbox_audience', ids: ids(3) });
		expect((await batchPost(sandbox, 'replace', { name: 'sandbox_audience', ids: [] })).status).toBe(202);
		await sandbox.whenIdle();
		expect(sandbox.state().batch.audiences.sandbox_audience.nb_ids).toBe(0);
	});
});

describe('Batch 2.x remove', () => {
	it('deletes the audience once the removal is indexed', async () => {
		sandbox.setIndexingDelay(200);
		const reply = await batchPost(sandbox, 'remove', { name: 'sandbox_audience' });
		expect(reply.status).toBe(202);
		const token = reply.body.indexing_token;
		expect(token).toMatch(TOKEN_PATTERN);

		const pending = await batchGet(sandbox, 'view', { name: 'sandbox_audience', indexing_token: token });
		expect(pending.body.indexing_state).toBe('IN_PROGRESS');
		const write = await batchPost(sandbox, 'update', validUpdate);
		expect(write.body).toEqual({ error_code: 'AUDIENCE_NOT_FOUND', error_message: 'The audience "sandbox_audience" is being removed' });
		expect((await batchPost(sandbox, 'remove', { name: 'sandbox_audience' })).status).toBe(400);

		await sandbox.whenIdle();
		expect((await batchGet(sandbox, 'view', { name: 'sandbox_audience' })).body.error_code).toBe('AUDIENCE_NOT_FOUND');
		expect((await batchGet(sandbox, 'list')).body).toEqual({ audiences: [], count: 0, has_more: false });
		expect((await batchPost(sandbox, 'create', { name: 'sandbox_audience', type: 'custom_ids' })).status).toBe(202);
	});

	it('refuses an unknown audience and unknown fields', async () => {
		expect((await batchPost(sandbox, 'remove', { name: 'nope' })).body.error_code).toBe('AUDIENCE_NOT_FOUND');
		expect((await batchPost(sandbox, 'remove', { name: 'sandbox_audience', force: true })).status).toBe(400);
		expect((await batchPost(sandbox, 'remove', {})).body.error_code).toBe('MISSING_PARAMETER');
	});
});

describe('Batch 2.x view', () => {
	it('returns the documented fields (200)', async () => {
		const reply = await batchGet(sandbox, 'view', { name: 'sandbox_audience' });
		expect(reply.status).toBe(200);
		expect(reply.body).toEqual({
			name: 'sandbox_audience',
			display_name: 'Sandbox audience',
			type: 'CUSTOM_ID',
			nb_ids: 0,
			indexing_state: 'APPLIED',
			created: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/),
			updated: expect.stringMatching(/Z$/),
		});
	});

	it.each([
		[{}, 'MISSING_PARAMETER'],
		[{ name: '' }, 'MISSING_PARAMETER'],
		[{ name: 'bad name' }, 'MALFORMED_PARAMETER'],
		[{ name: 'unknown' }, 'AUDIENCE_NOT_FOUND'],
		[{ name: 'sandbox_audience', indexing_token: 'a0082dc6860938a26280bd3ba927303b' }, 'MALFORMED_PARAMETER'],
	])('refuses %j with 400 %s', async (query, code) => {
		const reply = await batchGet(sandbox, 'view', query as Record<string, string>);
		expect(reply.status).toBe(400);
		expect(reply.body.error_code).toBe(code);
	});

	it('refuses a token issued for another audience', async () => {
		await batchPost(sandbox, 'create', { name: 'other', type: 'custom_ids' });
		const { body } = await batchPost(sandbox, 'update', { name: 'other', ids: ids(1) });
		const reply = await batchGet(sandbox, 'view', { name: 'sandbox_audience', indexing_token: body.indexing_token });
		expect(reply.status).toBe(400);
	});
});

describe('Batch 2.x list', () => {
	it('lists with count on the first page (200)', async () => {
		const reply = await batchGet(sandbox, 'list');
		expect(reply.status).toBe(200);
		expect(reply.body).toEqual({
			audiences: [expect.objectContaining({ name: 'sandbox_audience', type: 'CUSTOM_ID' })],
			count: 1,
			has_more: false,
		});
	});

	it('defaults to 10 per page', async () => {
		for (let i = 0; i < 12; i++) await batchPost(sandbox, 'create', { name: `a${i}`, type: 'custom_ids' });
		const reply = await batchGet(sandbox, 'list');
		expect(reply.body.audiences).toHaveLength(10);
		expect(reply.body).toMatchObject({ count: 13, has_more: true, next_from: expect.any(String) });
	});

	it.each([['0'], ['101'], ['abc'], ['-1'], [''], ['1.5']])('refuses limit=%p', async (limit) => {
		const reply = await batchGet(sandbox, 'list', { limit });
		expect(reply.status).toBe(400);
		expect(reply.body.error_code).toBe('MALFORMED_PARAMETER');
	});

	it.each([['garbage'], ['YWZ0ZXI6eA'], ['']])('refuses the cursor from=%p', async (from) => {
		const reply = await batchGet(sandbox, 'list', { from });
		expect(reply.status).toBe(400);
		expect(reply.body.error_message).toBe('from is not a valid cursor');
	});
});

it('keeps JSON content type on every reply', async () => {
	const reply = await fetch(`${sandbox.url}/2.11/audiences/list`, { headers: { ...BATCH_AUTH, ...JSON_TYPE } });
	expect(reply.headers.get('content-type')).toBe('application/json; charset=utf-8');
});
