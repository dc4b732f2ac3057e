import type { IExecuteFunctions, INodeExecutionData } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';
import { memberIdOf, planSync, type SyncMode, type SyncPlan } from '../../../engine';
import { requestPolicy } from '../../../transport/requestPolicy';
import { byFirstPairedItem, errorItem, invalidItemsOutput } from '../itemErrors';
import { idText, isEmptyInput, readMemberInputs } from '../memberInputs';
import { minimumShareOf } from '../replaceGuards';
import { dryRunBanner, showBanners, STILL_INDEXING, syncBanner } from '../summaryHint';
import { guardShrinking, replaceWithNothing } from './guardReplace';
import { SyncLedger } from './ledger';
import { outputModeOf, requestOutput, shapedOutput } from './output';
import { sendPlannedRequests } from './send';
import { refusedRecordsError } from './statements';
import type { MemberSyncTarget, SyncOptions } from './target';
import { waitForAccepted } from './waitForIndexing';

/**
 * Update and Replace: validate every item, plan the fewest requests, guard a replace, send (see
 * sendPlannedRequests), optionally wait for indexing, and report every item's outcome.
 */
export async function syncMembers(
	this: IExecuteFunctions,
	items: INodeExecutionData[],
	target: MemberSyncTarget,
	mode: SyncMode,
): Promise<INodeExecutionData[]> {
	const options = this.getNodeParameter('options', 0, {}) as SyncOptions;
	const policy = requestPolicy(this, options);

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
	const outputMode = outputModeOf(this, options);
	const ids = outputMode === 'perItem' ? new Map(read.inputs.map((input) => [input.itemIndex, idText(input.id)])) : undefined;
	const shape = (item: INodeExecutionData) => shapedOutput(item, outputMode, { items, ids });
	const total = plan.requests.length;
	if (options.dryRun) {
		showBanners(this, dryRunBanner(items.length, plan, invalidOutput.length));
		return [...plan.requests.map((request, i) => requestOutput(request, i + 1, total, { dryRun: true })), ...invalidOutput].flatMap(shape);
	}

	// Only failures name ids: the map is built on first use (a million entries cost about 100 MB).
	let memberIds: Map<number, string | undefined> | undefined;
	const idOfItem = (itemIndex: number) => (memberIds ??= new Map(read.inputs.map((input) => [input.itemIndex, memberIdOf(input.id)]))).get(itemIndex);
	const ledger = new SyncLedger(plan, mode, target.platform, idOfItem);
	if (mode === 'replace') {
		const refusal = await guardShrinking.call(this, plan, target, minimumShareOf(options), policy);
		if (refusal) {
			if (!this.continueOnFail()) throw refusal;
			const notSent = plan.requests.flatMap((request) => request.itemIndexes.map((itemIndex) => errorItem(refusal.message, itemIndex, 'notSent')));
			return [...notSent, ...invalidOutput].sort(byFirstPairedItem);
		}
	}

	const failed = await sendPlannedRequests.call(this, plan, target, policy, options, ledger);
	showBanners(this, syncBanner(items.length, ledger, invalidOutput.length));
	if (options.waitForIndexing) await waitForAccepted.call(this, ledger, target, policy);
	else if (ledger.accepted.length > 0) showBanners(this, STILL_INDEXING);
	if (ledger.refused.length > 0 && !this.continueOnFail()) throw refusedRecordsError(this.getNode(), ledger);

	const output = ledger.accepted.map((accepted) => requestOutput(accepted.request, accepted.number, total, accepted));
	return [...output, ...[...failed, ...invalidOutput].sort(byFirstPairedItem)].flatMap(shape);
}
