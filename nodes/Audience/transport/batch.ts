import type { RequestContext } from './request';
import { DEFAULT_POLICY, type RequestPolicy } from './requestPolicy';
import { ListWalk } from './listWalk';
import { apiRequest, httpStatusOf, type PlatformApi } from './request';

/** Batch project API 2.x: `/{version}/audiences/...`, Bearer REST key + X-Batch-Project. */
export const batchApi: PlatformApi = {
	name: 'Batch',
	credentialType: 'batchApi',
	pathPrefix: (credentials) => `/${encodeURIComponent(String(credentials.apiVersion || '2.11'))}`,
	secrets: (credentials) => [String(credentials.restApiKey ?? ''), String(credentials.projectKey ?? '')],
	describeError(status, body) {
		const error = (body ?? {}) as { error_code?: unknown; error_message?: unknown; message?: unknown };
		const text = error.error_message ?? error.message ?? (typeof body === 'string' ? body : '');
		const code = error.error_code !== undefined ? ` [${String(error.error_code)}]` : '';
		const apiText = `${String(text || 'no error message')}${code}`;
		// Batch's own text for a wrong project key speaks of the REST key only: name both fields.
		const message = status === 401 || status === 403 ? `the REST API key or the project key is wrong (${apiText})` : apiText;
		return { message, hint: BATCH_HINTS[status] };
	},
};

const BATCH_HINTS: Record<number, string> = {
	400: 'The request was refused as malformed: check the audience name and the members sent.',
	401: 'Check the REST API key and the project key of the Batch credential (Batch dashboard → Settings → General).',
	403: 'Check the REST API key and the project key of the Batch credential (Batch dashboard → Settings → General): the key must belong to that project.',
	429: 'Batch is rate limiting: lower "Requests per Second" or raise "Max Retries".',
	503: 'Batch is under maintenance: try again later.',
};

/** Batch answers a look-up of an audience that does not exist with a 400 AUDIENCE_NOT_FOUND (a 404 is accepted too). */
export function isAudienceNotFound(error: unknown): boolean {
	const status = httpStatusOf(error);
	return status === '404' || (status === '400' && String((error as Error | undefined)?.message).includes('AUDIENCE_NOT_FOUND'));
}

export interface BatchMember {
	id: string;
	action?: 'add' | 'remove';
	attributes?: Record<string, unknown>;
}

export interface BatchAudience {
	name: string;
	display_name?: string;
	type?: string;
	nb_ids?: number;
	indexing_state?: string;
	created?: string;
	updated?: string;
}

export interface BatchAudiencePage {
	audiences: BatchAudience[];
	count?: number;
	has_more?: boolean;
	next_from?: string;
}

export async function updateAudience(
	this: RequestContext,
	name: string,
	ids: BatchMember[],
	policy: RequestPolicy = DEFAULT_POLICY,
): Promise<unknown> {
	return await apiRequest.call(this, batchApi, { method: 'POST', path: '/audiences/update', body: { name, ids } }, policy);
}

export async function replaceAudience(
	this: RequestContext,
	name: string,
	ids: BatchMember[],
	policy: RequestPolicy = DEFAULT_POLICY,
): Promise<unknown> {
	return await apiRequest.call(this, batchApi, { method: 'POST', path: '/audiences/replace', body: { name, ids } }, policy);
}

export async function createAudience(
	this: RequestContext,
	body: { name: string; type: string; display_name?: string },
	policy: RequestPolicy = DEFAULT_POLICY,
): Promise<unknown> {
	// Not idempotent: retried only when provably not processed.
	return await apiRequest.call(this, batchApi, { method: 'POST', path: '/audiences/create', body, idempotent: false }, policy);
}

export async function removeAudience(
	this: RequestContext,
	name: string,
	policy: RequestPolicy = DEFAULT_POLICY,
): Promise<unknown> {
	return await apiRequest.call(this, batchApi, { method: 'POST', path: '/audiences/remove', body: { name } }, policy);
}

export async function viewAudience(
	this: RequestContext,
	name: string,
	indexingToken?: string,
	policy: RequestPolicy = DEFAULT_POLICY,
): Promise<BatchAudience> {
	const qs = indexingToken ? { name, indexing_token: indexingToken } : { name };
	return ((await apiRequest.call(this, batchApi, { method: 'GET', path: '/audiences/view', qs }, policy)) ?? {}) as BatchAudience;
}

export async function listAudiences(
	this: RequestContext,
	page: { from?: string; limit?: number },
	policy: RequestPolicy = DEFAULT_POLICY,
): Promise<BatchAudiencePage> {
	const qs: Record<string, string | number> = { limit: page.limit ?? LIST_PAGE_SIZE };
	if (page.from) qs.from = page.from;
	return (await apiRequest.call(this, batchApi, { method: 'GET', path: '/audiences/list', qs }, policy)) as BatchAudiencePage;
}

const LIST_PAGE_SIZE = 100;

/** Walks the cursor pages (`next_from`) up to `limit` audiences; a cursor that does not move on stops the walk. */
export async function listAllAudiences(
	this: RequestContext,
	limit = Infinity,
	policy: RequestPolicy = DEFAULT_POLICY,
): Promise<BatchAudience[]> {
	const audiences = new Map<string, BatchAudience>();
	const walk = new ListWalk(this, 'Batch audience list');
	let from: string | undefined;
	do {
		const page = await listAudiences.call(this, { from, limit: Math.min(LIST_PAGE_SIZE, limit - audiences.size) }, policy);
		const listed = page.audiences ?? [];
		let added = 0;
		for (const audience of listed) {
			if (audiences.size >= limit || audiences.has(audience.name)) continue;
			audiences.set(audience.name, audience);
			added++;
		}
		from = page.has_more ? page.next_from : undefined;
		if (from && audiences.size < limit) walk.next({ cursor: from, added, listed: listed.length });
	} while (from && audiences.size < limit);
	return [...audiences.values()];
}
