import {
	Attributes,
	BatchAudience,
	batchAudienceView,
	CommBoxAudience,
	commBoxListItem,
	CommBoxUpload,
	CustomAudience,
	customAudienceView,
	PendingStateWord,
	TrackedAudience,
} from './audiences';
import { MonotonicClock } from './clock';
import { IndexingQueue } from './indexer';
import type { RecordRules } from './recordRules';
import { createRandom, randomHexToken } from './random';

export const SEED_AUDIENCE_NAME = 'sandbox_audience';
export const SEED_COMMBOX_STATIC_ID = '1001';
export const SEED_COMMBOX_DYNAMIC_ID = '1002';

export interface SandboxStateSnapshot {
	batch: {
		audiences: Record<
			string,
			{
				name: string;
				display_name: string;
				type: 'CUSTOM_ID';
				nb_ids: number;
				indexing_state: string;
				created: string;
				updated: string;
				/** Attributes as received, e.g. `{"date(since)": "..."}`, or `{}`. */
				members: Record<string, Attributes>;
			}
		>;
	};
	customAudience: {
		audiences: Record<
			string,
			{
				name: string;
				type: string;
				description: string;
				nb_ids: number;
				indexing_state: string;
				created: string;
				updated: string;
				members: Record<string, { attributes: Attributes; tags: string[] }>;
			}
		>;
	};
	commBox: {
		audiences: Record<
			string,
			{
				id: string;
				name: string;
				type: 'Static' | 'Dynamic';
				created_time: string;
				user_count?: number;
				columns: string[];
				rows: Array<Record<string, string>>;
				lastUpload?: CommBoxUpload;
			}
		>;
	};
}

/** Everything the three fake APIs store. Members are kept in Maps; the snapshot is built on demand. */
export class SandboxState {
	readonly batch = new Map<string, BatchAudience>();
	readonly customAudience = new Map<string, CustomAudience>();
	readonly commBox = new Map<string, CommBoxAudience>();
	readonly indexing: IndexingQueue;
	/** Which Batch and legacy writes are refused, and how (config; kept across resets). */
	recordRules: RecordRules = { rejectedIds: new Set() };
	private readonly clock = new MonotonicClock();
	private random: () => number;
	private lastSeq = 0;
	private lastCommBoxId = 0;

	constructor(
		private readonly seed: number,
		indexingDelayMs: number,
		public pendingStateWord: PendingStateWord,
	) {
		this.indexing = new IndexingQueue(indexingDelayMs);
		this.random = createRandom(seed);
		this.reset();
	}

	/** Back to the seed data; pending writes are dropped. */
	reset(): void {
		this.indexing.cancelAll();
		this.batch.clear();
		this.customAudience.clear();
		this.commBox.clear();
		this.random = createRandom(this.seed);
		this.lastSeq = 0;
		const now = this.now();
		this.batch.set(
			SEED_AUDIENCE_NAME,
			new BatchAudience(SEED_AUDIENCE_NAME, 'Sandbox audience', this.nextSeq(), now),
		);
		this.customAudience.set(
			SEED_AUDIENCE_NAME,
			new CustomAudience(SEED_AUDIENCE_NAME, 'custom_ids', 'Sandbox audience', this.nextSeq(), now),
		);
		const emptyAudience = { created: now, columns: [], rows: [] };
		this.commBox.set(SEED_COMMBOX_STATIC_ID, {
			id: SEED_COMMBOX_STATIC_ID,
			name: 'sandbox_static',
			type: 'Static',
			...emptyAudience,
		});
		this.commBox.set(SEED_COMMBOX_DYNAMIC_ID, {
			id: SEED_COMMBOX_DYNAMIC_ID,
			name: 'sandbox_dynamic',
			type: 'Dynamic',
			...emptyAudience,
		});
		this.lastCommBoxId = Number(SEED_COMMBOX_DYNAMIC_ID);
	}

	now(): Date {
		return this.clock.now();
	}

	nextSeq(): number {
		return ++this.lastSeq;
	}

	nextCommBoxId(): string {
		return String(++this.lastCommBoxId);
	}

	/** Accepts a write: the token is returned now, `apply` runs once the write is indexed. */
	submitWrite<Member>(
		audience: TrackedAudience<Member>,
		apply: () => void,
		{ replacesEarlierTokens = false } = {},
	): string {
		const token = randomHexToken(this.random);
		audience.acceptWrite(token);
		this.indexing.enqueue(audience, () => {
			apply();
			audience.markApplied(token, this.now(), replacesEarlierTokens);
		});
		return token;
	}

	snapshot(): SandboxStateSnapshot {
		const byName = (audience: { name: string }) => audience.name;
		const byId = ([id]: [string, unknown]) => id;
		return {
			batch: {
				audiences: recordOf(this.batch.values(), byName, (audience) => ({
					...batchAudienceView(audience, this.pendingStateWord),
					members: recordOf(audience.members.entries(), byId, ([, attributes]) => ({ ...attributes })),
				})),
			},
			customAudience: {
				audiences: recordOf(this.customAudience.values(), byName, (audience) => ({
					...customAudienceView(audience),
					members: recordOf(audience.members.entries(), byId, ([, member]) => ({
						attributes: { ...member.attributes },
						tags: [...member.tags],
					})),
				})),
			},
			commBox: {
				audiences: recordOf(
					this.commBox.values(),
					(audience) => audience.id,
					(audience) => ({
						...commBoxListItem(audience),
						columns: [...audience.columns],
						rows: audience.rows.map((row) => ({ ...row })),
						...(audience.lastUpload ? { lastUpload: { ...audience.lastUpload } } : {}),
					}),
				),
			},
		};
	}
}

function recordOf<Item, Value>(
	items: Iterable<Item>,
	keyOf: (item: Item) => string,
	valueOf: (item: Item) => Value,
): Record<string, Value> {
	return Object.fromEntries(Array.from(items, (item) => [keyOf(item), valueOf(item)]));
}
