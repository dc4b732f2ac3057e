import { isoUtc, isoUtcSeconds, isoWithoutZone } from './clock';

export type Attributes = Record<string, unknown>;
export type TokenState = 'PENDING' | 'APPLIED' | 'REPLACED';
/** Batch's docs disagree on the word for a pending write (docs/api-notes.md#batch-2x-indexing-states); the sandbox can report either. */
export type PendingStateWord = 'IN_PROGRESS' | 'IN_PROCESS';

/** An audience whose writes are acknowledged with an indexing token and applied later. */
export class TrackedAudience<Member> {
	readonly members = new Map<string, Member>();
	updated: Date;
	/** Set once a removal is accepted; later writes are refused. */
	removing = false;
	private readonly tokens = new Map<string, TokenState>();
	private lastToken: string | undefined;

	constructor(
		readonly name: string,
		/** Creation order, used for listing and cursors. */
		readonly seq: number,
		readonly created: Date,
	) {
		this.updated = created;
	}

	/** Undefined when the token was not issued for this audience. */
	tokenState(token: string): TokenState | undefined {
		return this.tokens.get(token);
	}

	/** The state of the last accepted write; an audience never written to reports APPLIED. */
	lastState(): TokenState {
		return (this.lastToken && this.tokens.get(this.lastToken)) || 'APPLIED';
	}

	acceptWrite(token: string): void {
		this.tokens.set(token, 'PENDING');
		this.lastToken = token;
	}

	markApplied(token: string, at: Date, replacesEarlierTokens: boolean): void {
		if (replacesEarlierTokens) {
			for (const earlier of this.tokens.keys()) {
				if (earlier === token) break;
				this.tokens.set(earlier, 'REPLACED');
			}
		}
		this.tokens.set(token, 'APPLIED');
		this.updated = at;
	}
}

export class BatchAudience extends TrackedAudience<Attributes> {
	constructor(name: string, readonly displayName: string, seq: number, created: Date) {
		super(name, seq, created);
	}
}

export interface CustomAudienceMember {
	attributes: Attributes;
	tags: string[];
}

export class CustomAudience extends TrackedAudience<CustomAudienceMember> {
	constructor(name: string, readonly type: string, readonly description: string, seq: number, created: Date) {
		super(name, seq, created);
	}
}

export interface CommBoxUpload {
	fileName: string;
	contentType: string;
	bytes: number;
	/** The raw text, when the file was a CSV. */
	text?: string;
}

export interface CommBoxAudience {
	id: string;
	name: string;
	type: 'Static' | 'Dynamic';
	created: Date;
	columns: string[];
	rows: Array<Record<string, string>>;
	lastUpload?: CommBoxUpload;
}

export function indexingStateWord(state: TokenState, pendingWord: PendingStateWord): string {
	return state === 'PENDING' ? pendingWord : state;
}

export interface BatchAudienceView {
	name: string;
	display_name: string;
	type: 'CUSTOM_ID';
	nb_ids: number;
	indexing_state: string;
	created: string;
	updated: string;
}

export function batchAudienceView(
	audience: BatchAudience,
	pendingWord: PendingStateWord,
	state: TokenState = audience.lastState(),
): BatchAudienceView {
	return {
		name: audience.name,
		display_name: audience.displayName,
		type: 'CUSTOM_ID',
		nb_ids: audience.members.size,
		indexing_state: indexingStateWord(state, pendingWord),
		created: isoUtc(audience.created),
		updated: isoUtc(audience.updated),
	};
}

export interface CustomAudienceView {
	name: string;
	type: string;
	description: string;
	created: string;
	updated: string;
	nb_ids: number;
	indexing_state: string;
}

/** The legacy API documents only IN_PROGRESS and APPLIED, so its pending word is fixed. */
export function customAudienceView(
	audience: CustomAudience,
	state: TokenState = audience.lastState(),
): CustomAudienceView {
	return {
		name: audience.name,
		type: audience.type,
		description: audience.description,
		created: isoWithoutZone(audience.created),
		updated: isoWithoutZone(audience.updated),
		nb_ids: audience.members.size,
		indexing_state: indexingStateWord(state, 'IN_PROGRESS'),
	};
}

export interface CommBoxAudienceListItem {
	id: string;
	name: string;
	created_time: string;
	user_count?: number;
	type: 'Static' | 'Dynamic';
}

export function commBoxListItem(audience: CommBoxAudience): CommBoxAudienceListItem {
	return {
		id: audience.id,
		name: audience.name,
		created_time: isoUtcSeconds(audience.created),
		...(audience.type === 'Static' ? { user_count: audience.rows.length } : {}),
		type: audience.type,
	};
}
