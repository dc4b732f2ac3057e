/**
 * The credentials' test requests, resolved and authenticated the way n8n's credentials tester does
 * (harness `runCredentialTest`: n8n-core's RoutingNode with the decrypted credentials), sent by
 * n8n-core's HTTP client to a loopback server that records exactly what arrived.
 */
import { NodeHelpers } from 'n8n-workflow';
import { BatchApi } from '../../credentials/BatchApi.credentials';
import { BatchCustomAudienceApi } from '../../credentials/BatchCustomAudienceApi.credentials';
import { isAllowedBaseUrl, REFUSED_BASE_URL } from '../../credentials/baseUrl';
import { CommBoxApi } from '../../credentials/CommBoxApi.credentials';
import { AUDIENCE, itemsWorkflow, RequestNotSent, runCredentialTest, runWorkflow } from './harness';
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
