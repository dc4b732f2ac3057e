import { startSandbox, type Sandbox } from '../../sandbox';
import { pairedIndexes, range, type E2eFixture } from '../../harness/fixture';
import { LocalN8n, outputOf, type Credential, type RunResult } from '../../harness/n8n';
import { AUDIENCE, byName, CREDENTIAL_REFS, linearWorkflow, sandboxCredentials, type NodeSpec, TYPED_ATTRIBUTES } from '../../harness/workflows';

/**
 * Issue "Batch Custom Audience API 1.x (legacy)" in a real n8n 2.40.7 against the sandbox: update
 * with attributes and tags, replace, check indexing, delete, get many, every documented error code
 * a workflow can produce, and names that must never reach the path.
 */
const BAD_REST_KEY = 'wrong-rest-key-0001';
const UNKNOWN_APP_KEY = 'unknown-app-key-0042';
const extraCredentials = (baseUrl: string): Credential[] => [
	{ id: 'legacyBadRest1', name: 'Legacy, bad REST key', type: 'batchCustomAudienceApi', data: { restApiKey: BAD_REST_KEY, appApiKey: 'sandbox-app-key', apiVersion: '1.1', baseUrl } },
	{ id: 'legacyBadApp01', name: 'Legacy, unknown app', type: 'batchCustomAudienceApi', data: { restApiKey: 'sandbox-rest-key', appApiKey: UNKNOWN_APP_KEY, apiVersion: '1.1', baseUrl } },
];
const SECRETS = ['sandbox-rest-key', 'sandbox-app-key', BAD_REST_KEY, UNKNOWN_APP_KEY];

const legacy = (name: string, operation: string, parameters: Record<string, unknown>, extra: Partial<NodeSpec> = {}): NodeSpec => ({
	name,
	type: AUDIENCE,
	parameters: { resource: 'batchCustomAudience', operation, ...parameters },
	credentials: CREDENTIAL_REFS.batchCustomAudience,
	...extra,
});

// 14,999 adds (tags as a list or as a comma-separated text) and the removal of an existing member.
const INSTALLS = `
const items = [];
for (let i = 0; i < 14999; i++) items.push({ json: { id: 'install-' + i, action: 'add', plan: i % 2 ? 'pro' : 'free', score: i % 100, since: '2024-01-15T10:00:00Z', tags: i % 2 ? ['vip', 'beta'] : 'newsletter, fr' } });
items.push({ json: { id: 'old-1', action: 'remove' } });
return items;`;

const ONE_ITEM = 'return [{ json: { id: "i-1" } }];';
const BAD_NAMES = `return ['../x', 'a/b', '%2e%2e'].map((list, i) => ({ json: { id: 'n-' + i, list } }));`;
const fromItem = '={{ $json.list }}';
const failing = (retries: number) => legacy('Audience', 'update', { audience: byName('sandbox_audience'), options: { maxRetries: retries } });

const workflows = [
	linearWorkflow('legacyUpdate15k', INSTALLS, [
		legacy('Audience', 'update', { audience: byName('legacy_crm'), action: '={{ $json.action }}', ...TYPED_ATTRIBUTES, tags: '={{ $json.tags }}' }),
		legacy('Check Indexing', 'checkIndexing', { options: { waitUntilDone: true, pollInterval: 0.2 } }),
	]),
	linearWorkflow('legacyReplace12k', 'return Array.from({ length: 12000 }, (_, i) => ({ json: { id: `new-${i}` } }));', [
		legacy('Audience', 'replace', { audience: byName('nightly'), tags: 'fresh, q3', options: { waitForIndexing: true, pollInterval: 0.2 } }),
	]),
	linearWorkflow('legacyDeleteThenList', ONE_ITEM, [
		legacy('Delete', 'delete', { audience: byName('to_delete') }),
		legacy('Get Many', 'getMany', { returnAll: true }),
	]),
	linearWorkflow('legacyListLimit', ONE_ITEM, [legacy('Get Many', 'getMany', { returnAll: false, limit: 150 })]),
	// The three nodes side by side, each reading the names from the items themselves: after a node,
	// `$("Items").item` evaluates to nothing in n8n 1.123.81's default (vm) expression engine.
	{
		...linearWorkflow('legacyBadNames', BAD_NAMES, [
			legacy('Audience', 'update', { audience: { __rl: true, mode: 'name', value: fromItem } }, { onError: 'continueRegularOutput' }),
			legacy('Delete', 'delete', { audience: { __rl: true, mode: 'name', value: fromItem } }, { onError: 'continueRegularOutput' }),
			legacy('Check Indexing', 'checkIndexing', { audience: { __rl: true, mode: 'name', value: fromItem } }, { onError: 'continueRegularOutput' }),
		]),
		connections: {
			Start: { main: [[{ node: 'Items', type: 'main', index: 0 }]] },
			Items: { main: [['Audience', 'Delete', 'Check Indexing'].map((node) => ({ node, type: 'main', index: 0 }))] },
		},
	},
	linearWorkflow('legacyCode10', ONE_ITEM, [
		{ ...failing(0), credentials: { batchCustomAudienceApi: { id: 'legacyBadRest1', name: 'Legacy, bad REST key' } } },
	]),
	linearWorkflow('legacyCode12', ONE_ITEM, [
		{ ...failing(0), credentials: { batchCustomAudienceApi: { id: 'legacyBadApp01', name: 'Legacy, unknown app' } } },
	]),
	linearWorkflow('legacyCode20', ONE_ITEM, [legacy('Audience', 'update', { audience: byName('does_not_exist') })]),
	linearWorkflow('legacyCode31', ONE_ITEM, [
		legacy('Check Indexing', 'checkIndexing', { audience: byName('sandbox_audience'), indexingToken: '0123456789abcdef0123456789abcdef' }),
	]),
	linearWorkflow('legacyCode1', ONE_ITEM, [failing(1)]),
	linearWorkflow('legacyCode2', ONE_ITEM, [failing(1)]),
];

async function legacyCall(sandbox: Sandbox, method: string, name: string, body?: unknown): Promise<void> {
	const response = await fetch(`${sandbox.url}/1.1/sandbox-app-key/custom-audience/${name}`, {
		method,
		headers: { 'X-Authorization': 'sandbox-rest-key', 'Content-Type': 'application/json' },
		body: body === undefined ? undefined : JSON.stringify(body),
	});
	if (response.status !== 201) throw new Error(`${method} ${name}: ${response.status} ${await response.text()}`);
}

async function createLegacyAudience(sandbox: Sandbox, name: string, memberIds: string[] = []): Promise<void> {
	await legacyCall(sandbox, 'POST', name, { type: 'install_ids', description: `${name} audience` });
	if (memberIds.length) await legacyCall(sandbox, 'PATCH', name, { ids: memberIds.map((id) => ({ action: 'add', id })) });
	await sandbox.whenIdle();
}

function expectNoSecrets(run: RunResult): void {
	const everything = JSON.stringify({ runData: run.runData, error: run.error });
	for (const secret of SECRETS) expect(everything).not.toContain(secret);
}

describe('Batch Custom Audience API 1.x in a real n8n', () => {
	let fixture: E2eFixture;
	let logStart = 0;
	const sent = () => fixture.sandbox.requests().slice(logStart);

	beforeAll(async () => {
		const sandbox = await startSandbox({ port: 0, indexingDelayMs: 100 });
		const n8n = new LocalN8n();
		fixture = { sandbox, n8n };
		await n8n.importCredentials([...sandboxCredentials(sandbox.url), ...extraCredentials(sandbox.url)]);
		await n8n.importWorkflows(workflows);
	}, 20 * 60_000);
	afterAll(async () => {
		fixture?.n8n.dispose();
		await fixture?.sandbox.stop();
	});
	beforeEach(() => fixture.sandbox.reset());

	it('sends 15,000 items with attributes and tags as exactly 2 PATCH requests; Check Indexing waits until APPLIED', async () => {
		await createLegacyAudience(fixture.sandbox, 'legacy_crm', ['old-1', 'old-2']);
		logStart = fixture.sandbox.requests().length;
		const result = await fixture.n8n.execute('legacyUpdate15k');
		expect(result.error).toBeUndefined();

		const writes = sent().filter((r) => r.method !== 'GET');
		// The 2 requests are in flight together: their arrival order is not fixed.
		expect(writes.map((r) => [r.method, r.route, r.status, r.ids]).sort((a, b) => Number(b[3]) - Number(a[3]))).toEqual([
			['PATCH', 'update', 201, 10000],
			['PATCH', 'update', 201, 5000],
		]);
		expect(writes.every((r) => r.path === '/1.1/***/custom-audience/legacy_crm')).toBe(true);

		const members = fixture.sandbox.state().customAudience.audiences.legacy_crm.members;
		expect(Object.keys(members)).toHaveLength(15000);
		expect(members['old-1']).toBeUndefined();
		expect(members['old-2']).toEqual({ attributes: {}, tags: [] });
		expect(members['install-1']).toEqual({ attributes: { plan: 'pro', score: 1, 'date(since)': '2024-01-15T10:00:00Z' }, tags: ['vip', 'beta'] });
		expect(members['install-14998']).toEqual({ attributes: { plan: 'free', score: 98, 'date(since)': '2024-01-15T10:00:00Z' }, tags: ['newsletter', 'fr'] });

		const updates = outputOf(result, 'Audience');
		expect(updates.map((i) => [i.json.audience, i.json.ids, i.json.added, i.json.removed])).toEqual([
			['legacy_crm', 10000, 10000, 0],
			['legacy_crm', 5000, 4999, 1],
		]);
		expect(pairedIndexes(updates)).toEqual(range(15000));

		const checks = outputOf(result, 'Check Indexing');
		expect(checks.map((i) => [i.json.audience, i.json.indexingToken, i.json.indexingState, i.json.done])).toEqual(
			updates.map((u) => ['legacy_crm', u.json.indexingToken, 'APPLIED', true]),
		);
		// The 2 requests are in flight together, and the sandbox applies one audience's writes in the
		// order it accepted them: the token accepted last is APPLIED only with both chunks (15,000
		// members); the other one may be seen with its own chunk alone (2 old + 10,000, or 2 old +
		// 4,999 added - 1 removed = 5,000).
		const sizes = checks.map((check) => check.json.nb_ids);
		expect(sizes).toContain(15000);
		expect([10002, 15000]).toContain(sizes[0]);
		expect([5000, 15000]).toContain(sizes[1]);
		expect(sent().filter((r) => r.route === 'view').every((r) => /\/custom-audience\/legacy_crm\?indexing_token=[0-9a-f]{32}$/.test(r.path))).toBe(true);
	}, 10 * 60_000);

	it('replaces an audience holding others with exactly the new members (PUT, then PATCH the rest once applied)', async () => {
		await createLegacyAudience(fixture.sandbox, 'nightly', range(500).map((i) => `old-${i}`));
		logStart = fixture.sandbox.requests().length;
		const result = await fixture.n8n.execute('legacyReplace12k');
		expect(result.error).toBeUndefined();

		expect(sent().filter((r) => r.method !== 'GET').map((r) => [r.method, r.status, r.ids])).toEqual([
			['PUT', 201, 10000],
			['PATCH', 201, 2000],
		]);
		const audience = fixture.sandbox.state().customAudience.audiences.nightly;
		expect(Object.keys(audience.members).sort()).toEqual(range(12000).map((i) => `new-${i}`).sort());
		expect(audience.members['new-11999']).toEqual({ attributes: {}, tags: ['fresh', 'q3'] });

		const items = outputOf(result, 'Audience');
		expect(items.map((i) => [i.json.operation, i.json.ids, i.json.indexingState])).toEqual([
			['replace', 10000, 'APPLIED'],
			['update', 2000, 'APPLIED'],
		]);
		expect(pairedIndexes(items)).toEqual(range(12000));
	}, 10 * 60_000);

	it('deletes an audience, then Get Many walks every offset page', async () => {
		for (const i of range(230)) await legacyCall(fixture.sandbox, 'POST', `list_${i}`, { type: 'install_ids' });
		await createLegacyAudience(fixture.sandbox, 'to_delete');
		logStart = fixture.sandbox.requests().length;
		const result = await fixture.n8n.execute('legacyDeleteThenList');
		expect(result.error).toBeUndefined();

		expect(outputOf(result, 'Delete').map((i) => i.json)).toEqual([{ audience: 'to_delete', deleted: true }]);
		expect(fixture.sandbox.state().customAudience.audiences.to_delete).toBeUndefined();
		expect(sent().map((r) => [r.method, r.path, r.status])).toEqual([
			['DELETE', '/1.1/***/custom-audience/to_delete', 200],
			['GET', '/1.1/***/custom-audience?from=0&limit=100', 200],
			['GET', '/1.1/***/custom-audience?from=100&limit=100', 200],
			['GET', '/1.1/***/custom-audience?from=200&limit=100', 200],
		]);
		const listed = outputOf(result, 'Get Many').map((i) => i.json.name);
		expect(listed).toEqual([...range(230).reverse().map((i) => `list_${i}`), 'sandbox_audience']);
	}, 5 * 60_000);

	it('Get Many with a limit asks only for what it returns', async () => {
		for (const i of range(230)) await legacyCall(fixture.sandbox, 'POST', `list_${i}`, { type: 'install_ids' });
		logStart = fixture.sandbox.requests().length;
		const result = await fixture.n8n.execute('legacyListLimit');
		expect(result.error).toBeUndefined();
		expect(sent().map((r) => r.path)).toEqual(['/1.1/***/custom-audience?from=0&limit=100', '/1.1/***/custom-audience?from=100&limit=50']);
		expect(outputOf(result, 'Get Many').map((i) => i.json.name)).toEqual(range(150).map((i) => `list_${229 - i}`));
	}, 5 * 60_000);

	it('refuses names such as ../x, a/b and %2e%2e before any request (Update, Delete, Check Indexing)', async () => {
		logStart = fixture.sandbox.requests().length;
		const result = await fixture.n8n.execute('legacyBadNames');
		expect(result.error).toBeUndefined();
		expect(sent()).toHaveLength(0);
		for (const node of ['Audience', 'Delete', 'Check Indexing']) {
			const errors = outputOf(result, node).map((i) => i.json.error);
			expect(errors).toEqual([
				expect.stringMatching(/audience name "\.\.\/x" is not valid/),
				expect.stringMatching(/audience name "a\/b" is not valid/),
				expect.stringMatching(/audience name "%2e%2e" is not valid/),
			]);
		}
	}, 5 * 60_000);

	describe('each documented error code, produced by the sandbox', () => {
		it.each([
			['legacyCode10', 401, 'AUTHENTICATION_INVALID \\(code 10\\): The X-Authorization header is missing or invalid', /Check the REST API key/],
			['legacyCode12', 403, 'API_MISUSE \\(code 12\\): The API key in the path does not belong to an app', /App API Key/],
			['legacyCode20', 404, 'ROUTE_NOT_FOUND \\(code 20\\): The custom audience "does_not_exist" does not exist', /audience name/],
			['legacyCode31', 400, 'MALFORMED_PARAMETER \\(code 31\\): indexing_token is not a token of the audience "sandbox_audience"', /indexing token/],
		])('%s: %i', async (workflow, status, message, hint) => {
			logStart = fixture.sandbox.requests().length;
			const result = await fixture.n8n.execute(workflow);
			expect(result.error?.message).toMatch(new RegExp(`^Batch Custom Audience API answered ${status}: ${message}$`));
			expect(result.error?.description).toMatch(hint);
			expect(sent().map((r) => r.status)).toEqual([status]);
			expectNoSecrets(result);
		}, 5 * 60_000);

		it.each([
			['legacyCode1', '500', 'SERVER_ERROR \\(code 1\\)', /unexpected error/],
			['legacyCode2', '503', 'MAINTENANCE_ERROR \\(code 2\\)', /maintenance/],
		])('%s: %s after the retries', async (workflow, kind, message, hint) => {
			fixture.sandbox.setFaults({ rules: [{ api: 'customAudience', route: 'update', kind: kind as '500' | '503', count: 5 }] });
			logStart = fixture.sandbox.requests().length;
			const result = await fixture.n8n.execute(workflow);
			// A 5xx after the last retry may have been applied: the outcome is unknown, never "not accepted".
			expect(result.error?.message).toMatch(
				new RegExp(
					`^Request 1 of 1 to audience "sandbox_audience" has an unknown outcome \\(it may have been applied\\): Batch Custom Audience API answered ${kind}: ${message}: Injected fault: ${kind} \\(after 2 attempts\\)\\. Audience "sandbox_audience": item 1 \\(1 id\\) outcome unknown \\(may have been applied\\)\\. The outcome of 1 request is unknown: .* Running the workflow again is safe`,
				),
			);
			expect(result.error?.description).toMatch(hint);
			expect(result.error?.description).not.toMatch(/No request of this run was accepted/);
			expect(sent().map((r) => [r.status, r.fault])).toEqual([
				[Number(kind), kind],
				[Number(kind), kind],
			]);
			expectNoSecrets(result);
		}, 5 * 60_000);
	});
});
