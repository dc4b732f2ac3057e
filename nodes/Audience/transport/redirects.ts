import type { IHttpRequestOptions } from 'n8n-workflow';
import { isAllowedBaseUrl } from '../../../credentials/baseUrl';

/**
 * Redirect policy. n8n is told never to follow a redirect (it would re-send the credential headers
 * to any origin); this module follows one only to the same origin as the request, to a URL the Base
 * URL rule accepts, with the method and body kept: 307 and 308 for every method, 301, 302 and 303
 * for GET only (a write answered with those would lose its body). Anything else is refused.
 */
export const MAX_REDIRECTS = 3;

export interface HttpResponse {
	statusCode: number;
	headers: Record<string, unknown>;
	body: unknown;
}

/** The final answer, and why it is a redirect that was not followed (the reason names origins only). */
export type FollowedResponse = HttpResponse & { refusedRedirect?: string };

export const isRedirect = (status: number) => status >= 300 && status < 400;

/** Sends the request through `send` (which must not follow redirects) and follows the allowed ones. */
export async function sendFollowingSafeRedirects(
	options: IHttpRequestOptions,
	send: (options: IHttpRequestOptions) => Promise<HttpResponse>,
): Promise<FollowedResponse> {
	let hop: IHttpRequestOptions = { ...options, disableFollowRedirect: true };
	for (let redirects = 0; ; redirects++) {
		const response = await send(hop);
		if (!isRedirect(response.statusCode)) return response;
		const target = redirectTarget(hop, response);
		if (typeof target !== 'string') return { ...response, refusedRedirect: target.refused };
		if (redirects >= MAX_REDIRECTS) return { ...response, refusedRedirect: `more than ${MAX_REDIRECTS} redirects in a row` };
		// The Location carries its own query string.
		hop = { ...hop, url: target, qs: undefined };
	}
}

function redirectTarget(request: IHttpRequestOptions, response: HttpResponse): string | { refused: string } {
	const location = response.headers.location;
	let from: URL;
	let to: URL;
	try {
		from = new URL(request.url);
		to = new URL(String(Array.isArray(location) ? location[0] : location), from);
	} catch {
		return { refused: 'without a valid Location' };
	}
	if (!isAllowedBaseUrl(to.href)) return { refused: `to ${originOf(to)}, which the Base URL rule refuses (https, or http on loopback only)` };
	if (to.origin !== from.origin) return { refused: `to another origin (${originOf(to)}), which would receive the credentials` };
	const method = (request.method ?? 'GET').toUpperCase();
	if (response.statusCode !== 307 && response.statusCode !== 308 && method !== 'GET') {
		return { refused: `of a ${method} request, which would be re-sent without its body` };
	}
	return to.href;
}

/** Scheme, host and port only: a redirect URL may carry keys in its path or query. */
function originOf(url: URL): string {
	return url.protocol === 'http:' || url.protocol === 'https:' ? url.origin : `${url.protocol}//`;
}
