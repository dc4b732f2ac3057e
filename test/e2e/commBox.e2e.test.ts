import { pairedIndexes, range, startE2e, stopE2e, type E2eFixture } from '../../harness/fixture';
import { outputOf, outputsOf, type RunResult } from '../../harness/n8n';
import { AUDIENCE, CREDENTIAL_REFS, linearWorkflow, type NodeSpec } from '../../harness/workflows';

/**
 * Issue "CommBox: Replace Static audience from workflow items or a file", in a real n8n 2.40.7
 * (other versions: `npm run test:n8n-versions`) against the sandbox: what CommBox received
 * and holds, the output items and their pairedItem.
 */
const API_KEY = 'sandbox-commbox-key';
const byId = (value: string) => ({ __rl: true, mode: 'id', value });

const commBoxNode = (operation: string, parameters: Record<string, unknown>, extra: Partial<NodeSpec> = {}): NodeSpec => ({
	name: 'Audience',
	type: AUDIENCE,
	parameters: { resource: 'commBox', operation, ...parameters },
	credentials: CREDENTIAL_REFS.commBox,
	...extra,
});
const replace1001 = (parameters: Record<string, unknown> = {}, extra: Partial<NodeSpec> = {}) =>
	commBoxNode('replaceStatic', { audience: byId('1001'), ...parameters }, extra);
const convertToFile = (operation: string, parameters: Record<string, unknown> = {}): NodeSpec => ({
	name: 'Convert to File',
	type: 'n8n-nodes-base.convertToFile',
	typeVersion: 1.1,
	parameters: { operation, binaryPropertyName: 'data', ...parameters },
});

/**
 * 20,000 CRM contacts: phones in five formats (French and British numbers), every 100th item a
 * repeat of an earlier contact in yet another format, every 250th an invalid phone. `expected`
 * (not sent: the columns are mapped) is the number CommBox must receive, null when invalid.
 */
const CRM_CONTACTS = `
const pad = (n, width) => String(n).padStart(width, '0');
const canonical = (i) => (i % 5 === 2 ? '4420' : '336') + pad(i, 8);
const formatted = (i) => {
  const d = canonical(i);
  switch (i % 5) {
    case 0: return '+33 6 ' + d.slice(3).match(/../g).join(' ');
    case 1: return '00' + d;
    case 2: return '(44) 20-' + d.slice(4, 8) + '.' + d.slice(8);
    case 3: return d;
    default: return Number(d);
  }
};
const invalid = ['n/a', '12345', '', '+33 6 12 34 56 78 90 12 34 56'];
const items = [];
for (let i = 0; i < 20000; i++) {
  let json;
  if (i % 250 === 7) json = { phone: invalid[Math.floor(i / 250) % 4], name: 'Broken ' + i, plan: 'free', expected: null };
  else if (i % 100 === 99) json = { phone: '+' + canonical(i - 50), name: 'Updated ' + (i - 50), plan: 'vip', expected: canonical(i - 50) };
  else json = { phone: formatted(i), name: 'Contact ' + i, plan: i % 3 ? 'pro' : 'free', expected: canonical(i) };
  items.push({ json });
}
return items;`;

const mappedColumns = {
	extraColumns: 'mapped',
	columns: {
		column: [
			{ name: 'name', value: '={{ $json.name }}' },
			{ name: 'plan', value: '={{ $json.plan }}' },
			{ name: 'source', value: 'crm' },
		],
	},
};

const SMALL_BAD = `return [
  { phone: '+33 6 12 34 56 78' },
  { phone: 'not a phone' },
  { phone: '0033612345679' },
  { phone: 12 },
].map((json) => ({ json }));`;

const CSV_ROWS = `return [
  { phone1: '442079832100', name: 'Ann' },
  { phone1: '972501234567', name: 'Bob' },
  { phone1: '33612345678', name: 'Chloé' },
].map((json) => ({ json }));`;

const FORMULA = `return [{ json: { phone: '+44 20 7983 2100', name: '=HYPERLINK("http://evil")', note: '+1 call me', city: 'Paris' } }];`;

const workflows = [
	linearWorkflow('cbItems20k', CRM_CONTACTS, [replace1001({ ...mappedColumns, options: { fileName: 'crm' } }, { onError: 'continueErrorOutput' })]),
	linearWorkflow('cbInvalidStop', SMALL_BAD, [replace1001()]),
	linearWorkflow('cbBinaryCsv', CSV_ROWS, [convertToFile('csv'), replace1001({ source: 'binary' })]),
	linearWorkflow('cbBinaryXlsx', CSV_ROWS, [convertToFile('xlsx'), replace1001({ source: 'binary' })]),
	linearWorkflow('cbBinaryNoPhone1', `return [{ json: { phone: '442079832100', name: 'Ann' } }];`, [
		convertToFile('csv'),
		replace1001({ source: 'binary' }),
	]),
	linearWorkflow('cbBinaryTwoFiles', `return [{ json: { csv: 'phone1\\n442079832100' } }, { json: { csv: 'phone1\\n972501234567' } }];`, [
		convertToFile('toText', { sourceProperty: 'csv' }),
		replace1001({ source: 'binary' }),
	]),
	linearWorkflow('cbDynamic', `return [{ json: { phone: '442079832100' } }];`, [commBoxNode('replaceStatic', { audience: byId('1002') })]),
	linearWorkflow('cbUnknown', `return [{ json: { phone: '442079832100' } }];`, [commBoxNode('replaceStatic', { audience: byId('999999') })]),
	linearWorkflow('cbFormula', FORMULA, [replace1001({ extraColumns: 'allFields', options: { maxRetries: 3 } })]),
	linearWorkflow('cbEmpty', 'return [];', [replace1001()]),
	linearWorkflow('cbEmptyAllowed', 'return [];', [replace1001({ options: { allowEmpty: true } })]),
	linearWorkflow('cbDryRun', `return Array.from({ length: 500 }, (_, i) => ({ json: { phone: '+44 7400 1' + String(i).padStart(5, '0'), name: 'n' + i } }));`, [
		replace1001({ ...mappedColumns, columns: { column: [{ name: 'name', value: '={{ $json.name }}' }] }, options: { dryRun: true } }),
	]),
	linearWorkflow('cbCreateAndList', CSV_ROWS, [
		commBoxNode('createStatic', { name: 'NE_USA-above50', phone: '={{ $json.phone1 }}', extraColumns: 'allFields' }),
		{ ...commBoxNode('getMany', { audienceType: 'static', returnAll: true }), name: 'List' },
	]),
];
for (const workflow of workflows.filter((w) => w.id.startsWith('cbEmpty'))) {
	workflow.nodes[1].alwaysOutputData = true;
}

/** The CommBox writes (PUT or POST) the sandbox saw since `from`. */
const writesSince = (fixture: E2eFixture, from: number) =>
	fixture.sandbox
		.requests()
		.slice(from)
		.filter((r) => r.api === 'commBox' && (r.method === 'PUT' || r.method === 'POST'));

const noSecret = (...runs: RunResult[]) => {
	for (const run of runs) expect(JSON.stringify({ runData: run.runData, error: run.error })).not.toContain(API_KEY);
};

async function seedAudience1001(fixture: E2eFixture, csv: string): Promise<void> {
	const form = new FormData();
	form.append('audience_file', new Blob([csv], { type: 'text/csv' }), 'seed.csv');
	const reply = await fetch(`${fixture.sandbox.url}/Audiences/1001`, { method: 'PUT', headers: { Authorization: `Bearer ${API_KEY}` }, body: form });
	expect(reply.status).toBe(200);
}

describe('CommBox Replace Static in a real n8n', () => {
	let fixture: E2eFixture;

	beforeAll(async () => {
		fixture = await startE2e(workflows);
	}, 20 * 60_000);
	afterAll(async () => await stopE2e(fixture));
	beforeEach(() => fixture.sandbox.reset());

	it('replaces audience 1001 from 20,000 mixed-format items in exactly one PUT; invalid items go to the error output', async () => {
		const result = await fixture.n8n.execute('cbItems20k');
		expect(result.error).toBeUndefined();

		const puts = writesSince(fixture, 0);
		expect(puts.map((r) => [r.method, r.path, r.status, r.ids])).toEqual([['PUT', '/Audiences/1001', 200, 19720]]);

		const generated = new Function(CRM_CONTACTS)() as Array<{ json: { name: string; plan: string; expected: string | null } }>;
		const expectedRows = new Map<string, Record<string, string>>();
		generated.forEach(({ json }) => {
			if (json.expected) expectedRows.set(json.expected, { phone1: json.expected, name: json.name, plan: json.plan, source: 'crm' });
		});
		const audience = fixture.sandbox.state().commBox.audiences['1001'];
		expect(audience.columns).toEqual(['phone1', 'name', 'plan', 'source']);
		expect(audience.rows).toEqual([...expectedRows.values()]);
		expect(audience.rows).toContainEqual({ phone1: '33600000049', name: 'Updated 49', plan: 'vip', source: 'crm' });
		expect(audience.rows).toContainEqual({ phone1: '442000000002', name: 'Contact 2', plan: 'pro', source: 'crm' });
		expect(audience.lastUpload).toMatchObject({ fileName: 'crm.csv', contentType: 'text/csv' });

		const invalidIndexes = range(20000).filter((i) => generated[i].json.expected === null);
		const { success, errors } = outputsOf(result, 'Audience');
		const [summary, ...rest] = success;
		expect(rest).toHaveLength(0);
		expect(summary.json).toMatchObject({
			audienceId: '1001',
			operation: 'replaceStatic',
			source: 'items',
			rows: 19720,
			columns: ['phone1', 'name', 'plan', 'source'],
			duplicatesCollapsed: 200,
			invalid: 80,
			fileName: 'crm.csv',
			dryRun: false,
			status: 200,
			description: 'Operation successful',
		});
		expect(summary.json.bytes).toBe(Buffer.byteLength(audience.lastUpload?.text ?? '', 'utf8'));
		expect(pairedIndexes([summary])).toEqual(range(20000).filter((i) => !invalidIndexes.includes(i)));

		expect(pairedIndexes(errors)).toEqual(invalidIndexes);
		expect(errors.slice(0, 4).map((e) => e.json.error)).toEqual([
			// Items are numbered from 1: the invalid items at indexes 7, 257, 507 and 757.
			'Item 8: phone "n/a" is not a full international number (8 to 15 digits with country code)',
			'Item 258: phone "12345" is not a full international number (8 to 15 digits with country code)',
			'Item 508: missing phone',
			'Item 758: phone "+33 6 12 34 56 78 90 12 34 56" is not a full international number (8 to 15 digits with country code)',
		]);
	}, 10 * 60_000);

	it('stops on an invalid phone without continue-on-fail, naming the item and the raw value, and sends nothing', async () => {
		const result = await fixture.n8n.execute('cbInvalidStop');
		expect(result.error?.message).toBe(
			'Item 2: phone "not a phone" is not a full international number (8 to 15 digits with country code) (and 1 more invalid items). Nothing was sent.',
		);
		expect(String(result.error?.description)).toMatch(/Item 4: phone 12 is not a full international number/);
		expect(fixture.sandbox.requests()).toHaveLength(0);
		expect(fixture.sandbox.state().commBox.audiences['1001'].rows).toEqual([]);
	}, 5 * 60_000);

	it('sends a CSV made by "Convert to File" as it is', async () => {
		const result = await fixture.n8n.execute('cbBinaryCsv');
		expect(result.error).toBeUndefined();
		expect(writesSince(fixture, 0).map((r) => [r.path, r.status, r.ids])).toEqual([['/Audiences/1001', 200, 3]]);
		const audience = fixture.sandbox.state().commBox.audiences['1001'];
		expect(audience.rows).toEqual([
			{ phone1: '442079832100', name: 'Ann' },
			{ phone1: '972501234567', name: 'Bob' },
			{ phone1: '33612345678', name: 'Chloé' },
		]);
		expect(audience.lastUpload).toMatchObject({ fileName: 'File.csv', contentType: 'text/csv' });
		const [summary] = outputOf(result, 'Audience');
		expect(summary.json).toMatchObject({ source: 'binary', format: 'csv', rows: 3, columns: ['phone1', 'name'], status: 200 });
		expect(summary.pairedItem).toEqual([{ item: 0 }]);
	}, 5 * 60_000);

	it('sends an XLSX made by "Convert to File" as it is', async () => {
		const result = await fixture.n8n.execute('cbBinaryXlsx');
		expect(result.error).toBeUndefined();
		expect(writesSince(fixture, 0).map((r) => [r.path, r.status, r.ids])).toEqual([['/Audiences/1001', 200, 3]]);
		const audience = fixture.sandbox.state().commBox.audiences['1001'];
		expect(audience.rows.map((row) => row.phone1)).toEqual(['442079832100', '972501234567', '33612345678']);
		expect(audience.lastUpload).toMatchObject({
			fileName: 'File.xlsx',
			contentType: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
		});
		expect(outputOf(result, 'Audience')[0].json).toMatchObject({ format: 'xlsx', rows: null, status: 200 });
	}, 5 * 60_000);

	it('refuses a CSV without a phone1 column, and several files in one run, before sending anything', async () => {
		const noPhone1 = await fixture.n8n.execute('cbBinaryNoPhone1');
		expect(noPhone1.error?.message).toBe('The CSV file in "data" has no phone1 column, which CommBox requires. Nothing was sent.');
		expect(String(noPhone1.error?.description)).toMatch(/Its header is: "phone", "name"/);

		const twoFiles = await fixture.n8n.execute('cbBinaryTwoFiles');
		expect(twoFiles.error?.message).toMatch(/^Item 2 carries a second file in "data" \(item 1 already does\)/);
		expect(fixture.sandbox.requests()).toHaveLength(0);
	}, 5 * 60_000);

	it('explains a refused Dynamic audience and an unknown ID, never showing the API key', async () => {
		const dynamic = await fixture.n8n.execute('cbDynamic');
		expect(dynamic.error?.message).toBe('CommBox answered 400: Bad Request - only Static audiences can be updated (audience 1002 is Dynamic)');
		expect(dynamic.error?.description).toMatch(/^Only Static audiences can be replaced: audience 1002 \("sandbox_dynamic"\) is Dynamic/);

		const unknown = await fixture.n8n.execute('cbUnknown');
		expect(unknown.error?.message).toBe('CommBox answered 404: Not Found');
		expect(unknown.error?.description).toMatch(/^No CommBox audience has the ID "999999"/);

		expect(writesSince(fixture, 0).map((r) => [r.path, r.status])).toEqual([
			['/Audiences/1002', 400],
			['/Audiences/999999', 404],
		]);
		noSecret(dynamic, unknown);
	}, 5 * 60_000);

	it('neutralizes formula cells ("All Fields" columns) and retries a throttled upload', async () => {
		fixture.sandbox.setFaults({ rules: [{ api: 'commBox', route: 'PUT /Audiences', kind: '429', count: 2, retryAfterSeconds: 1 }] });
		const result = await fixture.n8n.execute('cbFormula');
		expect(result.error).toBeUndefined();
		expect(writesSince(fixture, 0).map((r) => r.status)).toEqual([429, 429, 200]);

		const audience = fixture.sandbox.state().commBox.audiences['1001'];
		expect(audience.lastUpload?.text).toBe(`phone1,name,note,city\r\n442079832100,"'=HYPERLINK(""http://evil"")",'+1 call me,Paris`);
		expect(audience.rows).toEqual([{ phone1: '442079832100', name: `'=HYPERLINK("http://evil")`, note: `'+1 call me`, city: 'Paris' }]);
		noSecret(result);
	}, 5 * 60_000);

	it('never empties an audience from an empty input unless "Allow Empty Replace" is on', async () => {
		await seedAudience1001(fixture, 'phone1\n442079832100\n972501234567\n');
		const before = fixture.sandbox.requests().length;

		const refused = await fixture.n8n.execute('cbEmpty');
		expect(refused.error?.message).toBe('No valid row to send: replacing would remove every customer of CommBox audience 1001. Nothing was sent.');
		expect(writesSince(fixture, before)).toHaveLength(0);
		expect(fixture.sandbox.state().commBox.audiences['1001'].rows).toHaveLength(2);

		const allowed = await fixture.n8n.execute('cbEmptyAllowed');
		expect(allowed.error).toBeUndefined();
		expect(writesSince(fixture, before).map((r) => [r.status, r.ids])).toEqual([[200, 0]]);
		const audience = fixture.sandbox.state().commBox.audiences['1001'];
		expect(audience.rows).toEqual([]);
		expect(audience.lastUpload?.text).toBe('phone1');
		expect(outputOf(allowed, 'Audience')[0].json).toMatchObject({ rows: 0, status: 200 });
	}, 5 * 60_000);

	it('dry run builds and reports the file but sends nothing', async () => {
		const result = await fixture.n8n.execute('cbDryRun');
		expect(result.error).toBeUndefined();
		expect(fixture.sandbox.requests()).toHaveLength(0);
		const [summary] = outputOf(result, 'Audience');
		expect(summary.json).toMatchObject({ dryRun: true, rows: 500, columns: ['phone1', 'name'], fileName: 'audience.csv', status: null });
		const lines = range(500).map((i) => `4474001${String(i).padStart(5, '0')},n${i}`);
		expect(summary.json.bytes).toBe(Buffer.byteLength(['phone1,name', ...lines].join('\r\n')));
		expect(summary.json.firstRows).toHaveLength(10);
		expect(summary.json.firstRows[0]).toEqual({ phone1: '447400100000', name: 'n0' });
		expect(pairedIndexes([summary])).toEqual(range(500));
	}, 5 * 60_000);

	it('creates a Static audience from items, then lists the Static audiences', async () => {
		const result = await fixture.n8n.execute('cbCreateAndList');
		expect(result.error).toBeUndefined();
		const [created] = outputOf(result, 'Audience');
		expect(created.json).toMatchObject({ audienceId: '1003', name: 'NE_USA-above50', rows: 3, status: 201, description: 'Audience created' });
		expect(fixture.sandbox.state().commBox.audiences['1003']).toMatchObject({ name: 'NE_USA-above50', type: 'Static', user_count: 3, columns: ['phone1', 'name'] });

		const listed = outputOf(result, 'List');
		expect(listed.map((i) => [i.json.id, i.json.type])).toEqual([
			['1001', 'Static'],
			['1003', 'Static'],
		]);
		expect(listed.every((i) => i.pairedItem?.item === 0 || i.pairedItem?.[0]?.item === 0)).toBe(true);
	}, 5 * 60_000);
});
