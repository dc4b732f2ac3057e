import { MAX_IDS_PER_REQUEST } from './limits';
import { createMemberValidator, isInvalid } from './members';
import type { AudienceMember, InvalidItem, MemberInput, PlannedRequest, SyncPlan, SyncRules } from './types';

/** The unique ids of one audience, in order of first occurrence; parallel arrays keep 1M ids cheap. */
interface AudienceGroup {
	audience: string;
	members: AudienceMember[];
	firstIndexes: number[];
	/** Item indexes folded into the member at a position, when there are any. */
	collapsedIndexes: Map<number, number[]>;
	positionById: Map<string, number>;
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

function buildRequest(group: AudienceGroup, start: number, end: number, operation: PlannedRequest['operation'], addAction: boolean): PlannedRequest {
	const members = group.members.slice(start, end);
	const itemIndexes = group.firstIndexes.slice(start, end);
	let removed = 0;
	let duplicatesCollapsed = 0;
	for (let i = 0; i < members.length; i++) {
		if (addAction) members[i] = { action: 'add', ...members[i] };
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

/**
 * Validates every input, then groups by audience (first appearance order), collapses duplicate ids
 * (the last occurrence wins, as the API does) and cuts each audience into API-sized requests.
 * Replace: the first chunk replaces, the following ones are update/add (sent once the replace is applied).
 */
export function planSync(inputs: MemberInput[], rules: SyncRules): SyncPlan {
	const chunkSize = readChunkSize(rules);
	const check = createMemberValidator(rules);
	const invalid: InvalidItem[] = [];
	const groups = new Map<string, AudienceGroup>();
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

	const requests: PlannedRequest[] = [];
	for (const group of groups.values()) {
		for (let start = 0; start < group.members.length; start += chunkSize) {
			const end = Math.min(start + chunkSize, group.members.length);
			const isFollowUp = rules.mode === 'replace' && start > 0;
			const operation = rules.mode === 'replace' && start === 0 ? 'replace' : 'update';
			requests.push(buildRequest(group, start, end, operation, isFollowUp));
		}
	}
	invalid.sort((a, b) => a.itemIndex - b.itemIndex);
	return { requests, invalid, validCount, uniqueIds };
}
