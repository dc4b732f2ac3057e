import type { IExecuteFunctions, INodeExecutionData } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';
import { chunkMembers, collectMembers, type CollectedMembers, memberIdOf, type SendMode, type SyncMode, type SyncPlan, type SyncRules } from '../../../engine';
import { type RequestPolicy, requestPolicy } from '../../../transport/requestPolicy';
import {
	forgetTracking,
	mirrorGuard,
	mirrorOfNothing,
	saveTrackedRun,
	startTrackedRun,
	type TrackedRun,
	unchangedOutput,
	withTrackingSummary,
} from '../changeTracking/trackedRun';
import { byFirstPairedItem, errorItem, invalidItemsOutput } from '../itemErrors';
import { idText, isEmptyInput, readMemberInputs } from '../memberInputs';
import { minimumShareOf } from '../replaceGuards';
import { changesBanner, dryRunBanner, showBanners, STILL_INDEXING, syncBanner } from '../summaryHint';
import { guardShrinking, replaceWithNothing } from './guardReplace';
import { SyncLedger } from './ledger';
import { outputModeOf, requestOutput, shapedOutput } from './output';
import { sendPlannedRequests } from './send';
import { refusedRecordsError } from './statements';
import type { MemberSyncTarget, SyncOptions } from './target';
import { waitForAccepted } from './waitForIndexing';

/**
 * Update and Replace: validate every item, plan the fewest requests (with change tracking, only
 * what changed), guard a replace or a mirror, send (see sendPlannedRequests), save what was
 * accepted, optionally wait for indexing, and report every item's outcome.
 */
export async function syncMembers(
	this: IExecuteFunctions,
	items: INodeExecutionData[],
	target: MemberSyncTarget,
	mode: SyncMode,
): Promise<INodeExecutionData[]> {
	const options = this.getNodeParameter('options', 0, {}) as SyncOptions;
	const policy = requestPolicy(this, options);
	const sendMode = mode === 'update' ? (this.getNodeParameter('sendMode', 0, 'all') as SendMode) : 'all';

	if (mode === 'replace' && isEmptyInput(items)) {
		return await replaceWithNothing.call(this, items, target, options, policy);
	}
	if (sendMode === 'mirror' && isEmptyInput(items)) throw mirrorOfNothing.call(this);
	// Mirror adds every incoming member: the Action field does not apply.
	const read = readMemberInputs.call(this, items, sendMode === 'mirror' ? 'replace' : mode, target.withTags);
	const rules: SyncRules = { mode, batchSize: options.batchSize, allowTags: target.withTags, idField: target.idField };
	let collected: CollectedMembers;
	try {
		collected = collectMembers(read.inputs, rules);
	} catch (error) {
		throw new NodeOperationError(this.getNode(), (error as Error).message);
	}
	const tracking =
		sendMode === 'all' ? undefined : await startTrackedRun.call(this, collected, target, sendMode, rules, options.resetChangeTracking === true, policy);
	if (sendMode === 'all' && mode === 'update' && !options.dryRun) forgetTracking.call(this);
	const plan: SyncPlan = tracking?.changes.plan ?? { ...collected, requests: chunkMembers(collected.audiences, rules, () => mode === 'replace') };

	const invalidOutput = invalidItemsOutput.call(this, [...read.invalid, ...plan.invalid]);
	const outputMode = outputModeOf(this, options);
	const ids = outputMode === 'perItem' ? new Map(read.inputs.map((input) => [input.itemIndex, idText(input.id)])) : undefined;
	const shape = (item: INodeExecutionData) => shapedOutput(item, outputMode, { items, ids, changes: tracking?.changes.changeOfItem });
	// Summaries: with change tracking, one item per audience for its unchanged members, and what tracking saw.
	const summarized = (requests: INodeExecutionData[]) =>
		tracking ? [...(outputMode === 'perRequest' ? withTrackingSummary(tracking, requests) : requests), ...unchangedOutput(tracking)] : requests;
	const total = plan.requests.length;
	if (options.dryRun) {
		showBanners(this, dryRunBanner(items.length, plan, invalidOutput.length), ...changesBanner(tracking, { dryRun: true }));
		const wouldSend = plan.requests.map((request, i) => requestOutput(request, i + 1, total, { dryRun: true }));
		return [...summarized(wouldSend), ...invalidOutput].flatMap(shape);
	}

	// Only failures name ids: the map is built on first use (a million entries cost about 100 MB).
	let memberIds: Map<number, string | undefined> | undefined;
	const idOfItem = (itemIndex: number) => (memberIds ??= new Map(read.inputs.map((input) => [input.itemIndex, memberIdOf(input.id)]))).get(itemIndex);
	const ledger = new SyncLedger(plan, target.platform, idOfItem);
	const refusal = await guard.call(this, plan, target, options, policy, tracking);
	if (refusal) {
		if (!this.continueOnFail()) throw refusal;
		const notSent = plan.requests.flatMap((request) => request.itemIndexes.map((itemIndex) => errorItem(refusal.message, itemIndex, 'notSent')));
		return [...notSent, ...summarized([]).flatMap(shape), ...invalidOutput].sort(byFirstPairedItem);
	}

	let failed: INodeExecutionData[];
	try {
		failed = await sendPlannedRequests.call(this, plan, target, policy, options, ledger);
	} finally {
		// Also when the run stops: what was accepted is kept, so the next run sends only the rest.
		if (tracking) await saveTrackedRun.call(this, tracking, ledger);
	}
	showBanners(this, syncBanner(items.length, ledger, invalidOutput.length), ...changesBanner(tracking));
	if (options.waitForIndexing) await waitForAccepted.call(this, ledger, target, policy);
	else if (ledger.accepted.length > 0) showBanners(this, STILL_INDEXING);
	if (ledger.refused.length > 0 && !this.continueOnFail()) throw refusedRecordsError(this.getNode(), ledger);

	const output = ledger.accepted.map((accepted) => requestOutput(accepted.request, accepted.number, total, accepted));
	return [...summarized(output), ...[...failed, ...invalidOutput].sort(byFirstPairedItem)].flatMap(shape);
}

/**
 * The guards run before anything is sent: a replace (Replace, or Mirror's first run) must not shrink
 * an audience below the minimum share of its size, nor a mirror remove more than the rest of it.
 */
async function guard(
	this: IExecuteFunctions,
	plan: SyncPlan,
	target: MemberSyncTarget,
	options: SyncOptions,
	policy: RequestPolicy,
	tracking: TrackedRun | undefined,
): Promise<Error | undefined> {
	const share = minimumShareOf(options);
	const replaces = new Set(plan.requests.filter((request) => request.operation === 'replace').map((request) => request.audience));
	const replaced = { ...plan, requests: plan.requests.filter((request) => replaces.has(request.audience)) };
	if (replaced.requests.length > 0) {
		const refusal = await guardShrinking.call(this, replaced, target, share, policy);
		if (refusal) return refusal;
	}
	return tracking && tracking.setup.mode === 'mirror' ? mirrorGuard.call(this, tracking, share) : undefined;
}
