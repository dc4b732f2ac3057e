import { memberFingerprint } from './fingerprint';
import type { TrackedMembers } from './memberSnapshot';
import { type AudienceMembers, NO_ITEM } from './plan';
import type { AudienceMember, PlannedRequest } from './types';

/**
 * What Update sends: every member (`all`), only the members that are new or changed since the last
 * accepted run (`changes`), or those and a removal of every tracked member missing from the input
 * (`mirror`).
 */
export type SendMode = 'all' | 'changes' | 'mirror';

/** What one audience's input holds compared with what earlier runs had accepted. */
export interface AudienceChanges {
	/** What to send: the new and changed members, then (Mirror) the removals, which no item carries. */
	toSend: AudienceMembers;
	/** Input items by change; collapsed duplicates go with their member. */
	newItems: number[];
	changedItems: number[];
	unchangedItems: number[];
	/** Members to remove (Mirror): tracked, and missing from the input. */
	removed: number;
}

/** A removal as change tracking keeps it: the fingerprint of any member sent with action `remove` (removals carry nothing else). */
const REMOVED = memberFingerprint({ id: '', action: 'remove' });

/** Tracked members that are in the audience (removals kept by "Only New and Changed" are not). */
export function trackedMemberCount(tracked: TrackedMembers): number {
	let members = 0;
	for (const fingerprint of tracked.values()) if (fingerprint !== REMOVED) members++;
	return members;
}

/** Compares an audience's input with what earlier runs had accepted (`tracked`). */
export function selectChanges(input: AudienceMembers, tracked: TrackedMembers, mode: Exclude<SendMode, 'all'>): AudienceChanges {
	const toSend: AudienceMembers = { audience: input.audience, members: [], firstIndexes: [], collapsedIndexes: new Map() };
	const changes: AudienceChanges = { toSend, newItems: [], changedItems: [], unchangedItems: [], removed: 0 };
	const inInput = mode === 'mirror' ? new Set<string>() : undefined;
	input.members.forEach((member, position) => {
		inInput?.add(member.id);
		const kind = changes[changeOf(member, tracked.get(member.id))];
		kind.push(input.firstIndexes[position]);
		const collapsed = input.collapsedIndexes.get(position);
		if (collapsed) for (const itemIndex of collapsed) kind.push(itemIndex);
		if (kind === changes.unchangedItems) return;
		if (collapsed) toSend.collapsedIndexes.set(toSend.members.length, collapsed);
		toSend.members.push(member);
		toSend.firstIndexes.push(input.firstIndexes[position]);
	});
	if (inInput) {
		for (const [id, fingerprint] of tracked) {
			if (fingerprint === REMOVED || inInput.has(id)) continue;
			toSend.members.push({ id, action: 'remove' });
			toSend.firstIndexes.push(NO_ITEM);
			changes.removed++;
		}
	}
	for (const items of [changes.newItems, changes.changedItems, changes.unchangedItems]) items.sort((a, b) => a - b);
	return changes;
}

/**
 * Records accepted requests in `tracked`: an added member with its fingerprint; a removed one is
 * forgotten under Mirror (the audience no longer holds it) and kept as a removal otherwise, so an
 * input that keeps removing it does not send it again. Requests not accepted leave `tracked` as it
 * was, so their members are sent again next run.
 */
export function recordAccepted(tracked: TrackedMembers, accepted: PlannedRequest[], mode: Exclude<SendMode, 'all'>): void {
	for (const request of accepted) {
		for (const member of request.members) {
			if (member.action === 'remove' && mode === 'mirror') tracked.delete(member.id);
			else tracked.set(member.id, memberFingerprint(member));
		}
	}
}

function changeOf(member: AudienceMember, known: number | undefined): 'newItems' | 'changedItems' | 'unchangedItems' {
	if (known === memberFingerprint(member)) return 'unchangedItems';
	return known === undefined || known === REMOVED ? 'newItems' : 'changedItems';
}
