import type { IExecuteFunctions, INodeExecutionData } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';
import { memberIdOf, planSync, type PlannedRequest, type SyncMode, type SyncPlan } from '../../engine';
import { isStopped, requestPolicy, type RequestPolicy } from '../../transport/requestPolicy';
import { audienceNameOf } from './audienceName';
import { IndexingTimeout, type IndexingView, waitOptionsFrom, waitUntilAllIndexed, type WaitOptions } from './indexing';
import { invalidItemsOutput } from './itemErrors';
import { idText, isEmptyInput, readMemberInputs } from './memberInputs';
import { minimumShareOf, shrinkRefusal } from './replaceGuards';
import { sendWithSplitRetry } from './splitRetry';
import { showSyncSummary, syncSummary } from './summaryHint';
import { count, perInputItem, requestOutput, SyncReport } from './syncReport';
import { asNodeError } from './nodeError';

/** What Update and Replace need from a platform (Batch 2.x or the legacy Custom Audience API). */
export interface MemberSyncTarget {
	platform: string;
	/** Label of the member ID field, named when an item has no ID. */
	idField: string;
	withTags: boolean;
	send(this: IExecuteFunctions, request: PlannedRequest, policy: RequestPolicy): Promise<string>;
	view(this: IExecuteFunctions, audience: string, token: string | undefined, policy: RequestPolicy): Promise<IndexingView>;
	/** Current size of an audience for the shrink guard; 0 when it does not exist yet. */
	currentSize(this: IExecuteFunctions, audience: string, policy: RequestPolicy): Promise<number>;
}

export interface SyncOptions {
	batchSize?: number;
	dryRun?: boolean;
	outputMode?: 'perRequest' | 'perItem';
	waitForIndexing?: boolean;
	waitTimeout?: number;
	pollInterval?: number;
	replaceApplyTimeout?: number;
	requestsPerSecond?: number;
	maxRetries?: number;
	allowEmpty?: boolean;
	minimumShare?: number;
}

/**
 * How long a replace above 10,000 ids waits for its first request to be APPLIED before adding the
 * rest. Longer than "Wait Timeout" (300 s): giving up leaves the audience holding only that first
 * chunk, while a late check only delays the user.
 */
export const DEFAULT_REPLACE_APPLY_TIMEOUT_S = 900;

/**
 * Update and Replace: validate every item, plan the fewest requests, guard a replace, send (see
 * sendPlannedRequests), optionally wait for indexing, and report every item's fate.
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
	showSyncSummary(this, syncSummary(items.length, plan, invalidOutput.length, Boolean(options.dryRun)));
	const ids = options.outputMode === 'perItem' ? new Map(read.inputs.map((input) => [input.itemIndex, idText(input.id)])) : undefined;
	const total = plan.requests.length;
	if (options.dryRun) {
		return [...plan.requests.map((request, i) => requestOutput(request, i + 1, total, { dryRun: true })), ...invalidOutput].flatMap(
			(item) => perInputItem(item, ids),
		);
	}

	const memberIds = new Map(read.inputs.map((input) => [input.itemIndex, memberIdOf(input.id)]));
	const report = new SyncReport(this.getNode(), plan, mode, target.platform, (itemIndex) => memberIds.get(itemIndex));
	if (mode === 'replace') {
		const refusal = await guardShrinking.call(this, plan, target, minimumShareOf(options), policy);
		if (refusal) {
			if (!this.continueOnFail()) throw refusal;
			report.addErrorItems(plan.requests, refusal.message);
			return [...report.errorItems, ...invalidOutput];
		}
	}

	await sendPlannedRequests.call(this, plan, target, mode, policy, options, report);
	if (options.waitForIndexing) await waitForAccepted.call(this, report, target, policy, waitOptionsFrom(options, policy.signal));
	if (report.refused.length > 0 && !this.continueOnFail()) throw refusedRecordsError.call(this, report);

	const output = report.accepted.map((accepted) => requestOutput(accepted.request, accepted.number, total, accepted));
	return [...output, ...report.errorItems, ...invalidOutput].flatMap((item) => perInputItem(item, ids));
}

/**
 * The one place the plan's requests go out, in order. A replace above 10,000 ids sends its first
 * chunk, waits until it is APPLIED, then adds the rest; if that replace fails or is not applied in
 * time, nothing more goes to that audience. An add/remove chunk the API refuses as a whole is split
 * until only its bad records fail. Under "continue on fail" a failure becomes error items and the
 * other audiences go on; otherwise the first failure stops the run with a statement of what each
 * audience holds.
 */
async function sendPlannedRequests(
	this: IExecuteFunctions,
	plan: SyncPlan,
	target: MemberSyncTarget,
	mode: SyncMode,
	policy: RequestPolicy,
	options: SyncOptions,
	report: SyncReport,
): Promise<void> {
	const total = plan.requests.length;
	const applyWait = waitOptionsFrom(
		{ waitTimeout: options.replaceApplyTimeout ?? DEFAULT_REPLACE_APPLY_TIMEOUT_S, pollInterval: options.pollInterval },
		policy.signal,
	);
	const send = async (request: PlannedRequest) => await target.send.call(this, request, policy);
	const pendingReplaces = new Map<string, string>();

	for (const [i, request] of plan.requests.entries()) {
		const number = i + 1;
		const { audience } = request;
		const ledger = report.ledger(audience);
		if (ledger.halted) continue;
		const halt = (reason: 'unchanged' | 'incomplete', cause: Error, headline: string) => {
			ledger.halted = reason;
			if (!this.continueOnFail()) throw report.stop(cause, headline);
			const parts = [...unsentParts(report, request), ...report.remainingOf(audience, i + 1)];
			report.addErrorItems(parts, `${headline.replace(/\.$/, '')}: ${report.holding(audience)}`, number);
		};

		const replaceToken = pendingReplaces.get(audience);
		if (replaceToken) {
			pendingReplaces.delete(audience);
			const view = async () => await target.view.call(this, audience, replaceToken, policy);
			const [applied] = await waitUntilAllIndexed.call(this, [{ audience, token: replaceToken, view }], applyWait);
			if (applied.error) {
				if (isStopped(applied.error, policy.signal)) throw applied.error;
				// Its state is known: "Wait for Indexing" does not wait for it a second time.
				const replace = report.accepted.find((accepted) => accepted.token === replaceToken);
				if (replace) Object.assign(replace, { indexing: applied.last, indexingDone: false });
				if (applied.error instanceof IndexingTimeout) {
					applied.error.description = 'The replace was accepted and will still be applied; the rest was not sent. Raise "Replace Apply Timeout", then run again.';
				}
				halt('incomplete', applied.error, `${applied.error.message} (replace of more than 10,000 ids)`);
				continue;
			}
		}

		try {
			if (request.operation === 'replace') {
				report.accept(request, number, await send(request));
				if (report.remainingOf(audience, i + 1).length > 0) pendingReplaces.set(audience, report.accepted[report.accepted.length - 1].token);
				continue;
			}
			const outcome = await sendWithSplitRetry(request, send, report.idOfItem);
			report.extraRequests += outcome.extraRequests;
			const split = outcome.extraRequests > 0;
			for (const part of outcome.accepted) report.accept(part.request, number, part.token, split);
			for (const part of outcome.rejected) {
				report.refuse(part.request, number, part.message);
				if (this.continueOnFail()) report.addErrorItems([part.request], refusedMessage(report, part.request, part.message), number);
			}
			if (outcome.notSent) throw outcome.notSent.error;
		} catch (error) {
			if (isStopped(error, policy.signal)) throw asNodeError(this.getNode(), error);
			const failed = `Request ${number} of ${total} to audience "${audience}" failed: ${(error as Error).message}`;
			if (request.operation === 'replace') halt('unchanged', error as Error, failed);
			else if (mode === 'replace') halt('incomplete', error as Error, failed);
			else if (!this.continueOnFail()) throw report.stop(error as Error, failed);
			else report.addErrorItems(unsentParts(report, request), `${failed}: ${report.holding(audience)}`, number);
		}
	}
}

/** The parts of `request` neither accepted nor refused (the whole request unless it was split). */
function unsentParts(report: SyncReport, request: PlannedRequest): PlannedRequest[] {
	const done = new Set<number>();
	for (const { request: part } of [...report.accepted, ...report.refused]) {
		if (part.audience === request.audience) for (const itemIndex of part.itemIndexes) done.add(itemIndex);
	}
	const itemIndexes = request.itemIndexes.filter((itemIndex) => !done.has(itemIndex));
	return itemIndexes.length > 0 ? [{ ...request, itemIndexes }] : [];
}

function refusedMessage(report: SyncReport, part: PlannedRequest, message: string): string {
	if (part.members.length > 1) return `${count(part.members.length)} ids refused by ${report.platform} as a whole: ${message}`;
	return `Id "${part.members[0].id}" refused by ${report.platform} (the rest of its request was delivered): ${message}`;
}

/** Without "continue on fail", refused records end the run once everything else was delivered. */
function refusedRecordsError(this: IExecuteFunctions, report: SyncReport): NodeOperationError {
	const items = report.refused.flatMap(({ request }) => request.itemIndexes).sort((a, b) => a - b);
	const named = items.slice(0, 10).map((itemIndex) => `item ${itemIndex} (id "${report.idOfItem(itemIndex) ?? '?'}")`);
	const more = items.length > named.length ? ` and ${count(items.length - named.length)} more` : '';
	const delivered = report.accepted.reduce((sum, { request }) => sum + request.members.length, 0);
	const tokens = report.accepted.map((a) => a.token);
	const deliveredText =
		tokens.length > 0
			? `The other ${count(delivered)} ids were delivered in ${tokens.length} accepted requests.`
			: `No request of this run was accepted by ${report.platform}.`;
	return new NodeOperationError(
		this.getNode(),
		`${count(items.length)} items were refused by ${report.platform}: ${named.join(', ')}${more}. ${deliveredText} First refusal: ${report.refused[0].message}`,
		{
			itemIndex: items[0],
			description: [
				...report.refused.map(({ request, message }) => `Items ${request.itemIndexes.join(', ')}: ${message}`),
				`Extra requests sent to isolate them: ${report.extraRequests}.`,
				...(tokens.length ? [`Accepted tokens: ${tokens.join(', ')}`] : []),
			].join('\n'),
		},
	);
}

/** Wait for Indexing: every accepted token against one deadline; each keeps its last known state. */
async function waitForAccepted(
	this: IExecuteFunctions,
	report: SyncReport,
	target: MemberSyncTarget,
	policy: RequestPolicy,
	wait: WaitOptions,
): Promise<void> {
	const toWaitFor = report.accepted.filter((accepted) => accepted.indexingDone === undefined);
	const waits = toWaitFor.map(({ request, token }) => ({
		audience: request.audience,
		token,
		view: async () => await target.view.call(this, request.audience, token, policy),
	}));
	const results = await waitUntilAllIndexed.call(this, waits, wait);
	results.forEach((result, index) => Object.assign(toWaitFor[index], { indexing: result.last, indexingDone: !result.error }));
	const failed = results.filter((result) => result.error);
	if (failed.length === 0 || this.continueOnFail()) return;
	const states = report.accepted.map(
		({ request, token, indexing }) => `token ${token} (audience "${request.audience}"): ${indexing?.indexing_state ?? 'unknown'}`,
	);
	throw new NodeOperationError(
		this.getNode(),
		`${failed.length} of ${report.accepted.length} accepted requests were not indexed in time: ${failed[0].error?.message}`,
		{
			description: [
				'Every write below was accepted and will still be applied. Raise "Wait Timeout", or check later with Check Indexing.',
				...states,
			].join('\n'),
		},
	);
}

/** Refuses to touch the audiences when the replace would shrink one below the minimum share. */
async function guardShrinking(
	this: IExecuteFunctions,
	plan: SyncPlan,
	target: MemberSyncTarget,
	share: number,
	policy: RequestPolicy,
): Promise<Error | undefined> {
	if (share <= 0) return undefined;
	const sizes = new Map<string, number>();
	for (const request of plan.requests) sizes.set(request.audience, (sizes.get(request.audience) ?? 0) + request.members.length);
	for (const [audience, size] of sizes) {
		let current: number;
		try {
			current = await target.currentSize.call(this, audience, policy);
		} catch (error) {
			if (isStopped(error, policy.signal)) throw asNodeError(this.getNode(), error);
			return error as Error;
		}
		const refusal = shrinkRefusal(this.getNode(), `audience "${audience}"`, current, size, share);
		if (refusal) return refusal;
	}
	return undefined;
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
	if (options.dryRun) return [requestOutput(request, 1, 1, { dryRun: true })];
	const token = await target.send.call(this, request, policy);
	return [requestOutput(request, 1, 1, { token })];
}
