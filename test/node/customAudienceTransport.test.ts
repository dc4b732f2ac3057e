/**
 * The legacy Custom Audience transport: the documented error codes turned into messages, the path it
 * builds, and the shared request helper against the sandbox's real replies for the codes no
 * workflow can produce (the node never sends a body without `ids`, nor invalid JSON).
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { ICredentialDataDecryptedObject, IHttpRequestOptions, ILoadOptionsFunctions } from 'n8n-workflow';
import { NodeApiError, NodeOperationError } from 'n8n-workflow';
import { type Sandbox, SANDBOX_CREDENTIALS, startSandbox } from '../../sandbox';
import { apiRequest, type ApiRequest, type RequestContext } from '../../nodes/Audience/transport/request';
import { DEFAULT_POLICY } from '../../nodes/Audience/transport/requestPolicy';
import { listSearch } from '../../nodes/Audience/methods/listSearch';
import { customAudienceApi, listAllCustomAudiences, updateCustomAudience } from '../../nodes/Audience/transport/customAudience';

const credentials = (baseUrl: string, extra: Partial<ICredentialDataDecryptedObject> = {}): ICredentialDataDecryptedObject => ({
	restApiKey: SANDBOX_CREDENTIALS.batchRestKey,
	appApiKey: SANDBOX_CREDENTIALS.customAudienceAppKey,
	apiVersion: '1.1',
	baseUrl,
	...extra,
});

/**
 * The few members of a node context the transport uses; requests go out with fetch, authenticated
 * as the credential's `authenticate` does (X-Authorization).
 */
function context(data: ICredentialDataDecryptedObject, sent: string[] = []): RequestContext {
	const node = { id: 'audience', name: 'Audience', type: 'CUSTOM.audience', typeVersion: 1, position: [0, 0], parameters: {} };
	const ctx = {
		getNode: () => node,
		getCredentials: async () => data,
		helpers: {
			async httpRequestWithAuthentication(_type: string, options: IHttpRequestOptions) {
				const url = new URL(String(options.url));
				for (const [key, value] of Object.entries(options.qs ?? {})) url.searchParams.set(key, String(value));
				sent.push(`${options.method} ${url.pathname}${url.search}`);
				const raw = typeof options.body === 'string';
				const response = await fetch(url, {
					method: options.method,
					headers: { 'Content-Type': 'application/json', ...(options.headers as object), 'X-Authorization': String(data.restApiKey) },
					body: options.body === undefined ? undefined : raw ? (options.body as string) : JSON.stringify(options.body),
				});
				return { statusCode: response.status, headers: Object.fromEntries(response.headers), body: await response.text() };
			},
		},
	};
	return ctx as unknown as RequestContext;
}

async function failure(promise: Promise<unknown>): Promise<NodeApiError> {
	const error = await promise.then(
		() => undefined,
		(e: unknown) => e,
	);
	expect(error).toBeInstanceOf(NodeApiError);
	return error as NodeApiError;
}

describe('describeError', () => {
	it.each([
		[401, 10, 'AUTHENTICATION_INVALID', /REST API key/],
		[403, 12, 'API_MISUSE', /App API Key/],
		[404, 20, 'ROUTE_NOT_FOUND', /audience name/],
		[400, 30, 'MISSING_PARAMETER', /required field/],
		[400, 31, 'MALFORMED_PARAMETER', /install IDs only/],
		[400, 32, 'MALFORMED_JSON_BODY', /not valid JSON/],
		[500, 1, 'SERVER_ERROR', /unexpected error/],
		[503, 2, 'MAINTENANCE_ERROR', /maintenance/],
	])('%i with code %i is %s, with a hint', (status, code, name, hint) => {
		const described = customAudienceApi.describeError(status, { error_code: code, error_message: 'the reason' });
		expect(described.message).toBe(`${name} (code ${code}): the reason`);
		expect(described.hint).toMatch(hint);
	});

	it('is lenient: a numeric text, a name as the code, or no code at all', () => {
		expect(customAudienceApi.describeError(401, { error_code: '10', error_message: 'x' }).message).toBe('AUTHENTICATION_INVALID (code 10): x');
		expect(customAudienceApi.describeError(403, { error_code: 'API_MISUSE', error_message: 'x' }).message).toBe('API_MISUSE (code 12): x');
		expect(customAudienceApi.describeError(404, { error_name: 'ROUTE_NOT_FOUND', message: 'x' }).message).toBe('ROUTE_NOT_FOUND (code 20): x');
		expect(customAudienceApi.describeError(503, 'Service Unavailable')).toEqual({ message: 'Service Unavailable', hint: expect.stringMatching(/maintenance/) });
		expect(customAudienceApi.describeError(429, { error_code: 429, error_name: 'TOO_MANY_REQUESTS', error_message: 'x' })).toEqual({
			message: 'TOO_MANY_REQUESTS (code 429): x',
			hint: expect.stringMatching(/rate limiting/),
		});
		expect(customAudienceApi.describeError(400, undefined).message).toBe('no error message');
	});
});

describe('path and secrets', () => {
	it('puts the version and the encoded app key in the path, and both keys among the secrets', () => {
		const data = credentials('http://127.0.0.1', { appApiKey: 'key/with?odd#chars', apiVersion: '1.0' });
		expect(customAudienceApi.pathPrefix(data)).toBe('/1.0/key%2Fwith%3Fodd%23chars');
		expect(customAudienceApi.secrets(data)).toEqual(['sandbox-rest-key', 'key/with?odd#chars']); // masked in every form by the request helper
		expect(customAudienceApi.pathPrefix(credentials('http://127.0.0.1', { apiVersion: '' }))).toBe('/1.1/sandbox-app-key');
	});

	it.each(['..', '.', ''])('refuses the app key %j, which would move the request to another route', (appApiKey) => {
		expect(() => customAudienceApi.pathPrefix(credentials('http://127.0.0.1', { appApiKey }))).toThrow(/App API Key/);
	});

	it('refuses a version that is not 1.x', () => {
		expect(() => customAudienceApi.pathPrefix(credentials('http://127.0.0.1', { apiVersion: '../2.11' }))).toThrow(/1\.0 or 1\.1/);
	});
});

describe('against the sandbox', () => {
	let sandbox: Sandbox;
	beforeAll(async () => {
		sandbox = await startSandbox({ port: 0, indexingDelayMs: 0 });
	});
	afterAll(async () => await sandbox.stop());
	beforeEach(() => sandbox.reset());

	const request = (ctx: RequestContext, req: ApiRequest) => apiRequest.call(ctx, customAudienceApi, req, { ...DEFAULT_POLICY, maxRetries: 0, baseDelayMs: 1, maxDelayMs: 1 });

	it('MISSING_PARAMETER (400, code 30): a PATCH without ids', async () => {
		const error = await failure(request(context(credentials(sandbox.url)), { method: 'PATCH', path: '/custom-audience/sandbox_audience', body: {} }));
		expect(error.message).toBe('Batch Custom Audience API answered 400: MISSING_PARAMETER (code 30): ids is required');
		expect(error.description).toMatch(/required field/);
		expect(error.httpCode).toBe('400');
	});

	it('MALFORMED_JSON_BODY (400, code 32): a body that is not JSON', async () => {
		const error = await failure(
			request(context(credentials(sandbox.url)), { method: 'PATCH', path: '/custom-audience/sandbox_audience', body: '{"ids": [', json: false }),
		);
		expect(error.message).toMatch(/^Batch Custom Audience API answered 400: MALFORMED_JSON_BODY \(code 32\): /);
		expect(error.description).toMatch(/not valid JSON/);
	});

	it('refuses an audience name that could change the path before any request', async () => {
		for (const name of ['../x', 'a/b', '%2e%2e', ' padded', 'a?b=1']) {
			const error = await updateCustomAudience.call(context(credentials(sandbox.url)), name, { ids: [{ action: 'add', id: 'i-1' }] }).catch((e: unknown) => e);
			expect(error).toBeInstanceOf(NodeOperationError);
		}
		expect(sandbox.requests()).toHaveLength(0);
	});

	it('never shows the app key, even when an error reply echoes the path', async () => {
		const echo = http.createServer((req, res) => {
			res.writeHead(403, { 'Content-Type': 'application/json' });
			res.end(JSON.stringify({ error_code: 12, error_name: 'API_MISUSE', error_message: `No app for ${req.url}` }));
		});
		await new Promise<void>((resolve) => echo.listen(0, '127.0.0.1', resolve));
		try {
			const baseUrl = `http://127.0.0.1:${(echo.address() as AddressInfo).port}`;
			const error = await failure(request(context(credentials(baseUrl, { appApiKey: 'my-secret-app-key' })), { method: 'GET', path: '/custom-audience' }));
			expect(error.message).toBe('Batch Custom Audience API answered 403: API_MISUSE (code 12): No app for /1.1/***/custom-audience');
			expect(JSON.stringify({ message: error.message, description: error.description, context: error.context })).not.toContain('my-secret-app-key');
		} finally {
			echo.close();
		}
	});

	it('picks the trigger\'s audience list by its platform', async () => {
		const legacy = { ...context(credentials(sandbox.url)), getCurrentNodeParameter: () => 'batchCustomAudience' };
		const page = await listSearch.searchAudiencesForTrigger.call(legacy as unknown as ILoadOptionsFunctions);
		expect(page).toEqual({ results: [{ name: 'sandbox_audience', value: 'sandbox_audience', description: 'Sandbox audience' }], paginationToken: undefined });
		expect(sandbox.requests().map((r) => [r.api, r.route])).toEqual([['customAudience', 'list']]);
	});

	it('walks the offset pages until a short page, and stops at a limit', async () => {
		for (let i = 0; i < 205; i++) {
			const response = await fetch(`${sandbox.url}/1.1/sandbox-app-key/custom-audience/page_${i}`, {
				method: 'POST',
				headers: { 'X-Authorization': 'sandbox-rest-key', 'Content-Type': 'application/json' },
				body: JSON.stringify({ type: 'install_ids' }),
			});
			expect(response.status).toBe(201);
		}
		const sent: string[] = [];
		const all = await listAllCustomAudiences.call(context(credentials(sandbox.url), sent));
		expect(all).toHaveLength(206);
		expect(all[0].name).toBe('page_204');
		expect(all[205].name).toBe('sandbox_audience');
		expect(sent).toEqual([
			'GET /1.1/sandbox-app-key/custom-audience?from=0&limit=100',
			'GET /1.1/sandbox-app-key/custom-audience?from=100&limit=100',
			'GET /1.1/sandbox-app-key/custom-audience?from=200&limit=100',
		]);

		sent.length = 0;
		const some = await listAllCustomAudiences.call(context(credentials(sandbox.url), sent), 130);
		expect(some.map((a) => a.name)).toEqual(Array.from({ length: 130 }, (_, i) => `page_${204 - i}`));
		expect(sent).toEqual([
			'GET /1.1/sandbox-app-key/custom-audience?from=0&limit=100',
			'GET /1.1/sandbox-app-key/custom-audience?from=100&limit=30',
		]);
	});
});
