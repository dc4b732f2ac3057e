import type { IAuthenticateRuleResponseCode, ICredentialTestRequest, IDataObject, INodeProperties } from 'n8n-workflow';

/**
 * A base URL must use https, except for loopback hosts (the local sandbox). The credential test
 * request resolves a refused URL to a host that names the problem, so nothing is sent to it; the
 * node transports enforce the same rule with a clear error before every request.
 */
const ALLOWED = String.raw`^\s*(https:\/\/[^/]|http:\/\/(localhost|127(\.\d{1,3}){3}|\[::1\])(:\d+)?(\/|\s*$))`;

export const REFUSED_BASE_URL = 'https://base-url-must-use-https-or-loopback.invalid';

export function isAllowedBaseUrl(baseUrl: string): boolean {
	return new RegExp(ALLOWED, 'i').test(baseUrl);
}

/** Expression for a credential test `baseURL`: the base URL if allowed, otherwise REFUSED_BASE_URL. */
function allowedBaseUrlExpression(field: string): string {
	const value = `String($credentials.${field} || '').trim().replace(/\\/+$/, '')`;
	return `={{ /${ALLOWED}/i.test(${value}) ? ${value} : '${REFUSED_BASE_URL}' }}`;
}

export interface CredentialTestOptions {
	qs?: IDataObject;
	/**
	 * What Test says for an HTTP status, by status code: the fields that may be wrong and where to
	 * find them. n8n's credentials tester answers a failed test with the message of the first
	 * `responseCode` rule whose `value` is the status; without one, with the bare status text
	 * ("Unauthorized", "Forbidden"). The editor shows it under "Couldn't connect with these settings".
	 */
	messages?: Record<number, string>;
}

/** A credential's "Test": one GET to `url` on the Base URL field `baseUrl`, if that URL is allowed. */
export function credentialTest(url: string, { qs, messages = {} }: CredentialTestOptions = {}): ICredentialTestRequest {
	const rules: IAuthenticateRuleResponseCode[] = Object.entries(messages).map(([status, message]) => ({
		type: 'responseCode',
		properties: { value: Number(status), message },
	}));
	return {
		request: {
			baseURL: allowedBaseUrlExpression('baseUrl'),
			url,
			...(qs ? { qs } : {}),
			method: 'GET',
			// n8n would re-send the credential headers to wherever a redirect points.
			disableFollowRedirect: true,
		},
		...(rules.length ? { rules } : {}),
	};
}

export const BASE_URL_HINT =
	'Must start with https://, except for a local sandbox on http://127.0.0.1 or http://localhost';

/** ALLOWED without regex flags (a form condition takes none, in n8n 1.x): every letter as [xX]. */
const ALLOWED_ANY_CASE = ALLOWED.replace(/\\.|[a-z]/gi, (match) =>
	match.length === 2 ? match : `[${match.toLowerCase()}${match.toUpperCase()}]`,
);

/**
 * Shown in the credential form while the Base URL would be refused. n8n's credential "Test" can
 * only say "Couldn't connect" (the request goes to REFUSED_BASE_URL, which never resolves): a test
 * request's own messages (`messages` above) answer HTTP statuses only, not a host that cannot be
 * reached, and a test function would need n8n's deprecated `request` helper, the only one a
 * credential test gets. So the form says it.
 */
export function refusedBaseUrlNotice(field: string): INodeProperties {
	return {
		displayName: `This Base URL is refused: it must start with https://, except for a local sandbox on http://127.0.0.1 or http://localhost. Nothing is sent to it, so Test cannot connect.`,
		name: 'refusedBaseUrlNotice',
		type: 'notice',
		default: '',
		displayOptions: { hide: { [field]: [{ _cnd: { regex: ALLOWED_ANY_CASE } }] } },
	};
}
