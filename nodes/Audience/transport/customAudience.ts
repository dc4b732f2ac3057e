import type { ICredentialDataDecryptedObject } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';
import { AUDIENCE_NAME_PATTERN, validateAudienceName, type AudienceMember } from '../engine';
import type { RequestContext } from './request';
import { DEFAULT_POLICY, type RequestPolicy } from './requestPolicy';
import { ListWalk } from './listWalk';
import { apiRequest, credentialsOf, type PlatformApi } from './request';

/**
 * Batch legacy Custom Audience API 1.0/1.1: `/{version}/{app API key}/custom-audience[/{name}]`,
 * REST key in `X-Authorization` (added by the credential). The app key travels in the path, so it
 * is a secret of every message.
 */
export const customAudienceApi: PlatformApi = {
	name: 'Batch Custom Audience API',
	credentialType: 'batchCustomAudienceApi',
	pathPrefix: (credentials) => `/${encodeURIComponent(apiVersion(credentials))}/${encodeURIComponent(appKey(credentials))}`,
	secrets: (credentials) => [String(credentials.restApiKey ?? ''), String(credentials.appApiKey ?? '')],
	describeError(status, body) {
		const error = (body && typeof body === 'object' ? body : {}) as {
			error_code?: unknown;
			error_name?: unknown;
			error_message?: unknown;
			message?: unknown;
		};
		const text = String(error.error_message ?? error.message ?? (typeof body === 'string' ? body : '')) || 'no error message';
		const known = knownError(error.error_code, error.error_name);
		if (!known) {
			// An undocumented code (e.g. for 429) is still shown as the API gave it.
			const code = error.error_code === undefined ? '' : `(code ${String(error.error_code)})`;
			const label = [typeof error.error_name === 'string' ? error.error_name : '', code].filter(Boolean).join(' ');
			return { message: label ? `${label}: ${text}` : text, hint: STATUS_HINTS[status] };
		}
		return { message: `${known.name} (code ${known.code}): ${text}`, hint: known.hint };
	},
};

/** The documented error list (docs/api-notes.md#legacy-error-codes): HTTP status, numeric code and what the user can do about it. */
const LEGACY_ERRORS: Array<{ code: number; name: string; status: number; hint: string }> = [
	{ code: 10, name: 'AUTHENTICATION_INVALID', status: 401, hint: 'Check the REST API key of the Batch Custom Audience credential (Batch dashboard → Settings → General; only managers can see it).' },
	{ code: 12, name: 'API_MISUSE', status: 403, hint: "Check the credential's App API Key: the Live, Dev or SDK API key of an app of the company whose REST API key you use." },
	{ code: 20, name: 'ROUTE_NOT_FOUND', status: 404, hint: 'Check the audience name (names are case sensitive) and that the audience exists in this app.' },
	{ code: 30, name: 'MISSING_PARAMETER', status: 400, hint: 'A required field was missing from the request; the message names it.' },
	{ code: 31, name: 'MALFORMED_PARAMETER', status: 400, hint: 'A value was refused; the message names it. API 1.1 accepts install IDs only: use version 1.0 in the credential for custom user IDs. An indexing token must come from a write to the same audience.' },
	{ code: 32, name: 'MALFORMED_JSON_BODY', status: 400, hint: 'The request body was not valid JSON for Batch.' },
	{ code: 1, name: 'SERVER_ERROR', status: 500, hint: 'Batch had an unexpected error: try again later, or raise "Max Retries".' },
	{ code: 2, name: 'MAINTENANCE_ERROR', status: 503, hint: 'Batch is under maintenance: try again later, or raise "Max Retries".' },
];

const STATUS_HINTS: Record<number, string> = {
	...Object.fromEntries(LEGACY_ERRORS.filter((e) => e.status !== 400).map((e) => [e.status, e.hint])),
	429: 'Batch is rate limiting: lower "Requests per Second" or raise "Max Retries".',
};

/** The documented codes are integers; a numeric text or the error's name are accepted too. */
function knownError(code: unknown, name: unknown): (typeof LEGACY_ERRORS)[number] | undefined {
	const number = typeof code === 'number' ? code : typeof code === 'string' && /^\d+$/.test(code) ? Number(code) : undefined;
	return (
		LEGACY_ERRORS.find((e) => e.code === number) ??
		LEGACY_ERRORS.find((e) => e.name === (typeof code === 'string' ? code : name))
	);
}

function apiVersion(credentials: ICredentialDataDecryptedObject): string {
	const version = String(credentials.apiVersion || '1.1');
	if (!/^1\.\d+$/.test(version)) throw new Error(`The Custom Audience API version must be 1.0 or 1.1, got "${version}"`);
	return version;
}

/** `.` and `..` survive URL encoding and would move the request elsewhere. */
function appKey(credentials: ICredentialDataDecryptedObject): string {
	const key = String(credentials.appApiKey ?? '').trim();
	if (key === '' || key === '.' || key === '..') throw new Error("The credential's App API Key is missing or not valid");
	return key;
}

/** The API version of the credential, which decides the ID type of the payload. */
export async function customAudienceVersion(this: RequestContext): Promise<string> {
	return apiVersion(await credentialsOf(this, customAudienceApi.credentialType));
}

/** The audience path segment; checked again here so no name can ever reach another route. */
function audiencePath(this: RequestContext, name: string): string {
	if (!AUDIENCE_NAME_PATTERN.test(name)) {
		throw new NodeOperationError(this.getNode(), validateAudienceName(name) ?? `audience name "${name}" is not valid`);
	}
	return `/custom-audience/${encodeURIComponent(name)}`;
}

export type CustomAudienceIdType = 'custom_ids' | 'advertising_ids' | 'install_ids';

/** Body of PATCH and PUT. `type` is only in the 1.0 examples of the docs (see README). */
export interface CustomAudienceIds {
	type?: CustomAudienceIdType;
	ids: AudienceMember[];
}

export interface CustomAudience {
	name: string;
	type?: string;
	description?: string;
	nb_ids?: number;
	/** Documented for the view; whether the list carries it is unconfirmed. */
	indexing_state?: string;
	created?: string;
	updated?: string;
}

/** PATCH: add and remove members (attributes and tags only with add). */
export async function updateCustomAudience(
	this: RequestContext,
	name: string,
	body: CustomAudienceIds,
	policy: RequestPolicy = DEFAULT_POLICY,
): Promise<unknown> {
	const path = audiencePath.call(this, name);
	return await apiRequest.call(this, customAudienceApi, { method: 'PATCH', path, body }, policy);
}

/** PUT: every previous member is removed, the given ones are added. */
export async function replaceCustomAudience(
	this: RequestContext,
	name: string,
	body: CustomAudienceIds,
	policy: RequestPolicy = DEFAULT_POLICY,
): Promise<unknown> {
	const path = audiencePath.call(this, name);
	return await apiRequest.call(this, customAudienceApi, { method: 'PUT', path, body }, policy);
}

export async function deleteCustomAudience(
	this: RequestContext,
	name: string,
	policy: RequestPolicy = DEFAULT_POLICY,
): Promise<void> {
	const path = audiencePath.call(this, name);
	await apiRequest.call(this, customAudienceApi, { method: 'DELETE', path }, policy);
}

/** GET one audience; with a token, `indexing_state` is that write's. */
export async function viewCustomAudience(
	this: RequestContext,
	name: string,
	indexingToken?: string,
	policy: RequestPolicy = DEFAULT_POLICY,
): Promise<CustomAudience> {
	const path = audiencePath.call(this, name);
	const qs = indexingToken ? { indexing_token: indexingToken } : undefined;
	return (await apiRequest.call(this, customAudienceApi, { method: 'GET', path, qs }, policy)) as CustomAudience;
}

/** GET one page of the list, newest first; paging is by offset (`from`), at most 100 a page. */
export async function listCustomAudiences(
	this: RequestContext,
	page: { from?: number; limit?: number },
	policy: RequestPolicy = DEFAULT_POLICY,
): Promise<CustomAudience[]> {
	const qs = { from: page.from ?? 0, limit: page.limit ?? LIST_PAGE_SIZE };
	const response = (await apiRequest.call(this, customAudienceApi, { method: 'GET', path: '/custom-audience', qs }, policy)) as {
		custom_audiences?: CustomAudience[];
	};
	return response?.custom_audiences ?? [];
}

export const LIST_PAGE_SIZE = 100;

/**
 * Walks the offset pages (a page shorter than asked is the last) up to `limit` audiences. An
 * audience listed twice because the list moved during the walk is kept once; a full page with
 * nothing new (the offset was ignored) stops the walk.
 */
export async function listAllCustomAudiences(
	this: RequestContext,
	limit = Infinity,
	policy: RequestPolicy = DEFAULT_POLICY,
): Promise<CustomAudience[]> {
	const audiences = new Map<string, CustomAudience>();
	const walk = new ListWalk(this, 'Batch Custom Audience list');
	let from = 0;
	while (audiences.size < limit) {
		const size = Math.min(LIST_PAGE_SIZE, limit - audiences.size);
		const page = await listCustomAudiences.call(this, { from, limit: size }, policy);
		from += page.length;
		let added = 0;
		for (const audience of page) {
			if (audiences.size >= limit || audiences.has(audience.name)) continue;
			audiences.set(audience.name, audience);
			added++;
		}
		if (page.length < size || audiences.size >= limit) break;
		walk.next({ cursor: `offset ${from}`, added, listed: page.length });
	}
	return [...audiences.values()];
}
