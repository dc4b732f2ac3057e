import * as XLSX from 'xlsx';
import { Sandbox, startSandbox } from '../../sandbox';
import { call, commBox, COMMBOX_AUTH, fileForm } from './helpers';

let sandbox: Sandbox;
beforeAll(async () => {
	sandbox = await startSandbox({ indexingDelayMs: 0 });
});
afterAll(() => sandbox.stop());
beforeEach(() => sandbox.reset());

const CSV = 'phone1,name,email\n442079832100,Ann,ann@example.com\n972501234567,Bob,bob@example.com\n';
const ISO_UTC = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/;

function expectEnvelope(reply: { status: number; body: unknown }, status: number, description: string | RegExp): void {
	expect(reply.status).toBe(status);
	expect(reply.body).toEqual({
		status,
		description: typeof description === 'string' ? description : expect.stringMatching(description),
		response_time: expect.stringMatching(ISO_UTC),
	});
}

function workbook(rows: unknown[][]): Buffer {
	const book = XLSX.utils.book_new();
	XLSX.utils.book_append_sheet(book, XLSX.utils.aoa_to_sheet(rows), 'Audience');
	return XLSX.write(book, { type: 'buffer', bookType: 'xlsx' }) as Buffer;
}

describe('CommBox authentication (401)', () => {
	it.each([
		['no header', {}],
		['a wrong key', { Authorization: 'Bearer wrong' }],
		['the key without Bearer', { Authorization: 'sandbox-commbox-key' }],
	])('refuses %s', async (_, headers) => {
		expectEnvelope(await commBox(sandbox, 'GET', '/audiences', undefined, headers), 401, 'Unauthorized');
		expectEnvelope(await commBox(sandbox, 'PUT', '/Audiences/1001', fileForm(CSV), headers), 401, 'Unauthorized');
	});
});

describe('CommBox reads', () => {
	it('GET /core/systemstatus (200, status as a string)', async () => {
		const reply = await commBox(sandbox, 'GET', '/core/systemstatus');
		expect(reply.status).toBe(200);
		expect(reply.body).toEqual({ status: '200', description: 'System is operational', response_time: expect.stringMatching(ISO_UTC) });
	});

	it('GET /audiences lists the seeds; user_count on Static only', async () => {
		const reply = await commBox(sandbox, 'GET', '/audiences');
		expect(reply.status).toBe(200);
		expect(reply.body).toEqual({
			status: '200',
			description: 'Audiences retrieved',
			response_time: expect.stringMatching(ISO_UTC),
			data: [
				{ id: '1001', name: 'sandbox_static', created_time: expect.stringMatching(/^\d{4}-.*:\d\dZ$/), user_count: 0, type: 'Static' },
				{ id: '1002', name: 'sandbox_dynamic', created_time: expect.any(String), type: 'Dynamic' },
			],
		});
	});

	it('answers 404 for unknown paths and 405 for a wrong method', async () => {
		expectEnvelope(await commBox(sandbox, 'GET', '/contacts'), 404, 'Not Found');
		const wrongMethod = await commBox(sandbox, 'DELETE', '/Audiences/1001');
		expectEnvelope(wrongMethod, 405, 'Method Not Allowed');
		expect(wrongMethod.headers.get('allow')).toBe('PUT');
	});
});

describe('CommBox POST /audiences', () => {
	it('creates a Static audience from a CSV (201, new numeric-string id)', async () => {
		const reply = await commBox(sandbox, 'POST', '/audiences', fileForm(CSV, 'audience.csv', { name: 'NE_USA-above50' }));
		expect(reply.status).toBe(201);
		expect(reply.body).toEqual({ status: 201, description: 'Audience created', response_time: expect.stringMatching(ISO_UTC), data: { id: '1003' } });
		const created = sandbox.state().commBox.audiences['1003'];
		expect(created).toMatchObject({ name: 'NE_USA-above50', type: 'Static', user_count: 2, columns: ['phone1', 'name', 'email'] });
		expect(created.rows[1]).toEqual({ phone1: '972501234567', name: 'Bob', email: 'bob@example.com' });
		const list = await commBox(sandbox, 'GET', '/audiences');
		expect(list.body.data.map((item: { id: string }) => item.id)).toEqual(['1001', '1002', '1003']);
	});

	it.each([
		['no name', fileForm(CSV), 'missing required field: name'],
		['an empty name', fileForm(CSV, 'a.csv', { name: ' ' }), 'missing required field: name'],
		['no file', (() => { const form = new FormData(); form.append('name', 'x'); return form; })(), 'missing required field: audience_file'],
		['the file as a plain field', (() => { const form = new FormData(); form.append('name', 'x'); form.append('audience_file', CSV); return form; })(), 'missing required field: audience_file'],
		['an unexpected field', fileForm(CSV, 'a.csv', { name: 'x', color: 'red' }), 'unexpected field "color"'],
	])('refuses %s (400)', async (_, form, message) => {
		expectEnvelope(await commBox(sandbox, 'POST', '/audiences', form), 400, `Bad Request - ${message}`);
	});

	it('refuses a body that is not multipart/form-data (400)', async () => {
		const reply = await commBox(sandbox, 'POST', '/audiences', 'name=x', { ...COMMBOX_AUTH, 'Content-Type': 'application/x-www-form-urlencoded' });
		expectEnvelope(reply, 400, /multipart\/form-data/);
	});
});

describe('CommBox PUT /Audiences/{id}', () => {
	it('replaces every row synchronously (200) and keeps the raw CSV', async () => {
		await commBox(sandbox, 'PUT', '/Audiences/1001', fileForm(CSV));
		const csv = 'phone1,note\n442079832100,"\'=HYPERLINK(""http://x"")"\n';
		const reply = await commBox(sandbox, 'PUT', '/Audiences/1001', fileForm(csv));
		expect(reply.status).toBe(200);
		expect(reply.body).toEqual({ status: 200, description: 'Operation successful', response_time: expect.stringMatching(ISO_UTC), data: { id: '1001' } });
		const audience = sandbox.state().commBox.audiences['1001'];
		expect(audience.rows).toEqual([{ phone1: '442079832100', note: '\'=HYPERLINK("http://x")' }]);
		expect(audience.user_count).toBe(1);
		expect(audience.lastUpload).toEqual({ fileName: 'audience.csv', contentType: 'text/csv', bytes: csv.length, text: csv });
	});

	it('accepts the lowercase path, a BOM, semicolons and a header-only file', async () => {
		expect((await commBox(sandbox, 'PUT', '/audiences/1001', fileForm('\uFEFFphone1;name\n442079832100;Ann\n'))).status).toBe(200);
		expect(sandbox.state().commBox.audiences['1001'].rows).toEqual([{ phone1: '442079832100', name: 'Ann' }]);
		expect((await commBox(sandbox, 'PUT', '/Audiences/1001', fileForm('phone1\n'))).status).toBe(200);
		expect(sandbox.state().commBox.audiences['1001'].user_count).toBe(0);
	});

	it('reads an Excel workbook, detected by content', async () => {
		const file = workbook([['phone1', 'name'], [442079832100, 'Ann'], ['972501234567', 'Bob']]);
		const reply = await commBox(sandbox, 'PUT', '/Audiences/1001', fileForm(file, 'audience.xlsx', {}, 'application/octet-stream'));
		expect(reply.status).toBe(200);
		const audience = sandbox.state().commBox.audiences['1001'];
		expect(audience.rows).toEqual([{ phone1: '442079832100', name: 'Ann' }, { phone1: '972501234567', name: 'Bob' }]);
		expect(audience.lastUpload).toEqual({ fileName: 'audience.xlsx', contentType: 'application/octet-stream', bytes: file.length });
	});

	it('refuses a Dynamic audience (400) and an unknown id (404)', async () => {
		expectEnvelope(await commBox(sandbox, 'PUT', '/Audiences/1002', fileForm(CSV)), 400, 'Bad Request - only Static audiences can be updated');
		expectEnvelope(await commBox(sandbox, 'PUT', '/Audiences/9999', fileForm(CSV)), 404, 'Not Found');
	});

	it.each([
		['no phone1 column', fileForm('phone,name\n442079832100,Ann\n'), 'missing phone1 column'],
		['an empty file', fileForm(''), 'missing phone1 column'],
		['a phone with +', fileForm('phone1\n442079832100\n+442079832100\n'), 'row 2: phone1 must be 8 to 15 digits'],
		['a phone too short', fileForm('phone1\n1234567\n'), 'row 1: phone1'],
		['a phone too long', fileForm('phone1\n1234567890123456\n'), 'row 1: phone1'],
		['an empty phone', fileForm('phone1,name\n,Ann\n'), 'row 1: phone1'],
		['a JSON file', fileForm('{"phone1": "442079832100"}', 'audience.json', {}, 'application/json'), 'invalid file format'],
		['a PDF', fileForm('%PDF-1.4 binary', 'audience.pdf', {}, 'application/pdf'), 'invalid file format'],
		['an unnamed octet stream', fileForm('phone1\n442079832100\n', 'blob', {}, 'application/octet-stream'), 'invalid file format'],
		['CSV content named .xlsx', fileForm('phone1\n442079832100\n', 'audience.xlsx'), 'invalid file format'],
		['a zip that is no workbook', fileForm(Buffer.from('PK\u0003\u0004garbage'), 'audience.xlsx'), 'invalid file format'],
		['binary bytes in a .csv', fileForm(Buffer.from([0x70, 0x00, 0xff, 0xfe]), 'audience.csv'), 'invalid file format'],
		['an unterminated quote', fileForm('phone1,name\n442079832100,"Ann\n'), 'invalid file format'],
		['a row with too many fields', fileForm('phone1,name\n442079832100,Ann,extra\n'), 'invalid file format: row 1 has 3 fields'],
		['a duplicated column', fileForm('phone1,phone1\n442079832100,442079832100\n'), 'invalid file format'],
		['an extra field', fileForm(CSV, 'a.csv', { name: 'rename' }), 'unexpected field "name"'],
		['no file at all', new FormData(), 'missing required field: audience_file'],
	])('refuses %s (400)', async (_, form, message) => {
		const reply = await commBox(sandbox, 'PUT', '/Audiences/1001', form);
		expectEnvelope(reply, 400, new RegExp(`^Bad Request - ${message.replace(/[+()]/g, '\\$&')}`));
		expect(sandbox.state().commBox.audiences['1001'].user_count).toBe(0);
	});

	it('refuses a truncated multipart body (400)', async () => {
		const body = '--XYZ\r\nContent-Disposition: form-data; name="audience_file"; filename="a.csv"\r\n\r\nphone1\n4420';
		const reply = await call(`${sandbox.url}/Audiences/1001`, {
			method: 'PUT',
			headers: { ...COMMBOX_AUTH, 'Content-Type': 'multipart/form-data; boundary=XYZ' },
			body,
		});
		expectEnvelope(reply, 400, 'Bad Request - the multipart body is truncated');
	});
});

describe('CommBox server errors via faults', () => {
	it.each([
		['429', 429, 'Too Many Requests – Rate limit exceeded'],
		['500', 500, 'Server Error'],
		['503', 503, 'Service Unavailable'],
	] as const)('fault %s answers %i in the envelope', async (kind, status, description) => {
		sandbox.setFaults({ rules: [{ api: 'commBox', route: 'PUT /Audiences', kind, count: 1 }] });
		expectEnvelope(await commBox(sandbox, 'PUT', '/Audiences/1001', fileForm(CSV)), status, description);
		expect(sandbox.state().commBox.audiences['1001'].user_count).toBe(0);
		expect((await commBox(sandbox, 'PUT', '/Audiences/1001', fileForm(CSV))).status).toBe(200);
	});
});
