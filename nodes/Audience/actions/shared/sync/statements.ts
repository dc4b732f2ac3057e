import type { INode } from 'n8n-workflow';
import { NodeApiError, NodeOperationError } from 'n8n-workflow';
import { count, itemNumber, type RequestOutcome } from '../../../engine';
import type { AudienceOutcomes, OutcomeGroup, SentRequest, SyncLedger } from './ledger';

/**
 * The exact statements of a sync that did not fully succeed: what each audience holds, by item
 * ranges, which requests were accepted (tokens), which were refused, which have an unknown outcome
 * (they may have been applied) and which items were not sent. Nothing unknown is ever called
 * unchanged or not sent.
 */

/** Adds, removes and replaces give the same result when repeated. */
export const RUN_AGAIN_IS_SAFE = 'Running the workflow again is safe: adds, removes and replaces give the same result when repeated.';

/** What the audience holds now (or once indexed). */
export function holding(ledger: SyncLedger, audience: string): string {
	const outcomes = ledger.outcomesOf(audience);
	const { replace } = outcomes;
	const name = `audience "${audience}"`;
	if (replace && replace.outcome === 'unknown') {
		return (
			`the replace of ${name} (${groupText({ items: replace.request.itemIndexes, ids: replace.request.members.length })}) has an unknown outcome: ` +
			`its answer was lost, so the audience holds either those ids and none of its previous members, or still only its previous members` +
			others(outcomes, ['refused', 'notSent'])
		);
	}
	if (outcomes.accepted.ids === 0 && outcomes.unknown.ids === 0) {
		return `${name} is unchanged${others(outcomes, ['refused', 'notSent'])}`;
	}
	if (ledger.replaces(audience)) {
		const incomplete = outcomes.notSent.ids + outcomes.unknown.ids + outcomes.refused.ids > 0;
		return (
			`${name} holds only this run's ids (the replace removed its previous members): ${groupText(outcomes.accepted)} of ${count(outcomes.totalIds)} ids accepted` +
			others(outcomes, ['unknown', 'refused', 'notSent']) +
			(incomplete ? '; run again to complete it' : '')
		);
	}
	return `${name}: ${groups(outcomes, ['accepted', 'unknown', 'refused', 'notSent']).join('; ')}`;
}

const OUTCOME_WORDS: Record<RequestOutcome, string> = {
	accepted: 'accepted',
	unknown: 'outcome unknown (may have been applied)',
	refused: 'refused',
	notSent: 'not sent',
};

/** The non-empty groups of `kinds`, e.g. `items 0-99 (100 ids) not sent`. */
function groups(outcomes: AudienceOutcomes, kinds: RequestOutcome[]): string[] {
	return kinds.filter((kind) => outcomes[kind].items.length > 0).map((kind) => `${groupText(outcomes[kind])} ${OUTCOME_WORDS[kind]}`);
}

/** `; ` and the non-empty groups, or nothing. */
function others(outcomes: AudienceOutcomes, kinds: RequestOutcome[]): string {
	return groups(outcomes, kinds)
		.map((group) => `; ${group}`)
		.join('');
}

/** `items 0-9999 (10,000 ids)`. */
function groupText(group: OutcomeGroup): string {
	return `${group.items.length === 1 ? 'item' : 'items'} ${describeItemIndexes(group.items)} (${idsText(group.ids)})`;
}

function idsText(ids: number): string {
	return `${count(ids)} ${ids === 1 ? 'id' : 'ids'}`;
}

/** The requests whose answer was lost, and what to do. Empty when there is none. */
function unknownText(ledger: SyncLedger): string {
	const unknown = ledger.unknown;
	if (unknown.length === 0) return '';
	const total = ledger.plan.requests.length;
	const listed = unknown.map((entry) => `request ${entry.number} of ${total} (audience "${entry.request.audience}", ${idsText(entry.request.members.length)})`);
	return `${unknown.length === 1 ? 'The outcome of 1 request is' : `The outcomes of ${unknown.length} requests are`} unknown: ${listed.join(', ')} may have been applied. ${RUN_AGAIN_IS_SAFE}`;
}

/** `accepted: token a, token b (no token returned)`; or that none was, when nothing is unknown either. */
function acceptedText(ledger: SyncLedger): string {
	const accepted = ledger.accepted;
	const total = ledger.plan.requests.length;
	if (accepted.length === 0) return ledger.unknown.length > 0 ? '' : `No request of this run was accepted by ${ledger.platform}.`;
	const numbers = new Set(accepted.map((entry) => entry.number));
	return `${numbers.size} of ${total} requests were accepted: ${accepted.map(tokenText).join(', ')}.`;
}

function tokenText(entry: SentRequest): string {
	return entry.token ?? 'accepted, no token returned';
}

/**
 * The error that stops the run: `headline`, then what each audience holds, which requests were
 * accepted (tokens) and which have an unknown outcome; the details list the accepted requests and
 * the items not sent.
 */
export function stopError(node: INode, ledger: SyncLedger, error: Error, headline = error.message): Error {
	const holdings = ledger.audiences().map((audience) => holding(ledger, audience));
	const total = ledger.plan.requests.length;
	const accepted = ledger.accepted;
	const notSent = ledger.audiences().flatMap((audience) => ledger.outcomesOf(audience).notSent.items).sort((a, b) => a - b);
	const statement = [acceptedText(ledger), unknownText(ledger)].filter(Boolean).join(' ');
	const details = [
		`What each audience holds (once indexed): ${holdings.join('. ')}.`,
		...(accepted.length ? ['Accepted requests:', ...accepted.map((entry) => describeAccepted(entry, total))] : []),
		...(ledger.unknown.length ? [unknownText(ledger)] : []),
		...(notSent.length ? [`Items not sent (${count(notSent.length)}): ${describeItemIndexes(notSent)}`] : []),
	];
	// A lone failure that changed nothing keeps the API's own message; the statement is in the details.
	const changedAnything = accepted.length > 0 || ledger.unknown.length > 0 || ledger.halted.size > 0;
	const message = `${headline.replace(/\.$/, '')}. ${capitalize(holdings.join('. '))}. ${statement}`.trim();
	if (error instanceof NodeApiError || error instanceof NodeOperationError) {
		if (changedAnything) error.message = message;
		error.description = [error.description, ...details, ...(changedAnything ? [] : [statement])].filter(Boolean).join('\n');
		return error;
	}
	return new NodeOperationError(node, message, { description: details.join('\n') });
}

/** Without "continue on fail", refused records end the run once everything else was delivered. */
export function refusedRecordsError(node: INode, ledger: SyncLedger): NodeOperationError {
	const refused = ledger.refused;
	const items = refused.flatMap(({ request }) => request.itemIndexes).sort((a, b) => a - b);
	const named = items.slice(0, 10).map((itemIndex) => `item ${itemNumber(itemIndex)} (id "${ledger.idOfItem(itemIndex) ?? '?'}")`);
	const more = items.length > named.length ? ` and ${count(items.length - named.length)} more` : '';
	const delivered = ledger.accepted.reduce((sum, { request }) => sum + request.members.length, 0);
	const deliveredText =
		ledger.accepted.length > 0
			? `The other ${count(delivered)} ids were delivered in ${ledger.accepted.length} accepted requests.`
			: acceptedText(ledger);
	return new NodeOperationError(
		node,
		`${count(items.length)} items were refused by ${ledger.platform}: ${named.join(', ')}${more}. ${deliveredText} First refusal: ${refused[0].message}`,
		{
			itemIndex: items[0],
			description: [
				...refusalsByMessage(refused),
				`Extra requests sent to isolate them: ${ledger.extraRequests}.`,
				...(ledger.accepted.length ? [`Accepted tokens: ${ledger.accepted.map(tokenText).join(', ')}`] : []),
			].join('\n'),
		},
	);
}

const LISTED_MESSAGES = 5;

/** One line per distinct refusal message (at most 5), with the items refused with it. */
function refusalsByMessage(refused: SentRequest[]): string[] {
	const itemsByMessage = new Map<string, number[]>();
	for (const { request, message = '' } of refused) {
		const items = itemsByMessage.get(message) ?? [];
		for (const itemIndex of request.itemIndexes) items.push(itemIndex);
		itemsByMessage.set(message, items);
	}
	const lines = [...itemsByMessage].map(([message, items]) => {
		const sorted = items.sort((a, b) => a - b);
		return `${sorted.length === 1 ? 'Item' : 'Items'} ${describeItemIndexes(sorted)}: ${message}`;
	});
	const more = lines.length - LISTED_MESSAGES;
	return more > 0 ? [...lines.slice(0, LISTED_MESSAGES), `… and ${more} other refusal messages`] : lines;
}

/** The message of a refused part's error items. */
export function refusedMessage(ledger: SyncLedger, entry: SentRequest): string {
	const { request, message, requestWide } = entry;
	if (requestWide) {
		return `${idsText(request.members.length)} refused by ${ledger.platform}: three ids of their request sent alone and the rest were all refused too, so the refusal concerns the request (audience, credentials or format), not single members: ${message}`;
	}
	if (request.members.length > 1) return `${idsText(request.members.length)} refused by ${ledger.platform} as a whole: ${message}`;
	const found = entry.split ? ' (found by splitting its request)' : '';
	return `Id "${request.members[0].id}" refused by ${ledger.platform}${found}: ${message}`;
}

function describeAccepted({ request, number, token, split }: SentRequest, total: number): string {
	const part = split ? ', part of a split chunk' : '';
	return `request ${number} of ${total}: audience "${request.audience}", ${request.members.length} ids (${request.operation}${part}), ${token ? `token ${token}` : 'accepted, no token returned'}`;
}

function capitalize(text: string): string {
	return text.charAt(0).toUpperCase() + text.slice(1);
}

const LISTED_RANGES = 20;

/** Items by number (`1-10000, 20001, 20003-25000` for indexes 0-9999, 20000, 20002-24999), at most 20 ranges. */
function describeItemIndexes(indexes: number[]): string {
	const ranges: string[] = [];
	for (let i = 0; i < indexes.length; ) {
		let j = i;
		while (j + 1 < indexes.length && indexes[j + 1] === indexes[j] + 1) j++;
		ranges.push(i === j ? String(itemNumber(indexes[i])) : `${itemNumber(indexes[i])}-${itemNumber(indexes[j])}`);
		i = j + 1;
	}
	const shown = ranges.slice(0, LISTED_RANGES).join(', ');
	return ranges.length > LISTED_RANGES ? `${shown}, … (${ranges.length - LISTED_RANGES} more ranges)` : shown;
}
