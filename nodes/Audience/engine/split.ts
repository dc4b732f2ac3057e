import type { PlannedRequest } from './types';

/**
 * The two halves of a request, each carrying the input items of its own members (duplicates that
 * collapsed into a member go with it). `idOfItem` gives the member id an input item became.
 */
export function halveRequest(request: PlannedRequest, idOfItem: (itemIndex: number) => string | undefined): [PlannedRequest, PlannedRequest] {
	const middle = Math.ceil(request.members.length / 2);
	const first = request.members.slice(0, middle);
	const firstIds = new Set(first.map((member) => member.id));
	const firstItems: number[] = [];
	const secondItems: number[] = [];
	for (const itemIndex of request.itemIndexes) {
		const id = idOfItem(itemIndex);
		(id !== undefined && firstIds.has(id) ? firstItems : secondItems).push(itemIndex);
	}
	return [part(request, first, firstItems), part(request, request.members.slice(middle), secondItems)];
}

function part(request: PlannedRequest, members: PlannedRequest['members'], itemIndexes: number[]): PlannedRequest {
	const removed = members.filter((member) => member.action === 'remove').length;
	return {
		operation: request.operation,
		audience: request.audience,
		members,
		itemIndexes,
		added: members.length - removed,
		removed,
		duplicatesCollapsed: itemIndexes.length - members.length,
	};
}

/**
 * Most extra requests a bisection may send for one rejected chunk of `ids` ids holding `rejected`
 * bad records: two per level of the search for each bad record.
 */
export function splitRetryBound(ids: number, rejected: number): number {
	return 2 * rejected * Math.ceil(Math.log2(Math.max(ids, 2)));
}
