/**
 * A base URL must use https, except for loopback hosts (the local sandbox). The credential test
 * request resolves a refused URL to a host that names the problem, so nothing is sent to it; the
 * node transports enforce the same rule with a clear error before every request.
 */
const LOOPBACK_HTTP = String.raw`^http:\/\/(localhost|127(\.\d{1,3}){3}|\[::1\])(:\d+)?(\/|$)`;

export const REFUSED_BASE_URL = 'https://base-url-must-use-https-or-loopback.invalid';

export function isAllowedBaseUrl(baseUrl: string): boolean {
	return /^https:\/\/[^/]/i.test(baseUrl) || new RegExp(LOOPBACK_HTTP, 'i').test(baseUrl);
}

/** Expression for a credential test `baseURL`: the base URL if allowed, otherwise REFUSED_BASE_URL. */
export function allowedBaseUrlExpression(field: string): string {
	const value = `String($credentials.${field} || '').trim().replace(/\\/+$/, '')`;
	return `={{ /^https:\\/\\/[^/]/i.test(${value}) || /${LOOPBACK_HTTP}/i.test(${value}) ? ${value} : '${REFUSED_BASE_URL}' }}`;
}

export const BASE_URL_HINT =
	'Must start with https://, except for a local sandbox on http://127.0.0.1 or http://localhost';
