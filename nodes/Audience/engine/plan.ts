import { MAX_IDS_PER_REQUEST } from './limits';
import { createMemberValidator, isInvalid } from './members';
import type { AudienceMember, InvalidItem, MemberInput, PlannedRequest, SyncPlan, SyncRules } from './types';

/**
 * The valid members of one audience, duplicates collapsed, in order of first occurrence; parallel
 * arrays keep 1M ids cheap.
 */
export interface AudienceMembers {
	audience: string;
	members: AudienceMember[];
	/** The input item of the member at the same position, or NO_ITEM. */
	firstIndexes: number[];
	/** Item indexes folded into the member at a position, when there are any. */
	collapsedIndexes: Map<number, number[]>;
}

/** The position of a member no input item carries: a removal that change tracking derived (Mirror). */
export const NO_ITEM = -1;

/** Every valid input by audience (first appearance order), duplicates collapsed; the invalid ones apart. */
export interface CollectedMembers {
	audiences: AudienceMembers[];
	invalid: InvalidItem[];
	validCount: number;
	uniqueIds: number;
}

function readChunkSize(rules: SyncRules): number {
	if (rules.mode !== 'update' && rules.mode !== 'replace') {
		throw new Error(`Unknown sync mode "${String(rules.mode)}" (expected update or replace)`);
	}
	const size = rules.batchSize;
	if (size === undefined) return MAX_IDS_PER_REQUEST;
	if (!Number.isInteger(size) || size < 1 || size > MAX_IDS_PER_REQUEST) {
		throw new Error(`Batch size must be a whole number from 1 to ${MAX_IDS_PER_REQUEST}, got ${String(size)}`);
	}
	return size;
}

function buildRequest(group: AudienceMembers, start: number, end: number, operation: PlannedRequest['operation'], addAction: boolean): PlannedRequest {
	const members = group.members.slice(start, end);
	const itemIndexes = group.firstIndexes.slice(start, end).filter((itemIndex) => itemIndex !== NO_ITEM);
	let removed = 0;
	let duplicatesCollapsed = 0;
	for (let i = 0; i < members.length; i++) {
		if (addAction) members[i] = { action: 'add', ...members[i] };
		else if (operation === 'replace' && members[i].action !== undefined) members[i] = withoutAction(members[i]);
		else if (members[i].action === 'remove') removed++;
		const collapsed = group.collapsedIndexes.get(start + i);
		if (collapsed !== undefined) {
			duplicatesCollapsed += collapsed.length;
			for (const index of collapsed) itemIndexes.push(index);
		}
	}
	let ascending = duplicatesCollapsed === 0;
	for (let i = 1; ascending && i < itemIndexes.length; i++) ascending = itemIndexes[i - 1] < itemIndexes[i];
	if (!ascending) itemIndexes.sort((a, b) => a - b);
	const added = members.length - removed;
	return { operation, audience: group.audience, members, itemIndexes, added, removed, duplicatesCollapsed };
}

/** A replace takes members without an action (Mirror's first run replaces with members collected for an update). */
function withoutAction({ action: _action, ...member }: AudienceMember): AudienceMember {
	return member;
}

/**
 * Validates every input, then groups by audience (first appearance order), collapses duplicate ids
 * (the last occurrence wins, as the API does) and cuts each audience into API-sized requests.
 * Replace: the first chunk replaces, the following ones are update/add (sent once the replace is applied).
 */
export function planSync(inputs: MemberInput[], rules: SyncRules): SyncPlan {
	const collected = collectMembers(inputs, rules);
	const { audiences, invalid, validCount, uniqueIds } = collected;
	return { requests: chunkMembers(audiences, rules, () => rules.mode === 'replace'), invalid, validCount, uniqueIds };
}

/** Validates every input, groups the valid ones by audience and collapses duplicate ids. */
export function collectMembers(inputs: MemberInput[], rules: SyncRules): CollectedMembers {
	readChunkSize(rules);
	const check = createMemberValidator(rules);
	const invalid: InvalidItem[] = [];
	const groups = new Map<string, AudienceMembers & { positionById: Map<string, number> }>();
	let validCount = 0;
	let uniqueIds = 0;

	for (const input of inputs) {
		const result = check(input);
		if (isInvalid(result)) {
			invalid.push(result);
			continue;
		}
		validCount++;
		let group = groups.get(result.audience);
		if (group === undefined) {
			group = { audience: result.audience, members: [], firstIndexes: [], collapsedIndexes: new Map(), positionById: new Map() };
			groups.set(result.audience, group);
		}
		const position = group.positionById.get(result.member.id);
		if (position === undefined) {
			group.positionById.set(result.member.id, group.members.length);
			group.members.push(result.member);
			group.firstIndexes.push(result.itemIndex);
			uniqueIds++;
		} else {
			group.members[position] = result.member;
			const collapsed = group.collapsedIndexes.get(position);
			if (collapsed === undefined) group.collapsedIndexes.set(position, [result.itemIndex]);
			else collapsed.push(result.itemIndex);
		}
	}
	invalid.sort((a, b) => a.itemIndex - b.itemIndex);
	const audiences = [...groups.values()].map(({ positionById: _positions, ...group }) => group);
	return { audiences, invalid, validCount, uniqueIds };
}

/**
 * Cuts each audience into API-sized requests. An audience being replaced: its first chunk replaces,
 * the following ones are update/add (sent once the replace is applied).
 */
export function chunkMembers(audiences: AudienceMembers[], rules: SyncRules, replacing: (audience: string) => boolean): PlannedRequest[] {
	const chunkSize = readChunkSize(rules);
	const requests: PlannedRequest[] = [];
	for (const group of audiences) {
		const replace = replacing(group.audience);
		for (let start = 0; start < group.members.length; start += chunkSize) {
			const end = Math.min(start + chunkSize, group.members.length);
			requests.push(buildRequest(group, start, end, replace && start === 0 ? 'replace' : 'update', replace && start > 0));
		}
	}
	return requests;
}
