import { startSandbox, type Sandbox } from '../../sandbox';
import { pairedIndexes } from '../../harness/fixture';
import { LocalN8n, outputOf, type Credential, type RunResult } from '../../harness/n8n';
import { AUDIENCE, byName, CREDENTIAL_REFS, linearWorkflow, sandboxCredentials, type NodeSpec } from '../../harness/workflows';
import { type LoopbackServer, type Responder, startLoopbackServer } from '../node/loopback';
import { secretForms } from '../../nodes/Audience/engine/secrets';

/**
 * The security rules of the request path in a real n8n 2.40.7 loading the built package: redirects
 * that would carry the keys elsewhere, app keys masked in every form they are sent, CommBox audience
 * IDs and prototype attribute names checked per item, formula cells in a CSV built from items.
 * A stub API on loopback redirects or echoes the path; a second server stands for "another host".
 */
const REST_KEY = 'e2e-rest-key-0123456789';
const PROJECT_KEY = 'project_e2e0664hxvwffvbpn278gxdy';
const LEGACY_REST_KEY = 'e2e-legacy-rest-key-9876';
const STUB_KEYS = [REST_KEY, PROJECT_KEY, LEGACY_REST_KEY];

/** App keys as a user may paste them; the first two are the sandbox's key once trimmed. */
const APP_KEYS = {
	newline: 'sandbox-app-key\n',
	spaces: '   sandbox-app-key',
	encodes: ' my secret/key+é?&= \n',
};
type AppKeyCase = keyof typeof APP_KEYS;


/** Everything a user or an operator can see of a run: run data, the error, what n8n printed. */
const visibleText = (run: RunResult) => [JSON.stringify({ runData: run.runData, error: run.error }), run.log].join('\n');

function expectNoKeys(text: string, keys: string[]): void {
	for (const key of keys) for (const form of secretForms(key)) expect(text).not.toContain(form);
}

/** Credential IDs and names for the stub and the app key cases (the sandbox ones come from the harness). */
const stubBatch = { batchApi: { id: 'secStubBatch01', name: 'Batch, redirecting API' } };
const legacyRef = (keyCase: AppKeyCase, target: 'sandbox' | 'stub') => ({
	batchCustomAudienceApi: { id: `secKey${target === 'stub' ? 'Stub' : 'Sbox'}${keyCase}`.padEnd(14, '0'), name: `App key ${keyCase} (${target})` },
});
/** Base URLs of the app key runs: a path prefix for some, so the key is not at a fixed position. */
const LEGACY_PREFIX: Record<AppKeyCase, { sandbox: string; stub: string }> = {
	newline: { sandbox: '', stub: '' },
	spaces: { sandbox: '/prefix', stub: '' },
	encodes: { sandbox: '/prefix', stub: '/prefix' },
};

function extraCredentials(sandbox: Sandbox, api: LoopbackServer): Credential[] {
	const legacy = Object.entries(APP_KEYS).flatMap(([keyCase, appApiKey]) =>
		(['sandbox', 'stub'] as const).map((target) => {
			const ref = legacyRef(keyCase as AppKeyCase, target).batchCustomAudienceApi;
			const prefix = LEGACY_PREFIX[keyCase as AppKeyCase][target];
			const [baseUrl, restApiKey] = target === 'sandbox' ? [sandbox.url + prefix, 'sandbox-rest-key'] : [api.url + prefix, LEGACY_REST_KEY];
			return { ...ref, type: 'batchCustomAudienceApi', data: { restApiKey, appApiKey, apiVersion: '1.1', baseUrl } };
		}),
	);
	return [
		{ ...stubBatch.batchApi, type: 'batchApi', data: { restApiKey: REST_KEY, projectKey: PROJECT_KEY, baseUrl: api.url, apiVersion: '2.11' } },
		...legacy,
	];
}

const node = (resource: string, operation: string, parameters: Record<string, unknown>, credentials: Record<string, unknown>, extra: Partial<NodeSpec> = {}): NodeSpec => ({
	name: 'Audience',
	type: AUDIENCE,
	parameters: { resource, operation, ...parameters },
	credentials,
	...extra,
});

const ONE_ITEM = 'return [{ json: { id: "u1" } }];';
const CB_IDS = ['..', '.', '1/2', '%2e%2e'];
const PROTO_ITEMS = `return [
  { id: 'u1', plan: 'pro', extra: 'tier' },
  { id: 'u2', plan: 'pro', extra: '__proto__' },
  { id: 'u3', plan: 'basic', extra: 'tier' },
].map((json) => ({ json }));`;
const CSV_ITEMS = `return [
  { phone: '+33 6 12 34 56 78', balance: '-12.5', landline: '+33 1 23', formula: '=1+1', at: '@SUM(A1)' },
  { phone: '+44 20 7983 2100', balance: -3, landline: '0033 1 23', formula: 'a=b', at: 'x@y' },
].map((json) => ({ json }));`;

const workflows = [
	linearWorkflow('secRedirUpdate', ONE_ITEM, [node('batch', 'update', { audience: byName('vip'), options: { maxRetries: 0 } }, stubBatch)]),
	linearWorkflow('secRedirGetMany', ONE_ITEM, [node('batch', 'getMany', {}, stubBatch)]),
	...Object.keys(APP_KEYS).flatMap((keyCase) =>
		(['sandbox', 'stub'] as const).map((target) =>
			linearWorkflow(`secKey_${keyCase}_${target}`, ONE_ITEM, [
				node('batchCustomAudience', 'update', { audience: byName('does_not_exist'), options: { maxRetries: 0 } }, legacyRef(keyCase as AppKeyCase, target)),
			]),
		),
	),
	...CB_IDS.map((audienceId, k) =>
		linearWorkflow(`secCbId${k}`, `return [{ json: { phone: '+33612345678', audienceId: ${JSON.stringify(audienceId)} } }];`, [
			node('commBox', 'replaceStatic', { audience: { __rl: true, mode: 'id', value: '={{ $json.audienceId }}' }, source: 'items' }, CREDENTIAL_REFS.commBox),
		]),
	),
	linearWorkflow('secProtoAttr', PROTO_ITEMS, [
		node(
			'batch',
			'update',
			{
				audience: byName('sandbox_audience'),
				attributeMode: 'fields',
				attributes: {
					attribute: [
						{ name: 'plan', type: 'string', value: '={{ $json.plan }}' },
						{ name: '={{ $json.extra }}', type: 'auto', value: 'gold' },
					],
				},
			},
			CREDENTIAL_REFS.batch,
			{ onError: 'continueErrorOutput' },
		),
	]),
	linearWorkflow('secCsvFormula', CSV_ITEMS, [
		node('commBox', 'replaceStatic', { audience: { __rl: true, mode: 'id', value: '1001' }, source: 'items', extraColumns: 'allFields' }, CREDENTIAL_REFS.commBox),
	]),
];

describe('security rules in a real n8n', () => {
	let sandbox: Sandbox;
	let n8n: LocalN8n;
	/** Stands for another host: whatever reaches it is a leak. */
	let otherHost: LoopbackServer;
	let api: LoopbackServer;
	let respond: Responder = () => undefined;

	beforeAll(async () => {
		sandbox = await startSandbox({ port: 0, indexingDelayMs: 100 });
		otherHost = await startLoopbackServer();
		api = await startLoopbackServer({ respond: (request, response) => respond(request, response) });
		n8n = new LocalN8n();
		await n8n.importCredentials([...sandboxCredentials(sandbox.url), ...extraCredentials(sandbox, api)]);
		await n8n.importWorkflows(workflows);
	}, 20 * 60_000);
	afterAll(async () => {
		n8n?.dispose();
		await Promise.all([sandbox?.stop(), otherHost?.close(), api?.close()]);
	});
	beforeEach(() => {
		sandbox.reset();
		otherHost.received.length = 0;
		api.received.length = 0;
	});

	/** The stub answers every request with this redirect. */
	const redirectTo = (location: string): Responder => (_request, response) => {
		response.writeHead(307, { Location: location, 'Content-Type': 'application/json' });
		response.end('{}');
	};

	describe('a Batch API answering 307 is not followed with the keys', () => {
		it.each([
			['Update', 'secRedirUpdate', '/2.11/audiences/update'],
			['Get Many', 'secRedirGetMany', '/2.11/audiences/list'],
		])('%s: a redirect to another origin fails naming the status and that origin; the other host receives nothing', async (_label, workflowId, path) => {
			respond = redirectTo(`${otherHost.url}/steal?key=${REST_KEY}&project=${PROJECT_KEY}`);
			const run = await n8n.execute(workflowId);

			expect(run.error?.message).toMatch(new RegExp(`answered 307 with a redirect to another origin \\(${otherHost.url.replace(/\./g, '\\.')}\\)`));
			expect(otherHost.received).toEqual([]);
			expect(api.received.map((r) => r.path)).toEqual([path]);
			expect(visibleText(run)).not.toContain('/steal');
			expectNoKeys(visibleText(run), STUB_KEYS);
		}, 5 * 60_000);

		it.each([
			['Update', 'secRedirUpdate', '/2.11/audiences/update'],
			['Get Many', 'secRedirGetMany', '/2.11/audiences/list'],
		])('%s: a redirect to a plain-http non-loopback host is refused by the Base URL rule; nothing reaches it', async (_label, workflowId, path) => {
			// 0.0.0.0 is not a loopback name for the Base URL rule, yet a client that followed would reach the other host here.
			const target = `http://0.0.0.0:${otherHost.port}`;
			respond = redirectTo(`${target}/steal?key=${REST_KEY}`);
			const run = await n8n.execute(workflowId);

			expect(run.error?.message).toContain(`answered 307 with a redirect to ${target}, which the Base URL rule refuses`);
			expect(otherHost.received).toEqual([]);
			expect(api.received.map((r) => r.path)).toEqual([path]);
			expect(visibleText(run)).not.toContain('/steal');
			expectNoKeys(visibleText(run), STUB_KEYS);
		}, 5 * 60_000);
	});

	describe('legacy app keys pasted with whitespace or characters that URL-encode are masked', () => {
		/** A legacy API that refuses the key and echoes the path it received, as sent and decoded. */
		const echoPath: Responder = (request, response) => {
			response.writeHead(403, { 'Content-Type': 'application/json' });
			response.end(JSON.stringify({ error_code: 12, error_message: `No app for ${request.path} (${decodeURIComponent(request.path)})` }));
		};

		it.each(Object.keys(APP_KEYS) as AppKeyCase[])('app key with %s: an API echoing the path, the error and the run data never show it', async (keyCase) => {
			const key = APP_KEYS[keyCase];
			respond = echoPath;
			const run = await n8n.execute(`secKey_${keyCase}_stub`);

			// The key really went out (trimmed, encoded once) and came back in the answer.
			const prefix = LEGACY_PREFIX[keyCase].stub;
			expect(api.received.map((r) => r.path)).toEqual([`${prefix}/1.1/${encodeURIComponent(key.trim())}/custom-audience/does_not_exist`]);
			expect(run.error?.message).toContain('No app for');
			expect(run.error?.message).toContain(`${prefix}/1.1/***/custom-audience/does_not_exist`);
			expectNoKeys([run.error?.message, run.error?.description, visibleText(run)].join('\n'), [key, LEGACY_REST_KEY]);
		}, 5 * 60_000);

		it.each(Object.keys(APP_KEYS) as AppKeyCase[])('app key with %s: a failing sandbox request; neither the error nor the sandbox log shows it', async (keyCase) => {
			const key = APP_KEYS[keyCase];
			const run = await n8n.execute(`secKey_${keyCase}_sandbox`);

			expect(run.error?.message).toMatch(/answered (400|403|404)/);
			const log = sandbox.requests();
			const prefix = LEGACY_PREFIX[keyCase].sandbox;
			expect(log.map((entry) => [entry.method, entry.path])).toEqual([['PATCH', `${prefix}/1.1/***/custom-audience/does_not_exist`]]);
			expectNoKeys([run.error?.message, run.error?.description, visibleText(run), JSON.stringify(log)].join('\n'), [key, 'sandbox-rest-key']);
		}, 5 * 60_000);
	});

	it.each(CB_IDS.map((id, k) => [id, k]))('CommBox Replace Static: audience ID %p from an expression is refused before any request', async (audienceId, k) => {
		const run = await n8n.execute(`secCbId${k}`);

		expect(run.error?.message).toBe(
			`Item 1 gives the audience ID ${JSON.stringify(audienceId)}, which is not a CommBox audience ID (digits only). Nothing was sent.`,
		);
		expect(sandbox.requests()).toEqual([]);
		expect(sandbox.state().commBox.audiences['1001'].rows).toEqual([]);
	}, 5 * 60_000);

	it('Batch Update: a mapped attribute named "__proto__" makes its item invalid, on the error output; the others are delivered', async () => {
		const run = await n8n.execute('secProtoAttr');
		expect(run.error).toBeUndefined();
		await sandbox.whenIdle();

		const failed = outputOf(run, 'Audience', 1);
		expect(failed.map((item) => item.json.error)).toEqual([
			expect.stringMatching(/^Item 2 \(id "u2"\): attribute name "__proto__" is reserved/),
		]);
		expect(pairedIndexes(failed)).toEqual([1]);
		const sent = outputOf(run, 'Audience', 0);
		expect(sent.map((item) => item.json)).toEqual([expect.objectContaining({ ids: 2, added: 2 })]);
		expect(pairedIndexes(sent)).toEqual([0, 2]);
		expect(sandbox.state().batch.audiences.sandbox_audience.members).toEqual({
			u1: { plan: 'pro', tier: 'gold' },
			u3: { plan: 'basic', tier: 'gold' },
		});
	}, 5 * 60_000);

	it('CommBox Replace Static from items: numbers and phone-like text arrive unchanged, formulas neutralized, phone1 never prefixed', async () => {
		const run = await n8n.execute('secCsvFormula');
		expect(run.error).toBeUndefined();

		const audience = sandbox.state().commBox.audiences['1001'];
		expect(audience.lastUpload?.text).toBe(
			["phone1,balance,landline,formula,at", "33612345678,-12.5,+33 1 23,'=1+1,'@SUM(A1)", '442079832100,-3,0033 1 23,a=b,x@y'].join('\r\n'),
		);
		expect(audience.rows).toEqual([
			{ phone1: '33612345678', balance: '-12.5', landline: '+33 1 23', formula: "'=1+1", at: "'@SUM(A1)" },
			{ phone1: '442079832100', balance: '-3', landline: '0033 1 23', formula: 'a=b', at: 'x@y' },
		]);
	}, 5 * 60_000);
});
