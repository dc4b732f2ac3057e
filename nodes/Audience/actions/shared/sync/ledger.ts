import type { PlannedRequest, RequestOutcome, SyncPlan } from '../../../engine';
import type { IndexingView } from '../indexing';

/** One request (or part of a split chunk) and what became of it. */
export interface SentRequest {
	request: PlannedRequest;
	/** 1-based position of its chunk in the plan. */
	number: number;
	outcome: RequestOutcome;
	/** Accepted only; undefined when the 2xx answer carried no token. */
	token?: string;
	/** Refused, unknown or not sent: the API's message or the failure's. */
	message?: string;
	/** The HTTP status of a refusal or failure, e.g. `401`. */
	status?: string;
	/** A part of a chunk the API refused as a whole (see split-retry). */
	split: boolean;
	/** Refused with its whole chunk, three of its ids sent alone included: the refusal concerns the request, not its members. */
	requestWide?: boolean;
	/** Refused for its records (400, 422), not for the request itself (401, 403, 404, ...). */
	recordLevel?: boolean;
	indexing?: IndexingView;
	indexingDone?: boolean;
}

/** The input items of one audience by outcome, and their id counts. */
export interface AudienceOutcomes {
	audience: string;
	totalIds: number;
	accepted: OutcomeGroup;
	refused: OutcomeGroup;
	unknown: OutcomeGroup;
	notSent: OutcomeGroup;
	/** The items of `notSent` that no entry carries (never launched, e.g. after a replace failed). */
	uncarried: number[];
	/** The replace of a replace run (its first chunk), once it was sent. */
	replace?: SentRequest;
}

export interface OutcomeGroup {
	items: number[];
	ids: number;
}

/**
 * The outcome ledger of a sync: every request and part sent, with its outcome. Everything the node
 * states (error messages, error items, the summary) is derived from it; an item of the plan that no
 * entry carries was not sent.
 */
export class SyncLedger {
	readonly entries: SentRequest[] = [];
	extraRequests = 0;
	/** Audiences to which nothing more is sent: their replace failed, is unknown, or was not applied in time. */
	readonly halted = new Set<string>();

	private readonly replaced: Set<string>;

	constructor(
		readonly plan: SyncPlan,
		readonly platform: string,
		readonly idOfItem: (itemIndex: number) => string | undefined,
	) {
		this.replaced = new Set(plan.requests.filter((request) => request.operation === 'replace').map((request) => request.audience));
	}

	/** Whether this run replaces `audience` (Replace, or Mirror's first run), rather than adding to it. */
	replaces(audience: string): boolean {
		return this.replaced.has(audience);
	}

	record(entry: Omit<SentRequest, 'split'> & { split?: boolean }): SentRequest {
		const sent = { ...entry, split: entry.split ?? false };
		this.entries.push(sent);
		return sent;
	}

	get accepted(): SentRequest[] {
		return this.withOutcome('accepted');
	}

	get refused(): SentRequest[] {
		return this.withOutcome('refused');
	}

	get unknown(): SentRequest[] {
		return this.withOutcome('unknown');
	}

	/** Requests finish in any order: the entries are reported in the plan's order. */
	inPlanOrder(): void {
		this.entries.sort((a, b) => a.number - b.number || a.request.itemIndexes[0] - b.request.itemIndexes[0]);
	}

	audiences(): string[] {
		return [...new Set(this.plan.requests.map((request) => request.audience))];
	}

	/** The plan's requests to `audience` after position `number` (1-based). */
	remainingAfter(audience: string, number: number): PlannedRequest[] {
		return this.plan.requests.slice(number).filter((request) => request.audience === audience);
	}

	/** Every input item of `audience` by outcome; items no entry carries were not sent. */
	outcomesOf(audience: string): AudienceOutcomes {
		const groups = { accepted: group(), refused: group(), unknown: group(), notSent: group() };
		const covered = new Set<number>();
		let replace: SentRequest | undefined;
		for (const entry of this.entries) {
			if (entry.request.audience !== audience) continue;
			if (entry.request.operation === 'replace') replace = entry;
			add(groups[entry.outcome], entry.request);
			for (const itemIndex of entry.request.itemIndexes) covered.add(itemIndex);
		}
		let totalIds = 0;
		const uncarried: number[] = [];
		for (const request of this.plan.requests) {
			if (request.audience !== audience) continue;
			totalIds += request.members.length;
			for (const itemIndex of request.itemIndexes) if (!covered.has(itemIndex)) uncarried.push(itemIndex);
		}
		for (const itemIndex of uncarried) groups.notSent.items.push(itemIndex);
		const carriedIds = groups.accepted.ids + groups.refused.ids + groups.unknown.ids + groups.notSent.ids;
		groups.notSent.ids += totalIds - carriedIds;
		for (const outcome of Object.values(groups)) outcome.items.sort((a, b) => a - b);
		return { audience, totalIds, ...groups, uncarried: uncarried.sort((a, b) => a - b), replace };
	}

	private withOutcome(outcome: RequestOutcome): SentRequest[] {
		return this.entries.filter((entry) => entry.outcome === outcome);
	}
}

function group(): OutcomeGroup {
	return { items: [], ids: 0 };
}

function add(to: OutcomeGroup, request: PlannedRequest): void {
	// One at a time: a spread of a million indexes would overflow the stack.
	for (const itemIndex of request.itemIndexes) to.items.push(itemIndex);
	to.ids += request.members.length;
}
