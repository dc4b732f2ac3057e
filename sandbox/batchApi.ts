import type { ApiModule, Endpoint } from './apiModule';
import { BatchAudience, batchAudienceView } from './audiences';
import type { RequestContext } from './context';
import { SANDBOX_CREDENTIALS } from './credentials';
import type { ApiProblem } from './errors';
import { malformed, missing } from './errors';
import { applyIdEntries, parseIdEntries } from './idsPayload';
import { checkRecordRules } from './recordRules';
import { parseAudienceName, parseListLimit, parseOptionalString, requestedIndexingState } from './params';

/** Batch project API 2.x, `/{2.x}/audiences/{operation}` (docs/api-notes.md#batch-project-api-2x). */

type BatchErrorCode =
	| ApiProblem
	| 'AUTHENTICATION_INVALID'
	| 'AUDIENCE_NOT_FOUND'
	| 'AUDIENCE_ALREADY_EXISTS'
	| 'ROUTE_NOT_FOUND'
	| 'METHOD_NOT_ALLOWED';

const PROBLEM_STATUS: Record<ApiProblem, number> = {
	MISSING_PARAMETER: 400,
	MALFORMED_PARAMETER: 400,
	MALFORMED_JSON_BODY: 400,
	TOO_MANY_REQUESTS: 429,
	SERVER_ERROR: 500,
	MAINTENANCE_ERROR: 503,
};

interface Operation {
	method: 'GET' | 'POST';
	handle(context: RequestContext): Promise<void> | void;
}

const OPERATIONS = new Map<string, Operation>([
	['create', { method: 'POST', handle: createAudience }],
	['update', { method: 'POST', handle: updateAudience }],
	['replace', { method: 'POST', handle: replaceAudience }],
	['remove', { method: 'POST', handle: removeAudience }],
	['view', { method: 'GET', handle: viewAudience }],
	['list', { method: 'GET', handle: listAudiences }],
]);

const ANY_VERSION = /^\d+\.\d+$/;
const VERSION_2 = /^2\.\d+$/;

export const batchApi: ApiModule = {
	name: 'batch',
	resolve(method, segments): Endpoint | undefined {
		const [version, resource, operationName] = segments;
		if (!ANY_VERSION.test(version)) return undefined;
		const operation =
			segments.length === 3 && VERSION_2.test(version) && resource === 'audiences'
				? OPERATIONS.get(operationName)
				: undefined;
		if (!operation) {
			return { route: 'unknown', handle: (context) => replyError(context, 404, 'ROUTE_NOT_FOUND', 'No such route') };
		}
		if (method !== operation.method) {
			return {
				route: operationName,
				handle: (context) =>
					replyError(context, 405, 'METHOD_NOT_ALLOWED', `Use ${operation.method} for ${operationName}`, {
						Allow: operation.method,
					}),
			};
		}
		return {
			route: operationName,
			handle: (context) =>
				isAuthenticated(context)
					? operation.handle(context)
					: replyError(context, 401, 'AUTHENTICATION_INVALID', 'The REST API key is not valid for this project'),
		};
	},
	replyProblem(context, problem, message) {
		replyError(context, PROBLEM_STATUS[problem], problem, message);
	},
};

function replyError(
	context: RequestContext,
	status: number,
	code: BatchErrorCode,
	message: string,
	headers?: Record<string, string>,
): void {
	context.reply(status, { error_code: code, error_message: message }, headers);
}

function isAuthenticated(context: RequestContext): boolean {
	const bearer = /^Bearer\s+(.+)$/i.exec(context.header('authorization') ?? '');
	return (
		bearer?.[1].trim() === SANDBOX_CREDENTIALS.batchRestKey &&
		context.header('x-batch-project') === SANDBOX_CREDENTIALS.batchProjectKey
	);
}

function replyToken(context: RequestContext, token: string): void {
	context.reply(202, { indexing_token: token });
}

/** The audience, or undefined after replying AUDIENCE_NOT_FOUND (the docs list no 404 for these routes). */
function findAudience(context: RequestContext, name: string, { forWrite = false } = {}): BatchAudience | undefined {
	const audience = context.state.batch.get(name);
	if (!audience || (forWrite && audience.removing)) {
		const reason = audience ? 'is being removed' : 'does not exist';
		replyError(context, 400, 'AUDIENCE_NOT_FOUND', `The audience "${name}" ${reason}`);
		return undefined;
	}
	return audience;
}

async function createAudience(context: RequestContext): Promise<void> {
	const body = await context.readJsonBody(['name', 'type', 'display_name']);
	const name = parseAudienceName(body.name);
	if (body.type === undefined) throw missing('type is required');
	if (body.type !== 'custom_ids') throw malformed('type must be "custom_ids"');
	const displayName = parseOptionalString(body.display_name, 'display_name') ?? name;
	const { state } = context;
	if (state.batch.has(name)) {
		return replyError(context, 400, 'AUDIENCE_ALREADY_EXISTS', `The audience "${name}" already exists`);
	}
	const audience = new BatchAudience(name, displayName, state.nextSeq(), state.now());
	state.batch.set(name, audience);
	replyToken(context, state.submitWrite(audience, () => undefined));
}

async function updateAudience(context: RequestContext): Promise<void> {
	await writeMembers(context, { withAction: true, minIds: 1 });
}

async function replaceAudience(context: RequestContext): Promise<void> {
	await writeMembers(context, { withAction: false, minIds: 0 });
}

async function writeMembers(
	context: RequestContext,
	{ withAction, minIds }: { withAction: boolean; minIds: 0 | 1 },
): Promise<void> {
	const body = await context.readJsonBody(['name', 'ids']);
	const name = parseAudienceName(body.name);
	const entries = parseIdEntries(body.ids, { withAction, withTags: false, minIds });
	checkRecordRules(entries, context.state.recordRules);
	const audience = findAudience(context, name, { forWrite: true });
	if (!audience) return;
	const replaceAll = !withAction;
	const apply = () => applyIdEntries(audience.members, entries, (entry) => entry.attributes, { replaceAll });
	replyToken(context, context.state.submitWrite(audience, apply, { replacesEarlierTokens: replaceAll }));
}

/** The audience disappears when the removal is indexed; until then it is listed but refuses writes. */
async function removeAudience(context: RequestContext): Promise<void> {
	const body = await context.readJsonBody(['name']);
	const name = parseAudienceName(body.name);
	const audience = findAudience(context, name, { forWrite: true });
	if (!audience) return;
	audience.removing = true;
	const { state } = context;
	const deleteAudience = () => {
		if (state.batch.get(name) === audience) state.batch.delete(name);
	};
	replyToken(context, state.submitWrite(audience, deleteAudience));
}

function viewAudience(context: RequestContext): void {
	const { query } = context.target;
	const name = parseAudienceName(query.get('name'));
	const audience = findAudience(context, name);
	if (!audience) return;
	const indexingState = requestedIndexingState(audience, query);
	context.reply(200, batchAudienceView(audience, context.state.pendingStateWord, indexingState));
}

function listAudiences(context: RequestContext): void {
	const { query } = context.target;
	const limit = parseListLimit(query);
	const from = query.get('from');
	const afterSeq = from === null ? 0 : decodeCursor(from);
	const { state } = context;
	// Map order is creation order: an audience is inserted once, when created.
	const remaining = [...state.batch.values()].filter((audience) => audience.seq > afterSeq);
	const page = remaining.slice(0, limit);
	const hasMore = remaining.length > limit;
	context.reply(200, {
		audiences: page.map((audience) => batchAudienceView(audience, state.pendingStateWord)),
		...(from === null ? { count: state.batch.size } : {}),
		has_more: hasMore,
		...(hasMore ? { next_from: encodeCursor(page[page.length - 1].seq) } : {}),
	});
}

function encodeCursor(seq: number): string {
	return Buffer.from(`after:${seq}`).toString('base64url');
}

function decodeCursor(cursor: string): number {
	const seq = /^after:(\d{1,15})$/.exec(Buffer.from(cursor, 'base64url').toString('utf8'))?.[1];
	if (seq === undefined || encodeCursor(Number(seq)) !== cursor) throw malformed('from is not a valid cursor');
	return Number(seq);
}
