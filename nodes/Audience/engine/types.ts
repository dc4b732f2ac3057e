export type MemberAction = 'add' | 'remove';
export type SyncMode = 'update' | 'replace';
export type AttributeType = 'auto' | 'string' | 'number' | 'boolean' | 'date' | 'url' | 'array';
export type AttributeValue = string | number | boolean | string[];

export interface MappedAttribute {
	name: string;
	type: AttributeType;
	value: unknown;
}

/** One n8n input item, with its parameters as evaluated (raw, not yet validated). */
export interface MemberInput {
	itemIndex: number;
	audience: unknown;
	id: unknown;
	/** Update only: 'add' | 'remove'. Not given at all = 'add'. */
	action?: unknown;
	/** Mapped fields, or a JSON object whose keys may be written `date(x)` / `url(x)`. */
	attributes?: MappedAttribute[] | Record<string, unknown>;
	/** Legacy Custom Audience API only. */
	tags?: unknown;
}

export interface SyncRules {
	mode: SyncMode;
	/** 1..10000, default 10000. */
	batchSize?: number;
	/** Legacy API only; when false, an item with tags is invalid. */
	allowTags?: boolean;
	/** The label of the field the ids come from, named when an id is missing. */
	idField?: string;
}

/** Exactly one entry of the API's `ids` array. */
export interface AudienceMember {
	id: string;
	action?: MemberAction;
	attributes?: Record<string, AttributeValue>;
	tags?: string[];
}

export interface InvalidItem {
	itemIndex: number;
	id?: string;
	/** Without the "Item n" prefix (see describeInvalidItem). */
	message: string;
}

export interface PlannedRequest {
	operation: 'update' | 'replace';
	audience: string;
	members: AudienceMember[];
	/** Every input item this request carries, collapsed duplicates included; ascending. */
	itemIndexes: number[];
	added: number;
	removed: number;
	duplicatesCollapsed: number;
}

export interface SyncPlan {
	requests: PlannedRequest[];
	invalid: InvalidItem[];
	validCount: number;
	uniqueIds: number;
}

export interface CsvRowInput {
	itemIndex: number;
	phone: unknown;
	/** Extra fields by column name (phone1 is set from `phone`). */
	columns: Record<string, unknown>;
}

export interface AudienceCsv {
	csv: string;
	/** The header as written, 'phone1' first. */
	columns: string[];
	rowCount: number;
	itemIndexes: number[];
	invalid: InvalidItem[];
	duplicatesCollapsed: number;
}

/**
 * What became of one request: `accepted` (a 2xx; `token` is absent when the answer carried none),
 * `refused` (the API said no), `notSent` (it never reached the API, or was provably not processed),
 * `unknown` (it may have been applied: the answer was lost, or a 5xx after the last retry).
 */
export type RequestOutcome = 'accepted' | 'refused' | 'notSent' | 'unknown';

/** One request's answer, as the transport reports it to the sync engine. */
export type SendResult =
	| { outcome: 'accepted'; token?: string }
	/** `recordLevel`: a refusal that may be about some of the records (400, 422), which split-retry can isolate. */
	| { outcome: 'refused'; message: string; error: Error; recordLevel: boolean }
	| { outcome: 'notSent' | 'unknown'; message: string; error: Error };
