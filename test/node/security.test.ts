/**
 * Security rules of the request path, run through n8n-core (harness `runWorkflow`,
 * `runCredentialTest`) against real HTTP servers on loopback: a stub API that redirects or echoes
 * the request path, a second server standing for "another host", and the sandbox.
 */
import type { IDataObject, INodeParameters } from 'n8n-workflow';
import { type Sandbox, SANDBOX_CREDENTIALS, startSandbox } from '../../sandbox';
import { AUDIENCE, type CredentialsByType, itemsWorkflow, runCredentialTest, runWorkflow, type WorkflowNode } from './harness';
import { type LoopbackServer, type ReceivedRequest, type Responder, startLoopbackServer } from './loopback';

let sandbox: Sandbox;
/** Stands for another host: whatever reaches it is a leak. */
let otherHost: LoopbackServer;
let api: LoopbackServer;
let respond: Responder;

beforeAll(async () => {
	sandbox = await startSandbox({ indexingDelayMs: 0, port: 0 });
	otherHost = await startLoopbackServer();
	api = await startLoopbackServer({ respond: (request, response) => respond(request, response) });
});

afterAll(async () => {
	await Promise.all([sandbox.stop(), otherHost.close(), api.close()]);
});

beforeEach(() => {
	sandbox.reset();
	otherHost.received.length = 0;
	api.received.length = 0;
});

const REST_KEY = 'rest-key-0123456789';
const PROJECT_KEY = 'project_0664hxvwffvbpn278gxdyhsadddqgna6';
const LEGACY_REST_KEY = 'legacy-rest-key-9876';
const APP_KEY = 'APP0KEY0123456789';
const COMMBOX_KEY = 'commbox-key-4567';
const ALL_KEYS = [REST_KEY, PROJECT_KEY, LEGACY_REST_KEY, APP_KEY, COMMBOX_KEY];

const credentialsFor = (baseUrl: string, appApiKey = APP_KEY): CredentialsByType => ({
	batchApi: { restApiKey: REST_KEY, projectKey: PROJECT_KEY, baseUrl, apiVersion: '2.11' },
	batchCustomAudienceApi: { restApiKey: LEGACY_REST_KEY, appApiKey, apiVersion: '1.1', baseUrl },
	commBoxApi: { apiKey: COMMBOX_KEY, baseUrl },
});

/** The sandbox's own credentials, with the legacy app key given. */
const sandboxCredentials = (baseUrl = sandbox.url, appApiKey: string = SANDBOX_CREDENTIALS.customAudienceAppKey): CredentialsByType => ({
	batchApi: { restApiKey: SANDBOX_CREDENTIALS.batchRestKey, projectKey: SANDBOX_CREDENTIALS.batchProjectKey, baseUrl, apiVersion: '2.11' },
	batchCustomAudienceApi: { restApiKey: SANDBOX_CREDENTIALS.batchRestKey, appApiKey, apiVersion: '1.1', baseUrl },
	commBoxApi: { apiKey: SANDBOX_CREDENTIALS.commBoxApiKey, baseUrl },
});

function audienceNode(parameters: IDataObject, extra: Partial<WorkflowNode> = {}): WorkflowNode {
	return { name: 'Audience', type: AUDIENCE, parameters: parameters as INodeParameters, ...extra };
}

const batchUpdate = audienceNode({ resource: 'batch', operation: 'update', audience: { __rl: true, mode: 'name', value: 'vip' }, options: {} });
const batchGetMany = audienceNode({ resource: 'batch', operation: 'getMany' });
const legacyGetMany = audienceNode({ resource: 'batchCustomAudience', operation: 'getMany' });
const commBoxGetMany = audienceNode({ resource: 'commBox', operation: 'getMany' });

/** The stub answers every request with this redirect. */
function redirectTo(location: string, status = 307): Responder {
	return (_request, response) => {
		response.writeHead(status, { Location: location, 'Content-Type': 'application/json' });
		response.end('{}');
	};
}

/** Every text the user can see of a failed run: the message, the description, the whole error. */
function errorText(run: Awaited<ReturnType<typeof runWorkflow>>): string {
	const error = run.nodes.Audience?.error ?? run.error;
	return [error?.message, error?.description, JSON.stringify(error)].join('\n');
}

const AUTH_HEADERS = ['authorization', 'x-batch-project', 'x-authorization'];
const authHeadersOf = (request: ReceivedRequest) => AUTH_HEADERS.filter((name) => name in request.headers);

describe('redirects', () => {
	it('the stub really redirects to the other host (a client that follows reaches it)', async () => {
		respond = redirectTo(`${otherHost.url}/landing`);
		const reply = await fetch(`${api.url}/anything`);
		expect(reply.status).toBe(200);
		expect(otherHost.received.map((r) => r.path)).toEqual(['/landing']);

		respond = redirectTo(`http://0.0.0.0:${otherHost.port}/landing`);
		await fetch(`${api.url}/anything`);
		expect(otherHost.received.map((r) => r.path)).toEqual(['/landing', '/landing']);
	});

	it.each([
		['Batch Update (POST)', batchUpdate],
		['Batch Get Many (GET)', batchGetMany],
		['legacy Get Many', legacyGetMany],
		['CommBox Get Many', commBoxGetMany],
	])('%s: a 307 to another origin is not followed; the error names the status and that origin only', async (_label, node) => {
		respond = redirectTo(`${otherHost.url}/steal?key=${REST_KEY}&app=${APP_KEY}`);
		const run = await runWorkflow(itemsWorkflow([{ id: 'u1' }], [node]), credentialsFor(api.url));

		expect(run.status).toBe('error');
		expect(otherHost.received).toEqual([]);
		expect(api.received).toHaveLength(1); // a redirect is not retried
		const error = run.nodes.Audience.error;
		expect(error?.message).toMatch(new RegExp(`answered 307 with a redirect to another origin \\(${otherHost.url.replace(/\./g, '\\.')}\\)`));
		const text = errorText(run);
		expect(text).not.toContain('/steal');
		expect(text).not.toContain('key=');
		for (const key of ALL_KEYS) expect(text).not.toContain(key);
	});

	it.each([
		['Batch Update (POST)', batchUpdate],
		['legacy Get Many', legacyGetMany],
	])('%s: a 308 to a plain-http non-loopback host is refused by the Base URL rule', async (_label, node) => {
		respond = redirectTo(`http://0.0.0.0:${otherHost.port}/1.1/${APP_KEY}/custom-audience`, 308);
		const run = await runWorkflow(itemsWorkflow([{ id: 'u1' }], [node]), credentialsFor(api.url));

		expect(run.status).toBe('error');
		expect(otherHost.received).toEqual([]);
		expect(run.nodes.Audience.error?.message).toContain(`answered 308 with a redirect to http://0.0.0.0:${otherHost.port}, which the Base URL rule refuses`);
		for (const key of ALL_KEYS) expect(errorText(run)).not.toContain(key);
	});

	it('a 307 to the same origin is followed with the method, body and credentials', async () => {
		respond = (request, response) => {
			if (request.path === '/2.11/audiences/update') return redirectTo('/moved/2.11/audiences/update')(request, response);
			response.writeHead(202, { 'Content-Type': 'application/json' });
			response.end(JSON.stringify({ indexing_token: 'token-after-redirect' }));
		};
		const run = await runWorkflow(itemsWorkflow([{ id: 'u1' }], [batchUpdate]), credentialsFor(api.url));

		expect(run.status).toBe('success');
		expect(run.nodes.Audience.outputs[0][0].json).toMatchObject({ audience: 'vip', indexingToken: 'token-after-redirect' });
		expect(api.received.map((r) => `${r.method} ${r.path} ${r.headers['content-length']}`)).toEqual([
			`POST /2.11/audiences/update ${api.received[0].headers['content-length']}`,
			`POST /moved/2.11/audiences/update ${api.received[0].headers['content-length']}`,
		]);
		expect(api.received.map(authHeadersOf)).toEqual([
			['authorization', 'x-batch-project'],
			['authorization', 'x-batch-project'],
		]);
	});

	it('a same-origin 302 of a POST is refused (its body would be dropped), a GET one is followed', async () => {
		respond = (request, response) => {
			if (!request.path.startsWith('/moved')) return redirectTo(`/moved${request.path}?${request.query}`, 302)(request, response);
			response.writeHead(200, { 'Content-Type': 'application/json' });
			response.end(JSON.stringify({ audiences: [{ name: 'vip', nb_ids: 3 }], has_more: false }));
		};
		const post = await runWorkflow(itemsWorkflow([{ id: 'u1' }], [batchUpdate]), credentialsFor(api.url));
		expect(post.nodes.Audience.error?.message).toContain('answered 302 with a redirect of a POST request, which would be re-sent without its body');
		expect(api.received.map((r) => r.path)).toEqual(['/2.11/audiences/update']);

		api.received.length = 0;
		const get = await runWorkflow(itemsWorkflow([{}], [batchGetMany]), credentialsFor(api.url));
		expect(get.status).toBe('success');
		expect(get.nodes.Audience.outputs[0].map((item) => item.json.name)).toEqual(['vip']);
		expect(api.received.map((r) => `${r.path}?${r.query}`)).toEqual(['/2.11/audiences/list?limit=50', '/moved/2.11/audiences/list?limit=50']);
	});

	it('a redirect loop on the same origin stops after 3 redirects', async () => {
		let hop = 0;
		respond = (request, response) => redirectTo(`/hop${++hop}`)(request, response);
		const run = await runWorkflow(itemsWorkflow([{}], [commBoxGetMany]), credentialsFor(api.url));

		expect(run.nodes.Audience.error?.message).toContain('answered 307 with a redirect more than 3 redirects in a row');
		expect(api.received.map((r) => r.path)).toEqual(['/audiences', '/hop1', '/hop2', '/hop3']);
	});

	it.each(['batchApi', 'batchCustomAudienceApi', 'commBoxApi'])(
		'%s credential test: a redirect to another origin is not followed and the test fails',
		async (type) => {
			respond = redirectTo(`${otherHost.url}/steal`);
			const result = await runCredentialTest(type, credentialsFor(api.url)[type]);

			expect(api.received).toHaveLength(1);
			expect(otherHost.received).toEqual([]);
			expect(result.error).toBeDefined();
			const text = [result.error?.message, (result.error as { description?: string }).description].join(' ');
			expect(text).toMatch(/307/);
			for (const key of ALL_KEYS) expect(text).not.toContain(key);
		},
	);
});

describe('app keys are masked in every form they are sent', () => {
	const APP_KEYS = {
		'a trailing newline': 'my-secret-app-key\n',
		'leading spaces': '   my-secret-app-key',
		'characters that URL-encode': ' my secret/key+é?&= \n',
	};
	/** The forms a key can take on the wire or in an echo of it. */
	const formsOf = (key: string) => {
		const trimmed = key.trim();
		return [trimmed, encodeURIComponent(trimmed), encodeURIComponent(trimmed).replace(/%[0-9A-F]{2}/g, (e) => e.toLowerCase()), encodeURI(trimmed)];
	};

	/** A legacy API that refuses the key and echoes the path it received, as sent and decoded. */
	const echoPath: Responder = (request, response) => {
		response.writeHead(403, { 'Content-Type': 'application/json' });
		response.end(
			JSON.stringify({ error_code: 12, error_message: `No app for ${request.path} (${decodeURIComponent(request.path)}) ${request.query}` }),
		);
	};

	it.each(Object.entries(APP_KEYS))('an app key with %s: no error text contains it, with or without a Base URL path prefix', async (_label, key) => {
		respond = echoPath;
		for (const baseUrl of [api.url, `${api.url}/prefix`]) {
			api.received.length = 0;
			const run = await runWorkflow(itemsWorkflow([{}], [legacyGetMany]), credentialsFor(baseUrl, key));

			expect(run.status).toBe('error');
			// The key really went out (trimmed, encoded once) and was echoed back.
			expect(api.received[0].path).toBe(`${baseUrl.slice(api.url.length)}/1.1/${encodeURIComponent(key.trim())}/custom-audience`);
			const text = errorText(run);
			expect(text).toContain('No app for');
			for (const form of formsOf(key)) expect(text).not.toContain(form);
		}
	});

	it.each(Object.entries(APP_KEYS))('an app key with %s: the sandbox log and the error never show it, also behind a path prefix', async (_label, key) => {
		for (const baseUrl of [sandbox.url, `${sandbox.url}/prefix`]) {
			const run = await runWorkflow(itemsWorkflow([{}], [legacyGetMany]), sandboxCredentials(baseUrl, key));
			expect(run.status).toBe('error');
			for (const form of formsOf(key)) expect(errorText(run)).not.toContain(form);
		}
		const log = sandbox.requests();
		expect(log.map((entry) => entry.path)).toEqual([
			'/1.1/***/custom-audience?from=0&limit=50',
			'/prefix/1.1/***/custom-audience?from=0&limit=50',
		]);
		for (const form of formsOf(key)) expect(JSON.stringify(log)).not.toContain(form);
	});
});

describe('CommBox audience IDs are checked before any request', () => {
	it.each(['..', '.', '1/2', '%2e%2e', '1001?x=1'])('audience ID %p from an expression is refused, naming the item', async (audienceId) => {
		const node = audienceNode({
			resource: 'commBox',
			operation: 'replaceStatic',
			audience: { __rl: true, mode: 'id', value: '={{ $json.audienceId }}' },
			source: 'items',
		});
		const run = await runWorkflow(itemsWorkflow([{ phone: '+33612345678', audienceId }], [node]), sandboxCredentials());

		expect(run.status).toBe('error');
		expect(run.nodes.Audience.error?.message).toBe(
			`Item 1 gives the audience ID ${JSON.stringify(audienceId)}, which is not a CommBox audience ID (digits only). Nothing was sent.`,
		);
		expect(sandbox.requests()).toEqual([]);
	});
});

describe('attribute names that would touch a prototype', () => {
	it.each([
		['mapped field "__proto__"', { attributeMode: 'fields', attributes: { attribute: [{ name: '__proto__', type: 'auto', value: 'x' }] } }, '__proto__'],
		['JSON key "__proto__"', { attributeMode: 'json', attributesJson: '{"plan": "pro", "__proto__": {"admin": true}}' }, '__proto__'],
		['mapped field "constructor"', { attributeMode: 'fields', attributes: { attribute: [{ name: 'constructor', type: 'auto', value: 'x' }] } }, 'constructor'],
		['JSON key "prototype"', { attributeMode: 'json', attributesJson: '{"prototype": 1}' }, 'prototype'],
	])('%s: the item is invalid with a message naming it; nothing is sent', async (_label, attributes, name) => {
		const node = audienceNode({
			resource: 'batch',
			operation: 'update',
			audience: { __rl: true, mode: 'name', value: 'sandbox_audience' },
			...attributes,
			options: {},
		});
		const run = await runWorkflow(
			itemsWorkflow([{ id: 'u1' }, { id: 'u2' }], [node]),
			sandboxCredentials(),
		);

		expect(run.status).toBe('error');
		expect(run.nodes.Audience.error?.message).toContain(`Item 1 (id "u1"): attribute name "${name}" is reserved`);
		expect(sandbox.requests()).toEqual([]);
	});

	it('with the error output: the item goes to output 1 naming the attribute, the others are sent without it', async () => {
		const node = audienceNode(
			{
				resource: 'batch',
				operation: 'update',
				audience: { __rl: true, mode: 'name', value: 'sandbox_audience' },
				attributeMode: 'json',
				attributesJson: '={{ $json.attributes }}',
				options: {},
			},
			{ onError: 'continueErrorOutput' },
		);
		const items = [
			{ id: 'u1', attributes: '{"__proto__": {"plan": "pro"}}' },
			{ id: 'u2', attributes: '{"plan": "basic"}' },
		];
		const run = await runWorkflow(itemsWorkflow(items, [node]), sandboxCredentials());

		const [sent, failed] = run.nodes.Audience.outputs;
		expect(failed.map((item) => [item.json.error, item.pairedItem])).toEqual([
			[expect.stringContaining('attribute name "__proto__" is reserved'), [{ item: 0 }]],
		]);
		expect(sent[0].json).toMatchObject({ ids: 1, added: 1 });
		await sandbox.whenIdle();
		expect(sandbox.state().batch.audiences.sandbox_audience.members).toEqual({ u2: { plan: 'basic' } });
	});
});

describe('CSV from items: formula neutralization', () => {
	it('numbers and phone-like text arrive unchanged, formulas neutralized, phone1 never prefixed', async () => {
		const node = audienceNode({
			resource: 'commBox',
			operation: 'replaceStatic',
			audience: { __rl: true, mode: 'id', value: '1001' },
			source: 'items',
			extraColumns: 'allFields',
		});
		const items = [
			{ phone: '+33 6 12 34 56 78', balance: '-12.5', landline: '+33 1 23', delta: -3, formula: '=1+1', at: '@SUM(A1)', dash: '-cmd' },
			{ phone: '+972-50-123-4567', balance: '+7', landline: '-', delta: 0, formula: 'a=b', at: 'x@y', dash: '--' },
		];
		const run = await runWorkflow(itemsWorkflow(items, [node]), sandboxCredentials());

		expect(run.status).toBe('success');
		const audience = sandbox.state().commBox.audiences['1001'];
		expect(audience.columns).toEqual(['phone1', 'balance', 'landline', 'delta', 'formula', 'at', 'dash']);
		expect(audience.rows).toEqual([
			{ phone1: '33612345678', balance: '-12.5', landline: '+33 1 23', delta: '-3', formula: "'=1+1", at: "'@SUM(A1)", dash: "'-cmd" },
			{ phone1: '972501234567', balance: '+7', landline: "'-", delta: '0', formula: 'a=b', at: 'x@y', dash: "'--" },
		]);
	});
});
