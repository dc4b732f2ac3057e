/**
 * The credentials' test requests, resolved and authenticated the way n8n's credentials tester does
 * (harness `runCredentialTest`: n8n-core's RoutingNode with the decrypted credentials), sent by
 * n8n-core's HTTP client to a loopback server that records exactly what arrived, or to the sandbox
 * for what Test says about a wrong key.
 */
import type { ICredentialTestRequest, INodeCredentialTestResult } from 'n8n-workflow';
import { NodeHelpers } from 'n8n-workflow';
import { type Sandbox, SANDBOX_CREDENTIALS, startSandbox } from '../../sandbox';
import { BatchApi } from '../../credentials/BatchApi.credentials';
import { BatchCustomAudienceApi } from '../../credentials/BatchCustomAudienceApi.credentials';
import { isAllowedBaseUrl, REFUSED_BASE_URL } from '../../credentials/baseUrl';
import { CommBoxApi } from '../../credentials/CommBoxApi.credentials';
import { AUDIENCE, type CredentialTestRun, credentialTypes, itemsWorkflow, RequestNotSent, runCredentialTest, runWorkflow } from './harness';
import { type LoopbackServer, type ReceivedRequest, startLoopbackServer } from './loopback';

let server: LoopbackServer;

beforeAll(async () => {
	server = await startLoopbackServer();
});

afterAll(async () => {
	await server.close();
});

beforeEach(() => {
	server.received.length = 0;
});

const batch = (baseUrl: string) => ({
	restApiKey: 'rest-key-0123456789',
	projectKey: 'project_0664hxvwffvbpn278gxdyhsadddqgna6',
	baseUrl,
	apiVersion: '2.11',
});
const legacy = (baseUrl: string) => ({
	restApiKey: 'legacy-rest-key-9876',
	appApiKey: 'APP0KEY0123456789',
	apiVersion: '1.1',
	baseUrl,
});
const commBox = (baseUrl: string) => ({ apiKey: 'commbox-key-4567', baseUrl });

const CREDENTIALS = { batchApi: batch, batchCustomAudienceApi: legacy, commBoxApi: commBox };
const AUTH_HEADERS = ['authorization', 'x-batch-project', 'x-authorization'];

/** The auth headers that arrived (lower-case names), so a header that should be absent shows up. */
function authHeaders(request: ReceivedRequest): Record<string, unknown> {
	return Object.fromEntries(AUTH_HEADERS.filter((name) => name in request.headers).map((name) => [name, request.headers[name]]));
}

describe('credential test requests', () => {
	it('batchApi: GET /2.11/audiences/list?limit=1 with the Bearer REST key and X-Batch-Project', async () => {
		const data = batch(server.url);
		const result = await runCredentialTest('batchApi', data);

		expect(result.error).toBeUndefined();
		expect(server.received).toHaveLength(1);
		const [request] = server.received;
		expect(request).toMatchObject({ method: 'GET', path: '/2.11/audiences/list', query: 'limit=1' });
		expect(authHeaders(request)).toEqual({
			authorization: `Bearer ${data.restApiKey}`,
			'x-batch-project': data.projectKey,
		});
	});

	it('batchApi: the API version field is used in the path', async () => {
		await runCredentialTest('batchApi', { ...batch(server.url), apiVersion: '2.9' });

		expect(server.received.map((r) => `${r.method} ${r.path}?${r.query}`)).toEqual(['GET /2.9/audiences/list?limit=1']);
	});

	it('batchCustomAudienceApi: GET /1.1/<app key>/custom-audience?limit=1 with X-Authorization', async () => {
		const data = legacy(server.url);
		const result = await runCredentialTest('batchCustomAudienceApi', data);

		expect(result.error).toBeUndefined();
		expect(server.received).toHaveLength(1);
		const [request] = server.received;
		expect(request).toMatchObject({ method: 'GET', path: `/1.1/${data.appApiKey}/custom-audience`, query: 'limit=1' });
		expect(authHeaders(request)).toEqual({ 'x-authorization': data.restApiKey });
	});

	it('batchCustomAudienceApi: version 1.0 and an app key that needs encoding stay one path segment', async () => {
		await runCredentialTest('batchCustomAudienceApi', { ...legacy(server.url), apiVersion: '1.0', appApiKey: 'app/key 1' });

		expect(server.received.map((r) => `${r.method} ${r.path}?${r.query}`)).toEqual([
			'GET /1.0/app%2Fkey%201/custom-audience?limit=1',
		]);
	});

	it('batchCustomAudienceApi: an app key pasted with spaces or a newline is sent trimmed, as the node sends it', async () => {
		await runCredentialTest('batchCustomAudienceApi', { ...legacy(server.url), appApiKey: `  ${legacy('').appApiKey}\n` });

		expect(server.received.map((r) => r.path)).toEqual([`/1.1/${legacy('').appApiKey}/custom-audience`]);
	});

	it('commBoxApi: GET /audiences with the Bearer API key', async () => {
		const data = commBox(server.url);
		const result = await runCredentialTest('commBoxApi', data);

		expect(result.error).toBeUndefined();
		expect(server.received).toHaveLength(1);
		const [request] = server.received;
		expect(request).toMatchObject({ method: 'GET', path: '/audiences', query: '' });
		expect(authHeaders(request)).toEqual({ authorization: `Bearer ${data.apiKey}` });
	});

	it('a base URL with a trailing slash gives no double slash', async () => {
		await runCredentialTest('commBoxApi', commBox(`${server.url}//`));

		expect(server.received.map((r) => r.path)).toEqual(['/audiences']);
	});
});

/**
 * What n8n's credentials tester (n8n 2.40.7, `CredentialsTester.runRequestTest`) answers once the
 * routing request has run: on an error with an HTTP response, the message of the first
 * `responseCode` rule for that status, else the status text; on an error without a response, its
 * code; on success, "Connection successful!". The editor shows an error's message under
 * "Couldn't connect with these settings". Applied here to the error n8n-core's RoutingNode threw.
 */
function testerAnswer(test: ICredentialTestRequest, run: CredentialTestRun): INodeCredentialTestResult {
	const error = run.error as (Error & { cause?: { code?: string; response?: { status: number; statusText?: string } } }) | undefined;
	if (!error) return { status: 'OK', message: 'Connection successful!' };
	const response = error.cause?.response;
	if (response) {
		for (const rule of test.rules ?? []) {
			if (rule.type === 'responseCode' && rule.properties.value === response.status) return { status: 'Error', message: rule.properties.message };
		}
		if (response.status < 199 || response.status > 299) {
			return { status: 'Error', message: response.statusText || `Received HTTP status code: ${response.status}` };
		}
	} else if (error.cause?.code) {
		return { status: 'Error', message: error.cause.code };
	}
	return { status: 'Error', message: error.message.toString() };
}

describe('what Test says for a wrong key (against the sandbox)', () => {
	let sandbox: Sandbox;

	beforeAll(async () => {
		sandbox = await startSandbox({ indexingDelayMs: 0, port: 0 });
	});

	afterAll(async () => {
		await sandbox.stop();
	});

	const sandboxData = {
		batchApi: () => ({ restApiKey: SANDBOX_CREDENTIALS.batchRestKey, projectKey: SANDBOX_CREDENTIALS.batchProjectKey, baseUrl: sandbox.url }),
		batchCustomAudienceApi: () => ({
			restApiKey: SANDBOX_CREDENTIALS.batchRestKey,
			appApiKey: SANDBOX_CREDENTIALS.customAudienceAppKey,
			baseUrl: sandbox.url,
		}),
		commBoxApi: () => ({ apiKey: SANDBOX_CREDENTIALS.commBoxApiKey, baseUrl: sandbox.url }),
	};
	const BATCH_KEYS = 'The REST API key or the project key is wrong: check both in Batch → Settings → General (only account managers see the REST API key)';
	const LEGACY_REST_KEY = 'The REST API key is wrong: check it in Batch → Settings → General (the company key, visible to managers only)';
	const LEGACY_APP_KEY =
		"The App API key is wrong: use your app's Live, Dev or SDK API key from Batch → your app → Settings → General (iOS and Android apps have different keys)";
	const COMMBOX_KEY =
		'The API key is wrong or has expired (CommBox keys are valid for up to a year): copy or create one in the CommBox console → Settings → API (admin privileges required)';

	/** Runs the credential's Test with `changes` over the sandbox's keys; what n8n answers and the status the sandbox gave. */
	const test = async (type: keyof typeof sandboxData, changes: Record<string, string> = {}) => {
		const before = sandbox.requests().length;
		const run = await runCredentialTest(type, { ...sandboxData[type](), ...changes });
		const statuses = sandbox.requests().slice(before).map((request) => request.status);
		return { answer: testerAnswer(credentialTypes[type].test!, run), statuses };
	};

	it.each(Object.keys(sandboxData) as Array<keyof typeof sandboxData>)('%s: the right keys pass', async (type) => {
		expect(await test(type)).toEqual({ answer: { status: 'OK', message: 'Connection successful!' }, statuses: [200] });
	});

	it.each([
		['batchApi', { restApiKey: 'not-the-rest-key' }, 401, BATCH_KEYS],
		['batchApi', { projectKey: 'project_not_this_one' }, 401, BATCH_KEYS],
		['batchCustomAudienceApi', { restApiKey: 'not-the-rest-key' }, 401, LEGACY_REST_KEY],
		['batchCustomAudienceApi', { appApiKey: 'not-the-app-key' }, 403, LEGACY_APP_KEY],
		['commBoxApi', { apiKey: 'expired-commbox-key' }, 401, COMMBOX_KEY],
	] as const)('%s with %j: the sandbox answers %i and Test names the field', async (type, changes, status, message) => {
		// n8n-core sends a request again once after a 401 (its refresh of expirable credentials; ours have none).
		const statuses = status === 401 ? [401, 401] : [status];
		expect(await test(type, changes)).toEqual({ answer: { status: 'Error', message }, statuses });
	});

	it('batchApi: a 403 names both keys too', async () => {
		const forbidden = await startLoopbackServer({
			respond: (_request, response) => {
				response.writeHead(403, { 'Content-Type': 'application/json' });
				response.end(JSON.stringify({ error_code: 'FORBIDDEN', error_message: 'Forbidden' }));
			},
		});
		try {
			const run = await runCredentialTest('batchApi', { ...sandboxData.batchApi(), baseUrl: forbidden.url });
			expect(testerAnswer(credentialTypes.batchApi.test!, run)).toEqual({
				status: 'Error',
				message:
					'Batch refused this REST API key for this project: check that the REST API key and the project key belong to the same project, in Batch → Settings → General',
			});
		} finally {
			await forbidden.close();
		}
	});

	it('a status without a message of ours keeps n8n\'s answer (the status text)', async () => {
		// The sandbox answers an unknown CommBox path with 404 Not Found.
		const run = await runCredentialTest('commBoxApi', { ...sandboxData.commBoxApi(), baseUrl: `${sandbox.url}/no-such-prefix` });
		expect(testerAnswer(credentialTypes.commBoxApi.test!, run)).toEqual({ status: 'Error', message: 'Not Found' });
	});

	it('every message is a responseCode rule of the credential description, one per status', () => {
		const rules = Object.fromEntries(
			Object.values(credentialTypes).map((type) => [type.name, (type.test?.rules ?? []).map((rule) => [rule.type, (rule.properties as { value: number }).value])]),
		);
		expect(rules).toEqual({
			batchApi: [
				['responseCode', 401],
				['responseCode', 403],
			],
			batchCustomAudienceApi: [
				['responseCode', 401],
				['responseCode', 403],
			],
			commBoxApi: [['responseCode', 401]],
		});
	});
});

describe('credential base URL rule (https, or http on a loopback host)', () => {
	it.each(Object.entries(CREDENTIALS))(
		'%s: a plain-http non-loopback base URL is refused and nothing is sent to it',
		async (type, build) => {
			const result = await runCredentialTest(type, build('http://example.com'));

			// The test request was resolved to the refused host, authenticated, and failed on that
			// host's name (`.invalid` never resolves): no connection to example.com or the loopback server.
			expect(result.request?.baseURL).toBe(REFUSED_BASE_URL);
			expect(JSON.stringify(result.request)).not.toContain('example.com');
			expect(result.error).toBeDefined();
			expect(String(result.error?.cause?.message ?? result.error?.message)).toMatch(/ENOTFOUND|EAI_AGAIN/);
			expect(String(result.error?.cause?.message)).toContain(new URL(REFUSED_BASE_URL).hostname);
			expect(server.received).toHaveLength(0);
		},
	);

	it.each(['localhost', '[::1]', '127.0.0.1'])('an http base URL on loopback host %s is kept and reached', async (host) => {
		const received: ReceivedRequest[] = [];
		const v4 = await startLoopbackServer({ received });
		const v6 = await startLoopbackServer({ host: '::1', port: v4.port, received }).catch(() => undefined);
		try {
			if (host === '[::1]' && !v6) return; // no IPv6 loopback on this machine: covered by the table below
			const baseUrl = `http://${host}:${v4.port}`;
			const result = await runCredentialTest('batchApi', batch(baseUrl));

			expect(result.error).toBeUndefined();
			expect(result.request?.baseURL).toBe(baseUrl);
			expect(received.map((r) => `${r.method} ${r.path}?${r.query}`)).toEqual(['GET /2.11/audiences/list?limit=1']);
			if (host === '[::1]') expect(received[0].family).toBe('IPv6');
		} finally {
			await v4.close();
			await v6?.close();
		}
	});

	/** Resolved by n8n-core (RoutingNode + authenticate) but never sent. */
	const resolvedBaseUrl = async (baseUrl: string) => {
		const result = await runCredentialTest('batchApi', batch(baseUrl), { send: false });
		expect(String(result.error?.cause?.message ?? result.error?.message)).toContain(new RequestNotSent().message);
		return result.request?.baseURL;
	};

	it.each([
		['https://api.batch.com', 'https://api.batch.com'],
		['https://api.batch.com/', 'https://api.batch.com'],
		['  https://eu.api.example.org/batch  ', 'https://eu.api.example.org/batch'],
		['HTTPS://API.BATCH.COM', 'HTTPS://API.BATCH.COM'],
		['http://127.0.0.1:4010', 'http://127.0.0.1:4010'],
		['http://127.12.0.3', 'http://127.12.0.3'],
		['http://localhost:4010/', 'http://localhost:4010'],
		['http://[::1]:4010', 'http://[::1]:4010'],
		['http://example.com', REFUSED_BASE_URL],
		['http://api.batch.com', REFUSED_BASE_URL],
		['http://localhost.example.com', REFUSED_BASE_URL],
		['http://127.0.0.1.nip.io', REFUSED_BASE_URL],
		['http://10.0.0.8:4010', REFUSED_BASE_URL],
		['ftp://127.0.0.1', REFUSED_BASE_URL],
		['https://', REFUSED_BASE_URL],
		['', REFUSED_BASE_URL],
	])('test request base URL %j resolves to %j, as the node transports decide', async (baseUrl, expected) => {
		const resolved = await resolvedBaseUrl(baseUrl);

		expect(resolved).toBe(expected);
		// The credential test and the node's request helper apply the same rule.
		const normalized = baseUrl.trim().replace(/\/+$/, '');
		expect(resolved === REFUSED_BASE_URL).toBe(!isAllowedBaseUrl(normalized));
	});

	/** Whether n8n's form shows the credential's "Base URL is refused" notice for this value. */
	const noticeShown = (properties: ReturnType<typeof credentialForms>[number], baseUrl: string) => {
		const notice = properties.find((property) => property.type === 'notice');
		if (!notice) throw new Error('no notice in the credential form');
		return NodeHelpers.displayParameter({ baseUrl }, notice, null, null);
	};
	const credentialForms = () => [new BatchApi().properties, new BatchCustomAudienceApi().properties, new CommBoxApi().properties];

	it.each([
		'https://api.batch.com',
		'  https://eu.api.example.org/batch  ',
		'HTTPS://API.BATCH.COM',
		'http://127.0.0.1:4010',
		'http://LOCALHOST:4010/',
		'http://[::1]:4010',
		'http://example.com',
		'http://127.0.0.1.nip.io',
		'http://10.0.0.8:4010',
		'ftp://127.0.0.1',
		'https://',
		'',
	])('the form shows the refused Base URL notice for %j exactly when the rule refuses it', (baseUrl) => {
		const refused = !isAllowedBaseUrl(baseUrl.trim().replace(/\/+$/, ''));
		for (const properties of credentialForms()) expect(noticeShown(properties, baseUrl)).toBe(refused);
	});
});

describe("the node's request helper", () => {
	it('refuses a plain-http non-loopback base URL with a clear message and sends nothing', async () => {
		const run = await runWorkflow(
			itemsWorkflow([{}], [{ name: 'Audience', type: AUDIENCE, parameters: { resource: 'batch', operation: 'getMany' } }]),
			{ batchApi: batch('http://example.com') },
		);

		expect(run.status).toBe('error');
		const error = run.nodes.Audience.error;
		expect(error?.message).toBe("The Batch credential's Base URL is refused");
		expect(error?.description).toMatch(/https:\/\/.*127\.0\.0\.1.*localhost/);
		expect(run.error?.message).toBe(error?.message);
		expect(run.nodes.Audience.outputs).toEqual([]);
		expect(server.received).toHaveLength(0);
	});

	it('accepts the loopback base URL and sends the authenticated request', async () => {
		const data = batch(server.url);
		const run = await runWorkflow(
			itemsWorkflow([{}], [{ name: 'Audience', type: AUDIENCE, parameters: { resource: 'batch', operation: 'getMany', limit: 5 } }]),
			{ batchApi: data },
		);

		expect(run.status).toBe('success');
		expect(server.received).toHaveLength(1);
		expect(server.received[0]).toMatchObject({ method: 'GET', path: '/2.11/audiences/list', query: 'limit=5' });
		expect(authHeaders(server.received[0])).toEqual({
			authorization: `Bearer ${data.restApiKey}`,
			'x-batch-project': data.projectKey,
		});
	});
});
