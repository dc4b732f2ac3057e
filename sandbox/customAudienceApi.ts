import type { ApiModule, Endpoint } from './apiModule';
import { CustomAudience, CustomAudienceMember, customAudienceView } from './audiences';
import type { RequestContext } from './context';
import { SANDBOX_CREDENTIALS } from './credentials';
import type { ApiProblem } from './errors';
import { malformed, missing } from './errors';
import { decodePathSegment } from './http';
import { applyIdEntries, IdEntry, parseIdEntries } from './idsPayload';
import { checkRecordRules } from './recordRules';
import {
	parseAudienceName,
	parseIntegerParam,
	parseListLimit,
	parseOptionalString,
	requestedIndexingState,
} from './params';

/** Batch legacy Custom Audience API, `/{1.0|1.1}/{app key}/custom-audience[/{name}]` (docs/api-notes.md#batch-custom-audience-api-legacy-1x). */

type LegacyErrorName = ApiProblem | 'AUTHENTICATION_INVALID' | 'API_MISUSE' | 'ROUTE_NOT_FOUND';
type LegacyVersion = '1.0' | '1.1';

/** The documented error list (docs/api-notes.md#legacy-error-codes); 429 is not in it, so its numeric code is the sandbox's choice. */
const LEGACY_ERRORS: Record<LegacyErrorName, { status: number; code: number }> = {
	AUTHENTICATION_INVALID: { status: 401, code: 10 },
	API_MISUSE: { status: 403, code: 12 },
	ROUTE_NOT_FOUND: { status: 404, code: 20 },
	MISSING_PARAMETER: { status: 400, code: 30 },
	MALFORMED_PARAMETER: { status: 400, code: 31 },
	MALFORMED_JSON_BODY: { status: 400, code: 32 },
	TOO_MANY_REQUESTS: { status: 429, code: 429 },
	SERVER_ERROR: { status: 500, code: 1 },
	MAINTENANCE_ERROR: { status: 503, code: 2 },
};

/** 1.0 takes custom user IDs and advertising IDs, 1.1 install IDs only. */
const TYPES_BY_VERSION: Record<LegacyVersion, readonly string[]> = {
	'1.0': ['custom_ids', 'advertising_ids'],
	'1.1': ['install_ids'],
};

interface AudiencePath {
	version: LegacyVersion;
	/** The audience name segment, still percent-encoded. */
	rawName: string;
}

interface Operation {
	route: string;
	handle(context: RequestContext, path: AudiencePath): Promise<void> | void;
}

const COLLECTION_OPERATIONS = new Map<string, Operation>([['GET', { route: 'list', handle: listAudiences }]]);
const AUDIENCE_OPERATIONS = new Map<string, Operation>([
	['GET', { route: 'view', handle: viewAudience }],
	['POST', { route: 'create', handle: createAudience }],
	['PATCH', { route: 'update', handle: updateAudience }],
	['PUT', { route: 'replace', handle: replaceAudience }],
	['DELETE', { route: 'delete', handle: deleteAudience }],
]);

const LEGACY_VERSION_SEGMENT = /^1\.\d+$/;

export const customAudienceApi: ApiModule = {
	name: 'customAudience',
	resolve(method, segments): Endpoint | undefined {
		const [version, appKey, resource, rawName = ''] = segments;
		if (!LEGACY_VERSION_SEGMENT.test(version)) return undefined;
		const operations =
			segments.length === 3 ? COLLECTION_OPERATIONS : segments.length === 4 ? AUDIENCE_OPERATIONS : undefined;
		const operation = resource === 'custom-audience' ? operations?.get(method) : undefined;
		// The legacy API has no 405 in its error list: a wrong method is an unknown route.
		if (!operation || !isLegacyVersion(version)) {
			return { route: 'unknown', handle: (context) => replyError(context, 'ROUTE_NOT_FOUND', 'No such route') };
		}
		return {
			route: operation.route,
			handle: (context) => {
				if (context.header('x-authorization') !== SANDBOX_CREDENTIALS.batchRestKey) {
					return replyError(context, 'AUTHENTICATION_INVALID', 'The X-Authorization header is missing or invalid');
				}
				if (appKey !== SANDBOX_CREDENTIALS.customAudienceAppKey) {
					return replyError(context, 'API_MISUSE', 'The API key in the path does not belong to an app');
				}
				return operation.handle(context, { version, rawName });
			},
		};
	},
	replyProblem(context, problem, message) {
		replyError(context, problem, message);
	},
};

function isLegacyVersion(version: string): version is LegacyVersion {
	return version === '1.0' || version === '1.1';
}

function replyError(context: RequestContext, name: LegacyErrorName, message: string): void {
	const { status, code } = LEGACY_ERRORS[name];
	context.reply(status, { error_code: code, error_name: name, error_message: message });
}

function replyToken(context: RequestContext, token: string): void {
	context.reply(201, { indexing_token: token });
}

function audienceName(path: AudiencePath): string {
	return parseAudienceName(decodePathSegment(path.rawName, 'audience name'), 'audience name');
}

/** The audience, or undefined after replying ROUTE_NOT_FOUND. */
function findAudience(context: RequestContext, name: string): CustomAudience | undefined {
	const audience = context.state.customAudience.get(name);
	if (!audience) replyError(context, 'ROUTE_NOT_FOUND', `The custom audience "${name}" does not exist`);
	return audience;
}

function parseType(value: unknown, version: LegacyVersion): string | undefined {
	if (value === undefined) return undefined;
	const accepted = TYPES_BY_VERSION[version];
	if (typeof value !== 'string' || !accepted.includes(value)) {
		throw malformed(`type must be ${accepted.map((type) => `"${type}"`).join(' or ')} in version ${version}`);
	}
	return value;
}

function toMember(entry: IdEntry): CustomAudienceMember {
	return { attributes: entry.attributes, tags: entry.tags };
}

function addAudience(context: RequestContext, name: string, type: string, description: string): CustomAudience {
	const { state } = context;
	const audience = new CustomAudience(name, type, description, state.nextSeq(), state.now());
	state.customAudience.set(name, audience);
	return audience;
}

async function createAudience(context: RequestContext, path: AudiencePath): Promise<void> {
	const name = audienceName(path);
	const body = await context.readJsonBody(['type', 'description']);
	const type = parseType(body.type, path.version);
	if (type === undefined) throw missing('type is required');
	const description = parseOptionalString(body.description, 'description') ?? '';
	if (context.state.customAudience.has(name)) throw malformed(`The custom audience "${name}" already exists`);
	const audience = addAudience(context, name, type, description);
	replyToken(context, context.state.submitWrite(audience, () => undefined));
}

async function updateAudience(context: RequestContext, path: AudiencePath): Promise<void> {
	const name = audienceName(path);
	const body = await context.readJsonBody(['type', 'ids']);
	parseType(body.type, path.version); // checked, not stored: the audience keeps its type
	const entries = parseIdEntries(body.ids, { withAction: true, withTags: true, minIds: 1 });
	checkRecordRules(entries, context.state.recordRules);
	const audience = findAudience(context, name);
	if (!audience) return;
	replyToken(context, context.state.submitWrite(audience, () => applyIdEntries(audience.members, entries, toMember)));
}

/** PUT replaces every member, and creates the audience when it does not exist yet. */
async function replaceAudience(context: RequestContext, path: AudiencePath): Promise<void> {
	const name = audienceName(path);
	const body = await context.readJsonBody(['type', 'ids']);
	const type = parseType(body.type, path.version) ?? TYPES_BY_VERSION[path.version][0];
	const entries = parseIdEntries(body.ids, { withAction: false, withTags: true, minIds: 0 });
	checkRecordRules(entries, context.state.recordRules);
	const audience = context.state.customAudience.get(name) ?? addAudience(context, name, type, '');
	const apply = () => applyIdEntries(audience.members, entries, toMember, { replaceAll: true });
	replyToken(context, context.state.submitWrite(audience, apply));
}

/** Deletion is immediate; the audience's pending writes are dropped. */
function deleteAudience(context: RequestContext, path: AudiencePath): void {
	const audience = findAudience(context, audienceName(path));
	if (!audience) return;
	context.state.indexing.cancel(audience);
	context.state.customAudience.delete(audience.name);
	context.reply(200, {});
}

function viewAudience(context: RequestContext, path: AudiencePath): void {
	const audience = findAudience(context, audienceName(path));
	if (!audience) return;
	context.reply(200, customAudienceView(audience, requestedIndexingState(audience, context.target.query)));
}

/** Offset paging, newest first. */
function listAudiences(context: RequestContext): void {
	const { query } = context.target;
	const from = parseIntegerParam(query.get('from'), 'from', { min: 0, max: Number.MAX_SAFE_INTEGER, fallback: 0 });
	const limit = parseListLimit(query);
	const newestFirst = [...context.state.customAudience.values()].sort((a, b) => b.seq - a.seq);
	context.reply(200, {
		custom_audiences: newestFirst.slice(from, from + limit).map((audience) => customAudienceView(audience)),
	});
}
