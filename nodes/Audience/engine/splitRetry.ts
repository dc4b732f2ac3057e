import type { PlannedRequest, SendResult } from './types';

/**
 * Split-retry of a chunk the API refuses (400/422) without saying which record is at fault. The
 * API's message is never relied upon (real refusals are often generic):
 *
 * 1. Three of the chunk's ids (its first, middle and last) are sent alone, then the rest of the
 *    chunk. All of them refused: the refusal concerns the request itself (the audience, the
 *    credentials, the format), and the chunk is reported refused as a whole, for PROBES + 1 extra
 *    requests. This misjudges a chunk only when the three ids are bad records themselves and so is
 *    one more: for k bad records among n ids, a chance near (k/n)³.
 * 2. Otherwise, while the rest is refused, its refused parts are halved and resent, level by level,
 *    until each bad record stands alone; everything else is delivered.
 *
 * For k bad records among n ids this costs at most PROBES + 1 + 2·k·⌈log2 n⌉ extra requests, and
 * never more than MAX_EXTRA_REQUESTS_PER_CHUNK: past that, the parts still refused are reported as
 * they are. `splitRetryBound` gives the bound.
 */
export const PROBES = 3;
export const MAX_EXTRA_REQUESTS_PER_CHUNK = 200;

/** Most extra requests split-retry sends for one refused chunk of `ids` ids holding `refused` bad records. */
export function splitRetryBound(ids: number, refused: number): number {
	if (ids <= PROBES) return ids;
	if (refused >= ids) return PROBES + 1;
	return Math.min(MAX_EXTRA_REQUESTS_PER_CHUNK, PROBES + 1 + 2 * refused * Math.ceil(Math.log2(ids)));
}

/** One part of the chunk and what became of it. */
export type SentPart = { request: PlannedRequest } & SendResult;

export interface SplitOutcome {
	/** Every part of the chunk, each with its outcome; together they carry every member once. */
	parts: SentPart[];
	extraRequests: number;
	/** The three ids sent alone and the rest were all refused: the refusal concerns the request, not single records. */
	requestWide: boolean;
}

type Refusal = Extract<SendResult, { outcome: 'refused' }>;
type Failure = { message: string; error: Error };

/**
 * Sends `request`; when it is refused at record level (400, 422), splits it as described above. The
 * first other failure (unknown, not sent, or a refusal of another kind such as a 401) ends the
 * splitting: the parts not yet sent are `notSent`.
 */
export async function sendWithSplitRetry(
	request: PlannedRequest,
	send: (part: PlannedRequest) => Promise<SendResult>,
	idOfItem: (itemIndex: number) => string | undefined,
): Promise<SplitOutcome> {
	const outcome: SplitOutcome = { parts: [], extraRequests: 0, requestWide: false };
	const first = await send(request);
	if (!isRecordRefusal(first) || request.members.length === 1) {
		outcome.parts.push({ request, ...first });
		return outcome;
	}

	let failure: Failure | undefined;
	/** Sends a part, unless an earlier part failed; a record-level refusal is returned, anything else recorded. */
	const attempt = async (part: PlannedRequest): Promise<Refusal | undefined> => {
		if (failure) {
			outcome.parts.push({ request: part, outcome: 'notSent', ...failure });
			return undefined;
		}
		const result = await send(part);
		outcome.extraRequests++;
		if (isRecordRefusal(result)) return result;
		outcome.parts.push({ request: part, ...result });
		if (result.outcome !== 'accepted') failure = { message: result.message, error: result.error };
		return undefined;
	};

	const n = request.members.length;
	const probeIndexes = n <= PROBES ? request.members.map((_, k) => k) : [0, Math.floor(n / 2), n - 1];
	const [rest, ...probes] = splitRequest(request, probeIndexes, idOfItem);
	const refusedProbes: SentPart[] = [];
	for (const probe of probes) {
		const refusal = await attempt(probe);
		if (refusal) refusedProbes.push({ request: probe, ...refusal });
	}
	outcome.parts.push(...refusedProbes);
	if (rest.members.length === 0) {
		outcome.requestWide = refusedProbes.length === n;
		return outcome;
	}
	let refused: SentPart[] = [];
	const restRefusal = await attempt(rest);
	if (restRefusal && refusedProbes.length === probes.length) {
		outcome.requestWide = true;
		outcome.parts.push({ request: rest, ...restRefusal });
		return outcome;
	}
	if (restRefusal) refused = [{ request: rest, ...restRefusal }];
	while (refused.length > 0) {
		const splittable = refused.filter((part) => part.request.members.length > 1);
		const capped = outcome.extraRequests + 2 * splittable.length > MAX_EXTRA_REQUESTS_PER_CHUNK;
		if (splittable.length === 0 || capped || failure) {
			const note = capped ? ` (not split further: at most ${MAX_EXTRA_REQUESTS_PER_CHUNK} extra requests per chunk)` : '';
			outcome.parts.push(...refused.map((part) => (part.request.members.length > 1 && part.outcome === 'refused' ? { ...part, message: `${part.message}${note}` } : part)));
			break;
		}
		const next: SentPart[] = refused.filter((part) => part.request.members.length === 1);
		for (const part of splittable) {
			for (const half of halveRequest(part.request, idOfItem)) {
				const refusal = await attempt(half);
				if (refusal) next.push({ request: half, ...refusal });
			}
		}
		if (next.every((part) => part.request.members.length === 1)) {
			outcome.parts.push(...next);
			break;
		}
		refused = next;
	}
	return outcome;
}

function isRecordRefusal(result: SendResult): result is Refusal {
	return result.outcome === 'refused' && result.recordLevel;
}

/** The two halves of a request, each carrying the input items of its own members. */
export function halveRequest(request: PlannedRequest, idOfItem: (itemIndex: number) => string | undefined): [PlannedRequest, PlannedRequest] {
	const middle = Math.ceil(request.members.length / 2);
	const [second, first] = splitRequest(
		request,
		request.members.slice(0, middle).map((_, k) => k),
		idOfItem,
		true,
	);
	return [first, second];
}

/**
 * The request split into the members at `picked` (one part each, or one part together when
 * `together`) and the rest (returned first). Each part carries the input items of its own members
 * (duplicates that collapsed into a member go with it); `idOfItem` gives the member id of an item.
 */
function splitRequest(
	request: PlannedRequest,
	picked: number[],
	idOfItem: (itemIndex: number) => string | undefined,
	together = false,
): PlannedRequest[] {
	const groupOfId = new Map<string, number>();
	picked.forEach((memberIndex, k) => groupOfId.set(request.members[memberIndex].id, together ? 1 : k + 1));
	const groups = together ? 2 : picked.length + 1;
	const members: Array<PlannedRequest['members']> = Array.from({ length: groups }, () => []);
	const items: number[][] = Array.from({ length: groups }, () => []);
	for (const member of request.members) members[groupOfId.get(member.id) ?? 0].push(member);
	for (const itemIndex of request.itemIndexes) {
		const id = idOfItem(itemIndex);
		items[id === undefined ? 0 : groupOfId.get(id) ?? 0].push(itemIndex);
	}
	return members.map((groupMembers, k) => part(request, groupMembers, items[k], idOfItem));
}

function part(
	request: PlannedRequest,
	members: PlannedRequest['members'],
	itemIndexes: number[],
	idOfItem: (itemIndex: number) => string | undefined,
): PlannedRequest {
	const removed = members.filter((member) => member.action === 'remove').length;
	// Items per distinct id, not per member: a removal Mirror derived is carried by no item.
	const carriedIds = new Set(itemIndexes.map(idOfItem)).size;
	return {
		operation: request.operation,
		audience: request.audience,
		members,
		itemIndexes,
		added: members.length - removed,
		removed,
		duplicatesCollapsed: itemIndexes.length - carriedIds,
	};
}
