/**
 * A base URL must use https, except for loopback hosts (the local sandbox). The credential tests
 * (nodes/Audience/methods/credentialTest.ts) and the node transports refuse any other URL with a
 * clear message before sending anything.
 */
const LOOPBACK_HTTP = String.raw`^http:\/\/(localhost|127(\.\d{1,3}){3}|\[::1\])(:\d+)?(\/|$)`;

export function isAllowedBaseUrl(baseUrl: string): boolean {
	return /^https:\/\/[^/]/i.test(baseUrl) || new RegExp(LOOPBACK_HTTP, 'i').test(baseUrl);
}

export const BASE_URL_HINT =
	'Must start with https://, except for a local sandbox on http://127.0.0.1 or http://localhost';
