import type { IExecuteFunctions, INodeExecutionData } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';
import { mapInFlight, memberIdOf, planSync, type PlannedRequest, type SyncMode, type SyncPlan } from '../../engine';
import { isStopped, requestPolicy, type RequestPolicy, throwIfStopped } from '../../transport/requestPolicy';
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
	requestsInFlight?: number;
}

/**
 * Requests of one run in flight at once. Batch documents no rate limit for these endpoints: four
 * hides most of a distant API's latency, and the first 429 drops the run to one at a time.
 */
export const DEFAULT_REQUESTS_IN_FLIGHT = 4;

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

	// Only failures name ids: the map is built on first use (a million entries cost about 100 MB).
	let memberIds: Map<number, string | undefined> | undefined;
	const idOfItem = (itemIndex: number) => (memberIds ??= new Map(read.inputs.map((input) => [input.itemIndex, memberIdOf(input.id)]))).get(itemIndex);
	const report = new SyncReport(this.getNode(), plan, mode, target.platform, idOfItem);
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
	return [...output, ...report.errorItemsInItemOrder(), ...invalidOutput].flatMap((item) => perInputItem(item, ids));
}

/** A request that failed for good, stated once every request in flight has settled. */
interface SendFailure {
	request: PlannedRequest;
	number: number;
	cause: Error;
	headline: string;
	/** The whole audience stops here: a replace failed, or was not applied in time. */
	halts?: 'unchanged' | 'incomplete';
}

/**
 * The one place the plan's requests go out, up to "Requests in Flight" at a time (one at a time
 * after a 429). A replace above 10,000 ids sends its first chunk alone, waits until it is APPLIED,
 * then adds the rest; if that replace fails or is not applied in time, nothing more goes to that
 * audience. An add/remove chunk the API refuses as a whole is split until only its bad records fail.
 * Under "continue on fail" a failure becomes error items and the rest goes on; otherwise nothing new
 * is launched, the requests in flight finish, and the run stops with a statement of what each
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
	// Per audience: settles once its replace's first chunk is APPLIED (or the audience halted).
	const replaceApplied = new Map<string, Promise<void>>();
	const failures: SendFailure[] = [];
	const fail = (failure: SendFailure) => {
		if (failure.halts) report.ledger(failure.request.audience).halted = failure.halts;
		failures.push(failure);
		return failure.cause;
	};

	const sendReplace = async (request: PlannedRequest, number: number) => {
		const { audience } = request;
		let token: string;
		try {
			token = await send(request);
		} catch (error) {
			if (isStopped(error, policy.signal)) throw asNodeError(this.getNode(), error);
			const cause = error as Error;
			throw fail({ request, number, cause, halts: 'unchanged', headline: `Request ${number} of ${total} to audience "${audience}" failed: ${cause.message}` });
		}
		report.accept(request, number, token);
		if (report.remainingOf(audience, number).length === 0) return;
		const view = async () => await target.view.call(this, audience, token, policy);
		const [applied] = await waitUntilAllIndexed.call(this, [{ audience, token, view }], applyWait);
		if (!applied.error) return;
		if (isStopped(applied.error, policy.signal)) throw applied.error;
		// Its state is known: "Wait for Indexing" does not wait for it a second time.
		const replace = report.accepted.find((accepted) => accepted.token === token);
		if (replace) Object.assign(replace, { indexing: applied.last, indexingDone: false });
		if (applied.error instanceof IndexingTimeout) {
			applied.error.description = 'The replace was accepted and will still be applied; the rest was not sent. Raise "Replace Apply Timeout", then run again.';
		}
		throw fail({ request, number, cause: applied.error, halts: 'incomplete', headline: `${applied.error.message} (replace of more than 10,000 ids)` });
	};

	const sendChanges = async (request: PlannedRequest, number: number) => {
		const { audience } = request;
		const outcome = await sendWithSplitRetry(request, send, report.idOfItem);
		report.extraRequests += outcome.extraRequests;
		const split = outcome.extraRequests > 0;
		for (const part of outcome.accepted) report.accept(part.request, number, part.token, split);
		for (const part of outcome.rejected) {
			report.refuse(part.request, number, part.message);
			if (this.continueOnFail()) report.addErrorItems([part.request], refusedMessage(report, part.request, part.message));
		}
		if (!outcome.notSent) return;
		const cause = outcome.notSent.error;
		if (isStopped(cause, policy.signal)) throw cause;
		const headline = `Request ${number} of ${total} to audience "${audience}" failed: ${cause.message}`;
		throw fail({ request, number, cause, headline, halts: mode === 'replace' ? 'incomplete' : undefined });
	};

	const sendOne = async (request: PlannedRequest, index: number) => {
		const number = index + 1;
		const { audience } = request;
		if (request.operation === 'replace') {
			// Set before the first await: the audience's later requests are launched after this one.
			const done = sendReplace(request, number);
			replaceApplied.set(audience, done.then(() => undefined, () => undefined));
			return await done;
		}
		await replaceApplied.get(audience);
		if (report.ledger(audience).halted) return;
		return await sendChanges(request, number);
	};

	const inFlight = Math.max(1, Math.floor(options.requestsInFlight ?? DEFAULT_REQUESTS_IN_FLIGHT));
	const outcome = await mapInFlight(plan.requests, sendOne, {
		limit: () => (policy.pacer?.rateLimited ? 1 : inFlight),
		continueAfterFailure: this.continueOnFail(),
		stopLaunching: () => policy.signal?.aborted === true,
	});
	report.inPlanOrder();
	throwIfStopped(policy.signal);
	const unexpected = outcome.outcomes.find((task) => task.status === 'rejected' && !failures.some((failure) => failure.cause === task.reason));
	if (unexpected?.status === 'rejected') throw asNodeError(this.getNode(), unexpected.reason);
	if (failures.length === 0) return;

	failures.sort((a, b) => a.number - b.number);
	if (!this.continueOnFail()) throw report.stop(failures[0].cause, failures[0].headline);
	const stated = new Set<string>();
	for (const { request, headline, halts } of failures) {
		const { audience } = request;
		const message = `${headline.replace(/\.$/, '')}: ${report.holding(audience)}`;
		if (!halts) {
			report.addErrorItems(unsentParts(report, request), message);
		} else if (!stated.has(audience)) {
			stated.add(audience);
			// Everything of a halted audience that was not delivered, whichever request it was in.
			const audienceRequests = plan.requests.filter((planned) => planned.audience === audience);
			report.addErrorItems(audienceRequests.flatMap((planned) => unsentParts(report, planned)), message);
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
