import {
	chunkMembers,
	type CollectedMembers,
	selectChanges,
	type SendMode,
	type SyncPlan,
	type SyncRules,
	trackedMemberCount,
} from '../../../engine';
import type { TrackedAudience } from './trackedAudiences';

/** How an input item compares with what earlier runs had accepted; indexes of `ChangePlan.changeOfItem`. */
export const ITEM_CHANGE = ['', 'new', 'changed', 'unchanged'] as const;
const NEW = 1;
const CHANGED = 2;
const UNCHANGED = 3;

/** One audience's comparison, for the summary and Mirror's guard. */
export interface AudienceComparison {
	audience: string;
	new: number;
	changed: number;
	unchanged: number;
	removed: number;
	/** Members earlier runs had left in the audience. */
	trackedBefore: number;
	sendsEveryone?: string;
	unchangedItems: number[];
}

export interface ChangePlan {
	plan: SyncPlan;
	audiences: AudienceComparison[];
	/** Per input item, an index of ITEM_CHANGE (0: the item is invalid). */
	changeOfItem: Uint8Array;
}

/**
 * The requests of an Update with change tracking: for each audience, the new and changed members
 * (and, under Mirror, the removal of tracked members missing from the input), or every member when
 * it is sent in full (first run, Reset, another account or mapping). A Mirror audience sent in full
 * is replaced.
 */
export function planChanges(
	collected: CollectedMembers,
	tracking: TrackedAudience[],
	mode: Exclude<SendMode, 'all'>,
	rules: SyncRules,
	itemCount: number,
): ChangePlan {
	const changeOfItem = new Uint8Array(itemCount);
	const byAudience = new Map(tracking.map((entry) => [entry.audience, entry]));
	const audiences: AudienceComparison[] = [];
	const toSend = collected.audiences.map((input) => {
		const entry = byAudience.get(input.audience);
		if (!entry) throw new Error(`No change tracking loaded for audience "${input.audience}"`);
		const trackedBefore = trackedMemberCount(entry.tracked);
		if (entry.sendsEveryone !== undefined) {
			const items = input.firstIndexes.length + [...input.collapsedIndexes.values()].reduce((sum, indexes) => sum + indexes.length, 0);
			for (const itemIndex of input.firstIndexes) changeOfItem[itemIndex] = NEW;
			for (const indexes of input.collapsedIndexes.values()) for (const itemIndex of indexes) changeOfItem[itemIndex] = NEW;
			audiences.push({ audience: input.audience, new: items, changed: 0, unchanged: 0, removed: 0, trackedBefore, sendsEveryone: entry.sendsEveryone, unchangedItems: [] });
			return input;
		}
		const changes = selectChanges(input, entry.tracked, mode);
		for (const itemIndex of changes.newItems) changeOfItem[itemIndex] = NEW;
		for (const itemIndex of changes.changedItems) changeOfItem[itemIndex] = CHANGED;
		for (const itemIndex of changes.unchangedItems) changeOfItem[itemIndex] = UNCHANGED;
		audiences.push({
			audience: input.audience,
			new: changes.newItems.length,
			changed: changes.changedItems.length,
			unchanged: changes.unchangedItems.length,
			removed: changes.removed,
			trackedBefore,
			unchangedItems: changes.unchangedItems,
		});
		return changes.toSend;
	});
	const replacing = new Set(tracking.filter((entry) => entry.replaces).map((entry) => entry.audience));
	const requests = chunkMembers(toSend, rules, (audience) => replacing.has(audience));
	return { plan: { requests, invalid: collected.invalid, validCount: collected.validCount, uniqueIds: collected.uniqueIds }, audiences, changeOfItem };
}
