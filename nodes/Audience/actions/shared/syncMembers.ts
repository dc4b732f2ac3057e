import type { IDataObject, IExecuteFunctions, INodeExecutionData } from 'n8n-workflow';
import { NodeApiError, NodeOperationError } from 'n8n-workflow';
import { planSync, type PlannedRequest, type SyncMode, type SyncPlan } from '../../engine';
import { DEFAULT_POLICY, RequestPacer, type RequestPolicy } from '../../transport/request';
import { type IndexingView, waitOptionsFrom, waitUntilIndexed, type WaitOptions } from './indexing';
import { audienceNameOf } from './audienceName';
import { errorItem, invalidItemsOutput } from './itemErrors';
import { idText, isEmptyInput, readMemberInputs } from './memberInputs';
import { showSyncSummary, syncSummary } from './summaryHint';

/** What Update and Replace need from a platform (Batch 2.x or the legacy Custom Audience API). */
export interface MemberSyncTarget {
	platform: string;
	/** Label of the member ID field, named when an item has no ID. */
	idField: string;
	withTags: boolean;
	send(this: IExecuteFunctions, request: PlannedRequest, policy: RequestPolicy): Promise<string>;
	view(this: IExecuteFunctions, audience: string, token: string | undefined, policy: RequestPolicy): Promise<IndexingView>;
}

export interface SyncOptions {
	batchSize?: number;
	dryRun?: boolean;
	outputMode?: 'perRequest' | 'perItem';
	waitForIndexing?: boolean;
	waitTimeout?: number;
	pollInterval?: number;
	requestsPerSecond?: number;
	maxRetries?: number;
	allowEmpty?: boolean;
	minimumShare?: number;
}

interface Accepted {
	request: PlannedRequest;
	token: string;
	number: number;
	indexing?: IndexingView;
}

export function requestPolicy(options: { maxRetries?: number; requestsPerSecond?: number }): RequestPolicy {
	return {
		...DEFAULT_POLICY,
		maxRetries: options.maxRetries ?? DEFAULT_POLICY.maxRetries,
		pacer: new RequestPacer(options.requestsPerSecond ?? 0),
	};
}

/**
 * Update and Replace: validate every item, plan the fewest requests, send them in order (a replace
 * larger than one request waits for its first chunk to be applied before adding the rest), and
 * report every item's fate.
 */
export async function syncMembers(
	this: IExecuteFunctions,
	items: INodeExecutionData[],
	target: MemberSyncTarget,
	mode: SyncMode,
): Promise<INodeExecutionData[]> {
	const options = this.getNodeParameter('options', 0, {}) as SyncOptions;
	const policy = requestPolicy(options);
	const wait = waitOptionsFrom(options);

	if (mode === 'replace' && isEmptyInput(items)) {
		return await replaceWithNothing.call(this, items, target, options, policy);
	}
	const read = readMemberInputs.call(this, items, mode, target.withTags);
	let plan: SyncPlan;
	try {
		plan = planSync(read.inputs, { mode, batchSize: options.batchSize, allowTags: target.withTags, idField: target.idField });
	} catch (error) {
		throw new NodeOperationError(this.getNode(), (error as Error).message);
	}
	const invalidOutput = invalidItemsOutput.call(this, [...read.invalid, ...plan.invalid]);
	showSyncSummary(this, syncSummary(items.length, plan, invalidOutput.length, Boolean(options.dryRun)));
	if (mode === 'replace') await guardShrinking.call(this, plan, target, options, policy);

	const ids = options.outputMode === 'perItem' ? new Map(read.inputs.map((input) => [input.itemIndex, idText(input.id)])) : undefined;
	if (options.dryRun) {
		return [...plan.requests.map((request, i) => outputFor(request, i, plan, { dryRun: true })), ...invalidOutput]
			.flatMap((item) => expand(item, ids));
	}

	const accepted: Accepted[] = [];
	const failed: INodeExecutionData[] = [];
	const replaceTokens = new Map<string, string>();
	for (const [i, request] of plan.requests.entries()) {
		try {
			const replaceToken = replaceTokens.get(request.audience);
			if (replaceToken && request.operation === 'update') {
				// The API replaces at most 10,000 ids per call: the rest is added once the replace is applied.
				await waitUntilIndexed.call(this, () => target.view.call(this, request.audience, replaceToken, policy), { audience: request.audience, token: replaceToken }, wait);
				replaceTokens.delete(request.audience);
			}
			const token = await target.send.call(this, request, policy);
			if (request.operation === 'replace') replaceTokens.set(request.audience, token);
			accepted.push({ request, token, number: i + 1 });
		} catch (error) {
			if (!this.continueOnFail()) throw withAcceptedRequests(error, accepted, plan.requests.length, target.platform);
			failed.push(errorItem(`Request ${i + 1} of ${plan.requests.length} to audience "${request.audience}" failed: ${(error as Error).message}`, request.itemIndexes, { request: i + 1 }));
		}
	}
	if (options.waitForIndexing) await waitForAll.call(this, accepted, target, policy, wait);

	const output = accepted.map(({ request, token, number, indexing }) =>
		outputFor(request, number - 1, plan, { token, indexing }),
	);
	return [...output, ...failed, ...invalidOutput].flatMap((item) => expand(item, ids));
}

async function waitForAll(
	this: IExecuteFunctions,
	accepted: Accepted[],
	target: MemberSyncTarget,
	policy: RequestPolicy,
	wait: WaitOptions,
): Promise<void> {
	for (const entry of accepted) {
		const { audience } = entry.request;
		entry.indexing = await waitUntilIndexed.call(this, () => target.view.call(this, audience, entry.token, policy), { audience, token: entry.token }, wait);
	}
}

function outputFor(
	request: PlannedRequest,
	index: number,
	plan: SyncPlan,
	result: { token?: string; indexing?: IndexingView; dryRun?: boolean },
): INodeExecutionData {
	const json: IDataObject = {
		audience: request.audience,
		operation: request.operation,
		indexingToken: result.token ?? null,
		request: index + 1,
		requests: plan.requests.length,
		ids: request.members.length,
		added: request.added,
		removed: request.removed,
		duplicatesCollapsed: request.duplicatesCollapsed,
		dryRun: Boolean(result.dryRun),
	};
	if (result.indexing) {
		json.indexingState = result.indexing.indexing_state ?? null;
		json.nb_ids = result.indexing.nb_ids ?? null;
	}
	if (result.dryRun) json.payload = { name: request.audience, ids: request.members } as unknown as IDataObject;
	return { json, pairedItem: request.itemIndexes.map((item) => ({ item })) };
}

/** "One item per input item": a request's summary is repeated for each item it carried. */
function expand(item: INodeExecutionData, ids: Map<number, string | undefined> | undefined): INodeExecutionData[] {
	if (!ids || item.json.error !== undefined) return [item];
	const pairs = Array.isArray(item.pairedItem) ? item.pairedItem : [];
	const { payload: _payload, ids: _count, added: _a, removed: _r, duplicatesCollapsed: _d, ...summary } = item.json;
	return pairs.map((pair) => ({
		json: { ...summary, id: ids.get(pair.item) ?? null, itemIndex: pair.item },
		pairedItem: { item: pair.item },
	}));
}

function withAcceptedRequests(error: Error, accepted: Accepted[], total: number, platform: string): Error {
	if (accepted.length === 0) {
		if (error instanceof NodeApiError || error instanceof NodeOperationError) {
			error.description = [error.description, `No request of this run was accepted by ${platform}.`].filter(Boolean).join('\n');
		}
		return error;
	}
	const list = accepted.map(
		({ request, token, number }) =>
			`request ${number} of ${total}: audience "${request.audience}", ${request.members.length} ids (${request.operation}), token ${token}`,
	);
	const summary = `${accepted.length} of ${total} requests were already accepted before this failure: ${accepted.map((a) => a.token).join(', ')}`;
	if (error instanceof NodeApiError || error instanceof NodeOperationError) {
		error.message = `${error.message}. ${summary}`;
		error.description = [error.description, 'Accepted requests:', ...list].filter(Boolean).join('\n');
	}
	return error;
}

/** Refuses a replace that would shrink an audience below the configured share of its size. */
async function guardShrinking(
	this: IExecuteFunctions,
	plan: SyncPlan,
	target: MemberSyncTarget,
	options: SyncOptions,
	policy: RequestPolicy,
): Promise<void> {
	const share = options.minimumShare ?? 0;
	if (share <= 0) return;
	const sizes = new Map<string, number>();
	for (const request of plan.requests) sizes.set(request.audience, (sizes.get(request.audience) ?? 0) + request.members.length);
	for (const [audience, size] of sizes) {
		const current = (await target.view.call(this, audience, undefined, policy)).nb_ids ?? 0;
		if (size < (current * share) / 100) {
			throw new NodeOperationError(
				this.getNode(),
				`Replace refused: audience "${audience}" would shrink from ${current} to ${size} members, below the minimum share of ${share}%`,
				{ description: 'Nothing was sent. Lower "Minimum Share of Current Size" if this shrink is intended.' },
			);
		}
	}
}

/** Empty input: refused unless "Allow Empty Replace" is on, then the audience is emptied on purpose. */
async function replaceWithNothing(
	this: IExecuteFunctions,
	items: INodeExecutionData[],
	target: MemberSyncTarget,
	options: SyncOptions,
	policy: RequestPolicy,
): Promise<INodeExecutionData[]> {
	const audience = audienceNameOf.call(this, 0);
	if (!options.allowEmpty) {
		throw new NodeOperationError(
			this.getNode(),
			`The input is empty: replacing would remove every member of audience "${audience}". Nothing was sent.`,
			{ description: 'Turn on "Allow Empty Replace" in the options to empty the audience on purpose.' },
		);
	}
	const request: PlannedRequest = {
		operation: 'replace',
		audience,
		members: [],
		itemIndexes: items.map((_, i) => i),
		added: 0,
		removed: 0,
		duplicatesCollapsed: 0,
	};
	const plan = { requests: [request], invalid: [], validCount: 0, uniqueIds: 0 };
	if (options.dryRun) return [outputFor(request, 0, plan, { dryRun: true })];
	const token = await target.send.call(this, request, policy);
	return [outputFor(request, 0, plan, { token })];
}
