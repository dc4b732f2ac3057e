import type { ApiModule, Endpoint } from './apiModule';
import { CommBoxAudience, commBoxListItem } from './audiences';
import { AudienceFile, checkPhoneNumbers, readAudienceFile } from './audienceFile';
import { isoUtc } from './clock';
import type { RequestContext } from './context';
import { SANDBOX_CREDENTIALS } from './credentials';
import type { ApiProblem } from './errors';
import { malformed, missing } from './errors';
import { decodePathSegment } from './http';
import { MultipartPart, parseMultipart } from './multipart';

/** CommBox audiences API at `/` (docs/api-notes.md#commbox-audiences-api). Every reply uses the `{status, description, response_time, data?}` envelope. */

const PROBLEM_REPLIES: Record<ApiProblem, { status: number; description: string }> = {
	MISSING_PARAMETER: { status: 400, description: 'Bad Request' },
	MALFORMED_PARAMETER: { status: 400, description: 'Bad Request' },
	MALFORMED_JSON_BODY: { status: 400, description: 'Bad Request' },
	TOO_MANY_REQUESTS: { status: 429, description: 'Too Many Requests – Rate limit exceeded' },
	SERVER_ERROR: { status: 500, description: 'Server Error' },
	MAINTENANCE_ERROR: { status: 503, description: 'Service Unavailable' },
};

type Handler = (context: RequestContext, segments: readonly string[]) => Promise<void> | void;

interface PathTemplate {
	/** How routes are named: `${method} ${template}`, e.g. `PUT /Audiences`. */
	template: string;
	matches(segments: readonly string[]): boolean;
	handlers: Map<string, Handler>;
}

const isAudiencesSegment = (segment: string) => segment.toLowerCase() === 'audiences';

const PATHS: PathTemplate[] = [
	{
		template: '/audiences',
		matches: (segments) => segments.length === 1 && isAudiencesSegment(segments[0]),
		handlers: new Map<string, Handler>([
			['GET', listAudiences],
			['POST', createAudience],
		]),
	},
	{
		template: '/Audiences',
		matches: (segments) => segments.length === 2 && isAudiencesSegment(segments[0]),
		handlers: new Map<string, Handler>([['PUT', replaceAudience]]),
	},
	{
		template: '/core/systemstatus',
		matches: (segments) => segments.length === 2 && segments[0] === 'core' && segments[1] === 'systemstatus',
		handlers: new Map<string, Handler>([['GET', systemStatus]]),
	},
];

/** Owns every path the Batch APIs do not, so unknown paths get CommBox's 404. */
export const commBoxApi: ApiModule = {
	name: 'commBox',
	resolve(method, segments): Endpoint {
		const path = PATHS.find((candidate) => candidate.matches(segments));
		if (!path) return { route: 'unknown', handle: (context) => replyEnvelope(context, 404, 'Not Found') };
		const route = `${method} ${path.template}`;
		const handler = path.handlers.get(method);
		if (!handler) {
			const allowed = [...path.handlers.keys()].join(', ');
			return { route, handle: (context) => replyEnvelope(context, 405, 'Method Not Allowed', { headers: { Allow: allowed } }) };
		}
		return {
			route,
			handle: (context) =>
				context.header('authorization') === `Bearer ${SANDBOX_CREDENTIALS.commBoxApiKey}`
					? handler(context, segments)
					: replyEnvelope(context, 401, 'Unauthorized'),
		};
	},
	replyProblem(context, problem, message) {
		const { status, description } = PROBLEM_REPLIES[problem];
		replyEnvelope(context, status, status === 400 ? `${description} - ${message}` : description);
	},
};

interface EnvelopeOptions {
	data?: unknown;
	headers?: Record<string, string>;
	/** The docs show `status` as a string on the GET routes, as a number elsewhere. */
	statusAsString?: boolean;
}

function replyEnvelope(
	context: RequestContext,
	status: number,
	description: string,
	{ data, headers, statusAsString = false }: EnvelopeOptions = {},
): void {
	const envelope = {
		status: statusAsString ? String(status) : status,
		description,
		response_time: isoUtc(new Date()),
		...(data === undefined ? {} : { data }),
	};
	context.reply(status, envelope, headers);
}

function systemStatus(context: RequestContext): void {
	replyEnvelope(context, 200, 'System is operational', { statusAsString: true });
}

function listAudiences(context: RequestContext): void {
	const data = [...context.state.commBox.values()].map(commBoxListItem);
	replyEnvelope(context, 200, 'Audiences retrieved', { data, statusAsString: true });
}

async function createAudience(context: RequestContext): Promise<void> {
	const fields = await readForm(context, ['name', 'audience_file']);
	const name = fields.get('name')?.data.toString('utf8').trim();
	if (!name) throw missing('missing required field: name');
	const file = readCheckedFile(context, fields);
	const { state } = context;
	const audience: CommBoxAudience = {
		id: state.nextCommBoxId(),
		name,
		type: 'Static',
		created: state.now(),
		columns: file.columns,
		rows: file.rows,
		lastUpload: file.upload,
	};
	state.commBox.set(audience.id, audience);
	replyEnvelope(context, 201, 'Audience created', { data: { id: audience.id } });
}

/** Replaces every row at once; only Static audiences can be updated. */
async function replaceAudience(context: RequestContext, segments: readonly string[]): Promise<void> {
	const id = decodePathSegment(segments[1], 'AUDIENCE_ID');
	const audience = context.state.commBox.get(id);
	if (!audience) return replyEnvelope(context, 404, 'Not Found');
	if (audience.type !== 'Static') throw malformed('only Static audiences can be updated');
	const file = readCheckedFile(context, await readForm(context, ['audience_file']));
	Object.assign(audience, { columns: file.columns, rows: file.rows, lastUpload: file.upload });
	replyEnvelope(context, 200, 'Operation successful', { data: { id: audience.id } });
}

/** The multipart fields, each at most once and all in `allowed`. */
async function readForm(context: RequestContext, allowed: readonly string[]): Promise<Map<string, MultipartPart>> {
	const body = await context.readBody();
	const fields = new Map<string, MultipartPart>();
	for (const part of parseMultipart(body, context.header('content-type'))) {
		if (!allowed.includes(part.name)) throw malformed(`unexpected field "${part.name}"`);
		if (fields.has(part.name)) throw malformed(`the field "${part.name}" appears twice`);
		fields.set(part.name, part);
	}
	return fields;
}

function readCheckedFile(context: RequestContext, fields: Map<string, MultipartPart>): AudienceFile {
	const part = fields.get('audience_file');
	if (!part || part.fileName === undefined) throw missing('missing required field: audience_file');
	const file = readAudienceFile(part);
	context.idsCount = file.rows.length;
	checkPhoneNumbers(file);
	return file;
}
