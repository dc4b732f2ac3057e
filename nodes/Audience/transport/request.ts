import type {
	ICredentialDataDecryptedObject,
	IExecuteFunctions,
	IHttpRequestMethods,
	IHttpRequestOptions,
	ILoadOptionsFunctions,
	IPollFunctions,
	JsonObject,
} from 'n8n-workflow';
import { NodeApiError, NodeOperationError } from 'n8n-workflow';
import { BASE_URL_HINT, isAllowedBaseUrl } from '../../../credentials/baseUrl';
import { cutText } from '../engine/messages';
import { secretMasker } from '../engine/secrets';
import type { RequestOutcome } from '../engine/types';
import { throwIfStopped, waitFor } from './cancellation';
import { type FollowedResponse, sendFollowingSafeRedirects } from './redirects';
import {
	backoffDelay,
	classifyNetworkCode,
	classifyStatus,
	DEFAULT_POLICY,
	type FailureClass,
	mayRetry,
	type RequestPolicy,
	retryAfterDelay,
	RETRYABLE_NETWORK_CODES,
} from './requestPolicy';

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

export interface ApiRequest {
	method: IHttpRequestMethods;
	/** Path after the platform prefix, already URL-encoded. */
	path: string;
	qs?: IHttpRequestOptions['qs'];
	body?: IHttpRequestOptions['body'];
	headers?: IHttpRequestOptions['headers'];
	/** false for multipart or other raw bodies. */
	json?: boolean;
	/** false for creates: retried only when provably not processed (429, connection refused). */
	idempotent?: boolean;
}

/**
 * The one request helper of every platform: base URL check, pacing, retries of 429/5xx/network
 * errors with capped exponential backoff and jitter (honouring Retry-After), and failures as
 * NodeApiError carrying the API's own message (cut to a bound), never a secret. Every failure says
 * what became of the request (`outcomeOf`).
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
	// Nothing has been sent so far: an error thrown before this point leaves the request `notSent`.
	const mask = secretMasker(api.secrets(credentials));
	const options: IHttpRequestOptions = {
		method: request.method,
		url: `${baseUrl}${api.pathPrefix(credentials)}${request.path}`,
		qs: request.qs,
		body: request.body,
		headers: request.headers,
		json: request.json ?? true,
		returnFullResponse: true,
		ignoreHttpStatusErrors: true,
	};

	const idempotent = request.idempotent ?? true;
	const deadline = Date.now() + policy.budgetMs;
	// Once an attempt may have been processed, the request can no longer be "not sent".
	let mayHaveApplied = false;
	const fail = (error: NodeApiError, failure: FailureClass) => {
		mayHaveApplied ||= failure === 'maybeProcessed';
		const requestOutcome: RequestOutcome = failure === 'final' ? 'refused' : mayHaveApplied ? 'unknown' : 'notSent';
		return Object.assign(error, { failure, requestOutcome });
	};
	for (let attempt = 0; ; attempt++) {
		await policy.pacer?.wait();
		throwIfStopped(policy.signal);
		let response: FollowedResponse;
		try {
			const timeout = Math.max(1, Math.min(policy.attemptTimeoutMs, deadline - Date.now()));
			const attemptOptions = { ...options, timeout, ...(policy.signal ? { abortSignal: policy.signal } : {}) };
			response = await sendFollowingSafeRedirects(attemptOptions, async (hop) =>
				await this.helpers.httpRequestWithAuthentication.call(this, api.credentialType, hop),
			);
		} catch (error) {
			throwIfStopped(policy.signal);
			const code = networkErrorCode(error);
			// A network error without a known code may have happened after the body was sent.
			const failure = code ? classifyNetworkCode(code) : 'maybeProcessed';
			const delay = backoffDelay(attempt, policy);
			if (code && mayRetry(failure, idempotent) && attempt < policy.maxRetries && Date.now() + delay < deadline) {
				mayHaveApplied ||= failure === 'maybeProcessed';
				await waitFor(delay, policy.signal);
				continue;
			}
			// No raw network code in the message: n8n would replace the whole message with a generic one.
			const lost = mayHaveApplied || failure === 'maybeProcessed';
			const message = code
				? `${api.name} ${lost ? 'did not answer' : 'could not be reached'} after ${attempt + 1} attempt(s)`
				: `${api.name} request failed: ${cutText(mask(String((error as Error).message ?? error)))}`;
			throw fail(
				new NodeApiError(this.getNode(), { message } as JsonObject, {
					message,
					description: code ? `Network error ${code.toLowerCase()}: check the Base URL and that the service is up.` : undefined,
				}),
				failure,
			);
		}
		const status = response.statusCode;
		if (response.refusedRedirect !== undefined) {
			const message = mask(`${api.name} answered ${status} with a redirect ${cutText(response.refusedRedirect)}: not followed`);
			const error = new NodeApiError(this.getNode(), { message, httpCode: String(status) } as JsonObject, {
				message,
				description: 'Set the Base URL to the address the API answers on directly (https, or http on loopback for the sandbox).',
				httpCode: String(status),
			});
			throw fail(error, 'final');
		}
		if (status < 400) return parseBody(response.body);
		const failure = classifyStatus(status);
		if (status === 429 && policy.pacer) policy.pacer.rateLimited = true;
		const delay = retryAfterDelay(response.headers['retry-after'], policy) ?? backoffDelay(attempt, policy);
		if (mayRetry(failure, idempotent) && attempt < policy.maxRetries && Date.now() + delay < deadline) {
			mayHaveApplied ||= failure === 'maybeProcessed';
			await waitFor(delay, policy.signal);
			continue;
		}
		const { message, hint } = api.describeError(status, boundedBody(parseBody(response.body), mask));
		const retried = attempt > 0 ? ` (after ${attempt + 1} attempts)` : '';
		throw fail(
			new NodeApiError(
				this.getNode(),
				{ message: mask(message), httpCode: String(status) } as JsonObject,
				{
					message: mask(`${api.name} answered ${status}: ${message}${retried}`),
					description: hint ? mask(hint) : undefined,
					httpCode: String(status),
				},
			),
			failure,
		);
	}
}

/** How a request failed for good: `maybeProcessed` when the server may still have acted on it. */
export function failureOf(error: unknown): FailureClass | undefined {
	return (error as { failure?: FailureClass } | undefined)?.failure;
}

/** The HTTP status an API answered a failed request with (`'401'`), if it answered. */
export function httpStatusOf(error: unknown): string | undefined {
	const status = (error as { httpCode?: unknown } | undefined)?.httpCode;
	return typeof status === 'string' ? status : undefined;
}

/** 400 and 422 may refuse some of the records of a request; 401, 403, 404 and the like refuse the request. */
export function isRecordRejection(error: unknown): boolean {
	const status = httpStatusOf(error);
	return status === '400' || status === '422';
}

/**
 * What became of a request that failed: `refused` (the API answered no), `unknown` (an attempt may
 * have been applied: a lost answer, a reset or timeout after sending, a 5xx after the last retry) or
 * `notSent`. Only apiRequest sends, and it tags every failure after the first attempt starts: an
 * error without a tag was thrown before anything was sent.
 */
export function outcomeOf(error: unknown): Exclude<RequestOutcome, 'accepted'> {
	return (error as { requestOutcome?: Exclude<RequestOutcome, 'accepted'> } | undefined)?.requestOutcome ?? 'notSent';
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

/**
 * An error body with every text masked and cut to a bound (an API may answer with megabytes): a
 * text body, or the top-level texts of an object body, which is all describeError reads.
 */
function boundedBody(body: unknown, mask: (text: string) => string): unknown {
	if (typeof body === 'string') return cutText(mask(body));
	if (!body || typeof body !== 'object' || Array.isArray(body)) return body;
	return Object.fromEntries(
		Object.entries(body as Record<string, unknown>).map(([key, value]) => [key, typeof value === 'string' ? cutText(mask(value)) : value]),
	);
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
	if (code && classifyNetworkCode(code) !== 'final') return code;
	const messages = [candidate?.message, ...(Array.isArray(candidate?.messages) ? candidate.messages : [])].join('\n');
	const named = RETRYABLE_NETWORK_CODES.find((networkCode) => messages.includes(networkCode));
	if (named) return named;
	if (/socket hang up|timeout/i.test(messages)) return 'ECONNRESET';
	return undefined;
}
