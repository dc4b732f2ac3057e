import { randomBytes } from 'crypto';
import { NodeOperationError } from 'n8n-workflow';
import type { RequestContext } from './request';
import { DEFAULT_POLICY, type RequestPolicy } from './requestPolicy';
import { apiRequest, type PlatformApi } from './request';

/** CommBox audiences API (docs/api-notes.md#commbox-audiences-api): Bearer API key, `{status, description, response_time, data?}` envelopes. */
export const commBoxApi: PlatformApi = {
	name: 'CommBox',
	credentialType: 'commBoxApi',
	pathPrefix: () => '',
	secrets: (credentials) => [String(credentials.apiKey ?? '')],
	describeError(status, body) {
		const envelope = (body ?? {}) as { description?: unknown; message?: unknown };
		const text = envelope.description ?? envelope.message ?? (typeof body === 'string' ? body.slice(0, 300) : '');
		return { message: String(text || 'no description'), hint: COMMBOX_HINTS[status] ?? (status >= 500 ? COMMBOX_HINTS[500] : undefined) };
	},
};

const COMMBOX_HINTS: Record<number, string> = {
	400: 'CommBox refused the request: only Static audiences can be replaced, and the file needs a phone1 column of full international numbers (digits with the country code, no +).',
	401: 'Check the API key of the CommBox credential (CommBox console → Settings → API); keys expire after at most a year.',
	404: 'No CommBox audience has this ID: pick the audience from the list or check the ID.',
	429: 'CommBox is rate limiting: raise "Max Retries" or run the workflow later.',
	500: 'CommBox failed on its side and kept failing after the retries: try again later.',
};

export interface CommBoxEnvelope<Data = unknown> {
	/** A number or a numeric string, depending on the route. */
	status?: number | string;
	description?: string;
	response_time?: string;
	data?: Data;
}

export interface CommBoxAudience {
	id: string;
	name: string;
	type?: 'Static' | 'Dynamic' | string;
	created_time?: string;
	/** Static audiences only. */
	user_count?: number;
}

/** Only Static audiences can be replaced; the type's case is not relied upon. */
export function isStatic(audience: CommBoxAudience): boolean {
	return String(audience.type ?? '').toLowerCase() === 'static';
}

/** CommBox audience IDs are numbers; anything else (`..`, `1/2`, `%2e%2e`) could reach another route. */
export const COMMBOX_AUDIENCE_ID = /^\d{1,20}$/;

function audiencePath(this: RequestContext, audienceId: string): string {
	if (!COMMBOX_AUDIENCE_ID.test(audienceId)) {
		throw new NodeOperationError(this.getNode(), `The CommBox audience ID ${JSON.stringify(audienceId)} is not valid: digits only`);
	}
	return `/Audiences/${audienceId}`;
}

/** The file sent as the `audience_file` part. */
export interface AudienceUpload {
	data: Buffer;
	fileName: string;
	contentType: string;
}

type IdEnvelope = CommBoxEnvelope<{ id?: string | number }>;

/** PUT /Audiences/{id}: every customer of the Static audience is replaced by the file's rows. */
export async function replaceStaticAudience(
	this: RequestContext,
	audienceId: string,
	file: AudienceUpload,
	policy: RequestPolicy = DEFAULT_POLICY,
): Promise<IdEnvelope> {
	const path = audiencePath.call(this, audienceId);
	const { body, contentType } = multipartBody([], file);
	return (await apiRequest.call(
		this,
		commBoxApi,
		{ method: 'PUT', path, body, headers: { 'Content-Type': contentType }, json: false },
		policy,
	)) as IdEnvelope;
}

/** POST /audiences: a new audience named `name` holding the file's rows. */
export async function createStaticAudience(
	this: RequestContext,
	name: string,
	file: AudienceUpload,
	policy: RequestPolicy = DEFAULT_POLICY,
): Promise<IdEnvelope> {
	const { body, contentType } = multipartBody([['name', name]], file);
	return (await apiRequest.call(
		this,
		commBoxApi,
		// Not idempotent (CommBox allows duplicate names): retried only when provably not processed.
		{ method: 'POST', path: '/audiences', body, headers: { 'Content-Type': contentType }, json: false, idempotent: false },
		policy,
	)) as IdEnvelope;
}

/** GET /audiences: every audience at once (no pagination is documented). */
export async function listAudiences(this: RequestContext, policy: RequestPolicy = DEFAULT_POLICY): Promise<CommBoxAudience[]> {
	const envelope = (await apiRequest.call(this, commBoxApi, { method: 'GET', path: '/audiences' }, policy)) as CommBoxEnvelope<
		CommBoxAudience[]
	>;
	return Array.isArray(envelope?.data) ? envelope.data.map((audience) => ({ ...audience, id: String(audience.id) })) : [];
}

/** multipart/form-data (RFC 7578) built by hand: the text fields, then the file as `audience_file`. */
export function multipartBody(fields: Array<[string, string]>, file: AudienceUpload): { body: Buffer; contentType: string } {
	let boundary: string;
	do boundary = `----AudienceSync${randomBytes(16).toString('hex')}`;
	while (file.data.includes(boundary) || fields.some(([, value]) => value.includes(boundary)));
	const parts: Buffer[] = [];
	for (const [name, value] of fields) {
		parts.push(Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="${quoted(name)}"\r\n\r\n${value}\r\n`));
	}
	parts.push(
		Buffer.from(
			`--${boundary}\r\nContent-Disposition: form-data; name="audience_file"; filename="${quoted(file.fileName)}"\r\n` +
				`Content-Type: ${file.contentType}\r\n\r\n`,
		),
		file.data,
		Buffer.from(`\r\n--${boundary}--\r\n`),
	);
	return { body: Buffer.concat(parts), contentType: `multipart/form-data; boundary=${boundary}` };
}

function quoted(text: string): string {
	return text.replace(/["\\\r\n]/g, '_');
}
