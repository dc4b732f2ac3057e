/**
 * The credentials' "Test" (the nodes' `testedBy` functions, run the way n8n's credentials tester
 * runs them, with n8n-core's HTTP client) against a loopback server that records exactly what
 * arrived, and against the sandbox; and the Base URL rule of the node's request helper.
 */
import { isAllowedBaseUrl } from '../../credentials/baseUrl';
import { startSandbox } from '../../sandbox';
import { AUDIENCE, itemsWorkflow, runCredentialTest, runWorkflow } from './harness';
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

describe('credential tests', () => {
	it('batchApi: GET /2.11/audiences/list?limit=1 with the Bearer REST key and X-Batch-Project', async () => {
		const data = batch(server.url);
		const result = await runCredentialTest('batchApi', data);

		expect(result).toEqual({ status: 'OK', message: `Connected to Batch at ${server.url}` });
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

		expect(result.status).toBe('OK');
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

	it('commBoxApi: GET /audiences with the Bearer API key', async () => {
		const data = commBox(server.url);
		const result = await runCredentialTest('commBoxApi', data);

		expect(result.status).toBe('OK');
		expect(server.received).toHaveLength(1);
		const [request] = server.received;
		expect(request).toMatchObject({ method: 'GET', path: '/audiences', query: '' });
		expect(authHeaders(request)).toEqual({ authorization: `Bearer ${data.apiKey}` });
	});

	it('a base URL with a trailing slash gives no double slash', async () => {
		await runCredentialTest('commBoxApi', commBox(`${server.url}//`));

		expect(server.received.map((r) => r.path)).toEqual(['/audiences']);
	});

	it("a refused key gets the API's own message and hint, never the key", async () => {
		const sandbox = await startSandbox({ port: 0 });
		try {
			const wrong = { ...batch(sandbox.url), restApiKey: 'wrong-rest-key-0042' };
			const result = await runCredentialTest('batchApi', wrong);

			expect(result.status).toBe('Error');
			expect(result.message).toMatch(/^Batch answered 401: .+\. Check the REST API key and the project key of the Batch credential\.$/);
			expect(result.message).not.toContain(wrong.restApiKey);
			expect(result.message).not.toContain(wrong.projectKey);
		} finally {
			await sandbox.stop();
		}
	});

	it('an unreachable Base URL says so with the network code', async () => {
		const closed = await startLoopbackServer();
		await closed.close();
		const result = await runCredentialTest('commBoxApi', commBox(closed.url));

		expect(result).toEqual({ status: 'Error', message: `CommBox could not be reached at ${closed.url} (ECONNREFUSED): check the Base URL.` });
	});
});

describe('credential base URL rule (https, or http on a loopback host)', () => {
	it.each(Object.entries(CREDENTIALS))('%s: a plain-http non-loopback base URL is refused with the rule, and nothing is sent', async (type, build) => {
		const result = await runCredentialTest(type, build('http://example.com'));

		expect(result).toEqual({
			status: 'Error',
			message:
				'Base URL "http://example.com" is refused: it must start with https://, except for a local sandbox on http://127.0.0.1 or http://localhost. Nothing was sent.',
		});
		expect(server.received).toHaveLength(0);
	});

	it.each(['localhost', '[::1]', '127.0.0.1'])('an http base URL on loopback host %s is kept and reached', async (host) => {
		const received: ReceivedRequest[] = [];
		const v4 = await startLoopbackServer({ received });
		const v6 = await startLoopbackServer({ host: '::1', port: v4.port, received }).catch(() => undefined);
		try {
			if (host === '[::1]' && !v6) return; // no IPv6 loopback on this machine: covered by the table below
			const baseUrl = `http://${host}:${v4.port}`;
			const result = await runCredentialTest('batchApi', batch(baseUrl));

			expect(result.status).toBe('OK');
			expect(received.map((r) => `${r.method} ${r.path}?${r.query}`)).toEqual(['GET /2.11/audiences/list?limit=1']);
			if (host === '[::1]') expect(received[0].family).toBe('IPv6');
		} finally {
			await v4.close();
			await v6?.close();
		}
	});

	it.each([
		['https://api.batch.com', true],
		['https://api.batch.com/', true],
		['  https://eu.api.example.org/batch  ', true],
		['HTTPS://API.BATCH.COM', true],
		['http://127.0.0.1:4010', true],
		['http://127.12.0.3', true],
		['http://localhost:4010/', true],
		['http://[::1]:4010', true],
		['http://example.com', false],
		['http://api.batch.com', false],
		['http://localhost.example.com', false],
		['http://127.0.0.1.nip.io', false],
		['http://10.0.0.8:4010', false],
		['ftp://127.0.0.1', false],
		['https://', false],
		['', false],
	])('base URL %j allowed: %s; a refused one gets the rule from the credential test, before any request', async (baseUrl, allowed) => {
		const normalized = baseUrl.trim().replace(/\/+$/, '');
		expect(isAllowedBaseUrl(normalized)).toBe(allowed);
		if (allowed) return; // an allowed URL is requested (https hosts are not contacted from tests)
		const result = await runCredentialTest('batchApi', batch(baseUrl));
		expect(result.status).toBe('Error');
		expect(result.message).toContain(`Base URL "${normalized}" is refused`);
		expect(server.received).toHaveLength(0);
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
