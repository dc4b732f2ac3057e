import { SANDBOX_CREDENTIALS, Sandbox } from '../../sandbox';

/** A reply, its body read as JSON when it is typed as JSON. */
export interface Reply {
	status: number;
	headers: Headers;
	/** Any JSON: tests assert on its fields. Undefined when empty or not `application/json`. */
	body: any;
	/** The body exactly as received. */
	raw: Buffer;
}

export const BATCH_AUTH = {
	Authorization: `Bearer ${SANDBOX_CREDENTIALS.batchRestKey}`,
	'X-Batch-Project': SANDBOX_CREDENTIALS.batchProjectKey,
};
export const LEGACY_AUTH = { 'X-Authorization': SANDBOX_CREDENTIALS.batchRestKey };
export const COMMBOX_AUTH = { Authorization: `Bearer ${SANDBOX_CREDENTIALS.commBoxApiKey}` };
export const JSON_TYPE = { 'Content-Type': 'application/json' };

export async function call(url: string, init: RequestInit = {}): Promise<Reply> {
	const response = await fetch(url, init);
	const raw = Buffer.from(await response.arrayBuffer());
	const isJson = response.headers.get('content-type')?.startsWith('application/json') ?? false;
	const body = isJson && raw.length > 0 ? JSON.parse(raw.toString('utf8')) : undefined;
	return { status: response.status, headers: response.headers, body, raw };
}

/** POST a JSON body to `/{version}/audiences/{operation}` with valid credentials unless overridden. */
export function batchPost(
	sandbox: Sandbox,
	operation: string,
	body: unknown,
	{ headers = {}, version = '2.11' }: { headers?: Record<string, string>; version?: string } = {},
): Promise<Reply> {
	return call(`${sandbox.url}/${version}/audiences/${operation}`, {
		method: 'POST',
		headers: { ...BATCH_AUTH, ...JSON_TYPE, ...headers },
		body: typeof body === 'string' ? body : JSON.stringify(body),
	});
}

export function batchGet(
	sandbox: Sandbox,
	operation: string,
	query: Record<string, string> = {},
	headers: Record<string, string> = BATCH_AUTH,
): Promise<Reply> {
	return call(`${sandbox.url}/2.11/audiences/${operation}?${new URLSearchParams(query)}`, { headers });
}

/** A request to `/{version}/{app key}/custom-audience{suffix}` with valid credentials unless overridden. */
export function legacy(
	sandbox: Sandbox,
	method: string,
	suffix: string,
	body?: unknown,
	{
		headers = {},
		version = '1.0',
		appKey = SANDBOX_CREDENTIALS.customAudienceAppKey,
	}: { headers?: Record<string, string>; version?: string; appKey?: string } = {},
): Promise<Reply> {
	return call(`${sandbox.url}/${version}/${appKey}/custom-audience${suffix}`, {
		method,
		headers: { ...LEGACY_AUTH, ...(body === undefined ? {} : JSON_TYPE), ...headers },
		body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
	});
}

export function commBox(
	sandbox: Sandbox,
	method: string,
	path: string,
	body?: FormData | string,
	headers: Record<string, string> = COMMBOX_AUTH,
): Promise<Reply> {
	return call(`${sandbox.url}${path}`, { method, headers, body });
}

/** A multipart form with `audience_file` (and any extra text fields). */
export function fileForm(
	content: string | Buffer,
	fileName = 'audience.csv',
	fields: Record<string, string> = {},
	type = 'text/csv',
): FormData {
	const form = new FormData();
	for (const [name, value] of Object.entries(fields)) form.append(name, value);
	form.append('audience_file', new Blob([content], { type }), fileName);
	return form;
}

export const TOKEN_PATTERN = /^[0-9a-f]{32}$/;

export function ids(count: number, attributes?: (index: number) => Record<string, unknown>) {
	return Array.from({ length: count }, (_, index) => ({
		action: 'add',
		id: `user-${index}`,
		...(attributes ? { attributes: attributes(index) } : {}),
	}));
}
