import type {
	ICredentialDataDecryptedObject,
	IExecuteFunctions,
	IHttpRequestMethods,
	IHttpRequestOptions,
	ILoadOptionsFunctions,
	IPollFunctions,
	JsonObject,
} from 'n8n-workflow';
import { NodeApiError, NodeOperationError, sleep } from 'n8n-workflow';
import { BASE_URL_HINT, isAllowedBaseUrl } from '../../../credentials/baseUrl';
import { secretMasker } from '../engine/secrets';
import { type FollowedResponse, sendFollowingSafeRedirects } from './redirects';

export type RequestContext = IExecuteFunctions | IPollFunctions | ILoadOptionsFunctions;

/** What one platform's transport tells the shared request helper. */
export interface PlatformApi {
	name: string;
	credentialType: string;
	/** Path prefix built from the credentials, e.g. `/2.11` or `/1.1/<app key>`. */
	pathPrefix(credentials: ICredentialDataDecryptedObject): string;
	/** Credential values sent in a header or the URL: masked, in every form they take, in every error. */
	secrets(credentials: ICredentialDataDecryptedObject): string[];
	describeError(status: number, body: unknown): { message: string; hint?: string };
}

export interface RequestPolicy {
	maxRetries: number;
	/** 0 = no pacing. Shared by every request of one execution through `pacer`. */
	pacer?: RequestPacer;
	/** Backoff: base * 2^attempt with jitter, capped. */
	baseDelayMs: number;
	maxDelayMs: number;
}

export const DEFAULT_POLICY: RequestPolicy = { maxRetries: 5, baseDelayMs: 500, maxDelayMs: 30_000 };

const REQUEST_TIMEOUT_MS = 120_000;
const MAX_RETRY_AFTER_MS = 300_000;
const RETRYABLE_NETWORK_CODES = new Set([
	'ECONNRESET',
	'ECONNREFUSED',
	'ECONNABORTED',
	'ETIMEDOUT',
	'ESOCKETTIMEDOUT',
	'EPIPE',
	'EAI_AGAIN',
	'ENETUNREACH',
	'EHOSTUNREACH',
]);

/** Spaces requests evenly: at most `requestsPerSecond` per execution. */
export class RequestPacer {
	private nextSlot = 0;

	constructor(private readonly requestsPerSecond: number) {}

	async wait(): Promise<void> {
		if (this.requestsPerSecond <= 0) return;
		const now = Date.now();
		const slot = Math.max(now, this.nextSlot);
		this.nextSlot = slot + 1000 / this.requestsPerSecond;
		if (slot > now) await sleep(slot - now);
	}
}

export interface ApiRequest {
	method: IHttpRequestMethods;
	/** Path after the platform prefix, already URL-encoded. */
	path: string;
	qs?: IHttpRequestOptions['qs'];
	body?: IHttpRequestOptions['body'];
	headers?: IHttpRequestOptions['headers'];
	/** false for multipart or other raw bodies. */
	json?: boolean;
}

/**
 * The one request helper of every platform: base URL check, pacing, retries of 429/5xx/network
 * errors with capped exponential backoff and jitter (honouring Retry-After), and failures as
 * NodeApiError carrying the API's own message, never a secret.
 */
export async function apiRequest(
	this: RequestContext,
	api: PlatformApi,
	request: ApiRequest,
	policy: RequestPolicy = DEFAULT_POLICY,
): Promise<unknown> {
	const credentials = await credentialsOf(this, api.credentialType);
	const baseUrl = String(credentials.baseUrl ?? '')
		.trim()
		.replace(/\/+$/, '');
	if (!isAllowedBaseUrl(baseUrl)) {
		throw new NodeOperationError(this.getNode(), `The ${api.name} credential's Base URL is refused`, {
			description: BASE_URL_HINT,
		});
	}
	const mask = secretMasker(api.secrets(credentials));
	const options: IHttpRequestOptions = {
		method: request.method,
		url: `${baseUrl}${api.pathPrefix(credentials)}${request.path}`,
		qs: request.qs,
		body: request.body,
		headers: request.headers,
		json: request.json ?? true,
		timeout: REQUEST_TIMEOUT_MS,
		returnFullResponse: true,
		ignoreHttpStatusErrors: true,
	};

	for (let attempt = 0; ; attempt++) {
		await policy.pacer?.wait();
		let response: FollowedResponse;
		try {
			response = await sendFollowingSafeRedirects(options, async (hop) =>
				await this.helpers.httpRequestWithAuthentication.call(this, api.credentialType, hop),
			);
		} catch (error) {
			const code = networkErrorCode(error);
			if (code && attempt < policy.maxRetries) {
				await sleep(backoffDelay(attempt, policy));
				continue;
			}
			// No raw network code in the message: n8n would replace the whole message with a generic one.
			const message = code
				? `${api.name} could not be reached after ${attempt + 1} attempt(s)`
				: `${api.name} request failed: ${mask(String((error as Error).message ?? error))}`;
			throw new NodeApiError(this.getNode(), { message } as JsonObject, {
				message,
				description: code ? `Network error ${code.toLowerCase()}: check the Base URL and that the service is up.` : undefined,
			});
		}
		const status = response.statusCode;
		if (response.refusedRedirect !== undefined) {
			const message = mask(`${api.name} answered ${status} with a redirect ${response.refusedRedirect}: not followed`);
			throw new NodeApiError(this.getNode(), { message, httpCode: String(status) } as JsonObject, {
				message,
				description: 'Set the Base URL to the address the API answers on directly (https, or http on loopback for the sandbox).',
				httpCode: String(status),
			});
		}
		if (status < 400) return parseBody(response.body);
		if ((status === 429 || status >= 500) && attempt < policy.maxRetries) {
			await sleep(retryAfterDelay(response.headers['retry-after']) ?? backoffDelay(attempt, policy));
			continue;
		}
		const { message, hint } = api.describeError(status, parseBody(response.body));
		const retried = attempt > 0 ? ` (after ${attempt + 1} attempts)` : '';
		throw new NodeApiError(
			this.getNode(),
			{ message: mask(message), httpCode: String(status) } as JsonObject,
			{
				message: mask(`${api.name} answered ${status}: ${message}${retried}`),
				description: hint ? mask(hint) : undefined,
				httpCode: String(status),
			},
		);
	}
}

/** n8n reads and decrypts credentials on every call: one read per node run is enough for the base URL. */
const credentialCache = new WeakMap<RequestContext, Map<string, Promise<ICredentialDataDecryptedObject>>>();

export async function credentialsOf(ctx: RequestContext, type: string): Promise<ICredentialDataDecryptedObject> {
	let byType = credentialCache.get(ctx);
	if (!byType) credentialCache.set(ctx, (byType = new Map()));
	let credentials = byType.get(type);
	if (!credentials) byType.set(type, (credentials = ctx.getCredentials(type)));
	return await credentials;
}

function parseBody(body: unknown): unknown {
	if (typeof body !== 'string') return body;
	try {
		return JSON.parse(body);
	} catch {
		return body;
	}
}

/**
 * The retryable network code of a failed request. n8n wraps it in a NodeApiError: 2.x keeps the
 * original error as `cause`; 1.x drops it and keeps only the original message in `messages`.
 */
function networkErrorCode(error: unknown): string | undefined {
	const candidate = error as { code?: string; cause?: { code?: string }; message?: string; messages?: unknown };
	const code = candidate?.code ?? candidate?.cause?.code;
	if (code && RETRYABLE_NETWORK_CODES.has(code)) return code;
	const messages = [candidate?.message, ...(Array.isArray(candidate?.messages) ? candidate.messages : [])].join('\n');
	const named = [...RETRYABLE_NETWORK_CODES].find((networkCode) => messages.includes(networkCode));
	if (named) return named;
	if (/socket hang up|timeout/i.test(messages)) return 'ECONNRESET';
	return undefined;
}

export function backoffDelay(attempt: number, policy: RequestPolicy): number {
	const ceiling = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** attempt);
	return Math.round(ceiling / 2 + (Math.random() * ceiling) / 2);
}

/** Retry-After in seconds or as an HTTP date; undefined when absent or unreadable. */
export function retryAfterDelay(header: unknown): number | undefined {
	const value = Array.isArray(header) ? header[0] : header;
	if (value === undefined || value === null || value === '') return undefined;
	const seconds = Number(value);
	const delay = Number.isFinite(seconds) ? seconds * 1000 : Date.parse(String(value)) - Date.now();
	if (!Number.isFinite(delay)) return undefined;
	return Math.min(Math.max(delay, 0), MAX_RETRY_AFTER_MS);
}
