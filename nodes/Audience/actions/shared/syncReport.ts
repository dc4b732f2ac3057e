import type { IDataObject, INode, INodeExecutionData } from 'n8n-workflow';
import { NodeApiError, NodeOperationError } from 'n8n-workflow';
import type { PlannedRequest, SyncMode, SyncPlan } from '../../engine';
import type { IndexingView } from './indexing';
import { byFirstPairedItem, errorItem } from './itemErrors';

/**
 * What a sync did, kept as it goes: the accepted requests (tokens), the records the API refused,
 * what each audience holds, and the items that were not sent. Every failure is stated from it.
 */
export interface AcceptedRequest {
	request: PlannedRequest;
	/** 1-based position in the plan. */
	number: number;
	token: string;
	/** A part of a chunk the API refused as a whole (see split-retry). */
	split: boolean;
	indexing?: IndexingView;
	indexingDone?: boolean;
}

interface AudienceLedger {
	total: number;
	accepted: number;
	refused: number;
	/** Set when nothing more goes to the audience: its replace failed, or was not applied in time. */
	halted?: 'unchanged' | 'incomplete';
}

export const count = (n: number) => n.toLocaleString('en-US');

export class SyncReport {
	readonly accepted: AcceptedRequest[] = [];
	readonly refused: Array<{ request: PlannedRequest; number: number; message: string }> = [];
	/** Error items of items not sent or refused (under "continue on fail"). */
	readonly errorItems: INodeExecutionData[] = [];
	extraRequests = 0;
	private readonly audiences = new Map<string, AudienceLedger>();

	constructor(
		private readonly node: INode,
		private readonly plan: SyncPlan,
		private readonly mode: SyncMode,
		readonly platform: string,
		readonly idOfItem: (itemIndex: number) => string | undefined,
	) {
		for (const request of plan.requests) this.ledger(request.audience).total += request.members.length;
	}

	ledger(audience: string): AudienceLedger {
		let ledger = this.audiences.get(audience);
		if (!ledger) this.audiences.set(audience, (ledger = { total: 0, accepted: 0, refused: 0 }));
		return ledger;
	}

	accept(request: PlannedRequest, number: number, token: string, split = false): void {
		this.accepted.push({ request, number, token, split });
		this.ledger(request.audience).accepted += request.members.length;
	}

	refuse(request: PlannedRequest, number: number, message: string): void {
		this.refused.push({ request, number, message });
		this.ledger(request.audience).refused += request.members.length;
	}

	/** Requests finish in any order: the accepted and refused ones are reported in the plan's order. */
	inPlanOrder(): void {
		this.accepted.sort((a, b) => a.number - b.number);
		this.refused.sort((a, b) => a.number - b.number);
	}

	/** The error items in the order of the items they pair to. */
	errorItemsInItemOrder(): INodeExecutionData[] {
		return this.errorItems.sort(byFirstPairedItem);
	}

	/** One error item per input item of `requests`, paired to it. */
	addErrorItems(requests: PlannedRequest[], message: string): void {
		for (const request of requests) {
			for (const itemIndex of request.itemIndexes) {
				this.errorItems.push(errorItem(message, itemIndex));
			}
		}
	}

	/** The plan's requests to `audience` from position `from` (0-based) on. */
	remainingOf(audience: string, from: number): PlannedRequest[] {
		return this.plan.requests.slice(from).filter((request) => request.audience === audience);
	}

	/** What the audience holds now (or once indexed), e.g. `holds the first 10,000 of 25,000 ids; …`. */
	holding(audience: string): string {
		const { total, accepted, refused, halted } = this.ledger(audience);
		const notSent = total - accepted - refused;
		const refusedText = refused > 0 ? `; ${count(refused)} ids refused by ${this.platform}` : '';
		if (halted === 'unchanged') return `audience "${audience}" is unchanged; ${count(notSent)} ids not sent`;
		if (this.mode === 'replace' && (halted === 'incomplete' || notSent > 0)) {
			return `audience "${audience}" holds the first ${count(accepted)} of ${count(total)} ids${refusedText}; ${count(notSent)} ids not sent; run again to complete`;
		}
		if (accepted === 0 && refused === 0) return `audience "${audience}" is unchanged; ${count(notSent)} ids not sent`;
		const notSentText = notSent > 0 ? `; ${count(notSent)} ids not sent` : '';
		return `audience "${audience}": ${count(accepted)} of ${count(total)} ids accepted${refusedText}${notSentText}`;
	}

	/** Input items of the plan neither accepted nor refused. */
	itemsNotSent(): number[] {
		const done = new Set<number>();
		for (const { request } of [...this.accepted, ...this.refused]) for (const itemIndex of request.itemIndexes) done.add(itemIndex);
		const notSent = new Set<number>();
		for (const request of this.plan.requests) for (const itemIndex of request.itemIndexes) if (!done.has(itemIndex)) notSent.add(itemIndex);
		return [...notSent].sort((a, b) => a - b);
	}

	/**
	 * The error that stops the run: `headline`, then what each audience holds and which requests
	 * were accepted (tokens); the details list the accepted requests and the items not sent.
	 */
	stop(error: Error, headline = error.message): Error {
		const holdings = [...this.audiences.keys()].map((audience) => this.holding(audience));
		const total = this.plan.requests.length;
		const tokens = this.accepted.map((a) => a.token);
		const acceptedText =
			tokens.length === 0
				? `No request of this run was accepted by ${this.platform}.`
				: `${tokens.length} of ${total} requests were accepted: ${tokens.join(', ')}`;
		const notSent = this.itemsNotSent();
		const details = [
			`What each audience holds (once indexed): ${holdings.join('. ')}.`,
			...(tokens.length ? ['Accepted requests:', ...this.accepted.map((a) => describeAccepted(a, total))] : []),
			...(notSent.length ? [`Items not sent (${count(notSent.length)}): ${describeItemIndexes(notSent)}`] : []),
		];
		// A lone failure that changed nothing keeps the API's own message; the statement is in the details.
		const changedAnything = tokens.length > 0 || this.refused.length > 0 || [...this.audiences.values()].some((ledger) => ledger.halted);
		const message = `${headline.replace(/\.$/, '')}. ${capitalize(holdings.join('. '))}. ${acceptedText}`;
		if (error instanceof NodeApiError || error instanceof NodeOperationError) {
			if (changedAnything) error.message = message;
			error.description = [error.description, ...details, ...(changedAnything ? [] : [acceptedText])].filter(Boolean).join('\n');
			return error;
		}
		return new NodeOperationError(this.node, message, { description: details.join('\n') });
	}
}

function describeAccepted({ request, number, token, split }: AcceptedRequest, total: number): string {
	const part = split ? ', part of a split chunk' : '';
	return `request ${number} of ${total}: audience "${request.audience}", ${request.members.length} ids (${request.operation}${part}), token ${token}`;
}

function capitalize(text: string): string {
	return text.charAt(0).toUpperCase() + text.slice(1);
}

const LISTED_RANGES = 20;

/** `0-9999, 20000, 20002-24999`, at most 20 ranges. */
export function describeItemIndexes(indexes: number[]): string {
	const ranges: string[] = [];
	for (let i = 0; i < indexes.length; ) {
		let j = i;
		while (j + 1 < indexes.length && indexes[j + 1] === indexes[j] + 1) j++;
		ranges.push(i === j ? String(indexes[i]) : `${indexes[i]}-${indexes[j]}`);
		i = j + 1;
	}
	const shown = ranges.slice(0, LISTED_RANGES).join(', ');
	return ranges.length > LISTED_RANGES ? `${shown}, … (${ranges.length - LISTED_RANGES} more ranges)` : shown;
}

/** The output item of one request: its summary, paired to every input item it carries. */
export function requestOutput(
	request: PlannedRequest,
	number: number,
	requests: number,
	result: { token?: string; indexing?: IndexingView; indexingDone?: boolean; dryRun?: boolean; split?: boolean },
): INodeExecutionData {
	const json: IDataObject = {
		audience: request.audience,
		operation: request.operation,
		indexingToken: result.token ?? null,
		request: number,
		requests,
		ids: request.members.length,
		added: request.added,
		removed: request.removed,
		duplicatesCollapsed: request.duplicatesCollapsed,
		dryRun: Boolean(result.dryRun),
	};
	if (result.split) json.split = true;
	if (result.indexingDone !== undefined) {
		json.indexingState = result.indexing?.indexing_state ?? null;
		json.indexingDone = result.indexingDone;
		json.nb_ids = result.indexing?.nb_ids ?? null;
	}
	if (result.dryRun) json.payload = { name: request.audience, ids: request.members } as unknown as IDataObject;
	return { json, pairedItem: request.itemIndexes.map((item) => ({ item })) };
}

/** "One item per input item": a request's summary is repeated for each item it carried. */
export function perInputItem(item: INodeExecutionData, ids: Map<number, string | undefined> | undefined): INodeExecutionData[] {
	if (!ids || item.json.error !== undefined) return [item];
	const pairs = Array.isArray(item.pairedItem) ? item.pairedItem : [];
	const { payload: _payload, ids: _count, added: _a, removed: _r, duplicatesCollapsed: _d, ...summary } = item.json;
	return pairs.map((pair) => ({
		json: { ...summary, id: ids.get(pair.item) ?? null, itemIndex: pair.item },
		pairedItem: { item: pair.item },
	}));
}
