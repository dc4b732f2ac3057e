import type { IExecuteFunctions, INodeExecutionData } from 'n8n-workflow';
import { mapInFlight, type PlannedRequest, sendWithSplitRetry, type SendResult, type SyncPlan } from '../../../engine';
import { isStopped, throwIfStopped } from '../../../transport/cancellation';
import { httpStatusOf, isRecordRejection, outcomeOf } from '../../../transport/request';
import type { RequestPolicy } from '../../../transport/requestPolicy';
import { IndexingTimeout, waitOptionsFrom, waitUntilAllIndexed } from '../indexing';
import { asNodeError } from '../nodeError';
import { errorItem } from '../itemErrors';
import type { SyncLedger } from './ledger';
import { holding, refusedMessage, RUN_AGAIN_IS_SAFE, stopError } from './statements';
import { DEFAULT_REPLACE_APPLY_TIMEOUT_S, DEFAULT_REQUESTS_IN_FLIGHT, type MemberSyncTarget, type SyncOptions } from './target';

/** A request that failed for good, stated once every request in flight has settled. */
interface SendFailure {
	request: PlannedRequest;
	number: number;
	cause: Error;
	headline: string;
}

/**
 * The one place the plan's requests go out, up to "Requests in Flight" at a time (one at a time
 * after a 429). A replace above 10,000 ids sends its first chunk alone, waits until it is APPLIED,
 * then adds the rest; unless that replace is accepted and applied in time, nothing more goes to that
 * audience. An add/remove chunk the API refuses is split until only its bad records fail. Every
 * request and part ends in the ledger as accepted, refused, unknown or not sent. Under "continue on
 * fail" the failures become error items (returned) and the rest goes on; otherwise nothing new is
 * launched, the requests in flight finish, and the run stops with a statement of what each audience
 * holds.
 */
export async function sendPlannedRequests(
	this: IExecuteFunctions,
	plan: SyncPlan,
	target: MemberSyncTarget,
	policy: RequestPolicy,
	options: SyncOptions,
	ledger: SyncLedger,
): Promise<INodeExecutionData[]> {
	const total = plan.requests.length;
	const applyWait = waitOptionsFrom(
		{ waitTimeout: options.replaceApplyTimeout ?? DEFAULT_REPLACE_APPLY_TIMEOUT_S, pollInterval: options.pollInterval },
		policy.signal,
	);
	const send = async (request: PlannedRequest): Promise<SendResult> => {
		try {
			return { outcome: 'accepted', token: await target.send.call(this, request, policy) };
		} catch (error) {
			if (isStopped(error, policy.signal)) throw asNodeError(this.getNode(), error);
			const outcome = outcomeOf(error);
			const { message } = error as Error;
			if (outcome === 'refused') return { outcome, message, error: error as Error, recordLevel: isRecordRejection(error) };
			return { outcome, message, error: error as Error };
		}
	};
	// Per audience: settles once its replace's first chunk is APPLIED (or the audience halted).
	const replaceApplied = new Map<string, Promise<void>>();
	const failures: SendFailure[] = [];
	const fail = (failure: SendFailure, halts = false) => {
		if (halts) ledger.halted.add(failure.request.audience);
		failures.push(failure);
		return failure.cause;
	};
	const failedHeadline = (number: number, audience: string, result: Exclude<SendResult, { outcome: 'accepted' }>) =>
		result.outcome === 'unknown'
			? `Request ${number} of ${total} to audience "${audience}" has an unknown outcome (it may have been applied): ${result.error.message}`
			: `Request ${number} of ${total} to audience "${audience}" failed: ${result.error.message}`;

	const sendReplace = async (request: PlannedRequest, number: number) => {
		const { audience } = request;
		const result = await send(request);
		if (result.outcome !== 'accepted') {
			ledger.record({ request, number, outcome: result.outcome, message: result.message, status: httpStatusOf(result.error) });
			throw fail({ request, number, cause: result.error, headline: failedHeadline(number, audience, result) }, true);
		}
		const { token } = result;
		const replace = ledger.record({ request, number, outcome: 'accepted', token });
		if (ledger.remainingAfter(audience, number).length === 0) return;
		if (!token) {
			const cause = new Error(`${target.platform} accepted the replace of audience "${audience}" but returned no indexing token`);
			const headline = `${cause.message}: the node cannot tell when it is applied, so the rest was not sent`;
			throw fail({ request, number, cause, headline }, true);
		}
		const view = async () => await target.view.call(this, audience, token, policy);
		const [applied] = await waitUntilAllIndexed.call(this, [{ audience, token, view }], applyWait);
		if (!applied.error) return;
		if (isStopped(applied.error, policy.signal)) throw applied.error;
		// Its state is known: "Wait for Indexing" does not wait for it a second time.
		Object.assign(replace, { indexing: applied.last, indexingDone: false });
		if (applied.error instanceof IndexingTimeout) {
			applied.error.description = 'The replace was accepted and will still be applied; the rest was not sent. Raise "Replace Apply Timeout", then run again.';
		}
		throw fail({ request, number, cause: applied.error, headline: `${applied.error.message} (replace of more than 10,000 ids)` }, true);
	};

	const sendChanges = async (request: PlannedRequest, number: number) => {
		const { audience } = request;
		const outcome = await sendWithSplitRetry(request, send, ledger.idOfItem);
		ledger.extraRequests += outcome.extraRequests;
		const split = outcome.parts.length > 1;
		let failure: SendFailure | undefined;
		for (const part of outcome.parts) {
			ledger.record({
				request: part.request,
				number,
				outcome: part.outcome,
				split,
				...(part.outcome === 'accepted' ? { token: part.token } : { message: part.message, status: httpStatusOf(part.error) }),
				...(part.outcome === 'refused' ? { recordLevel: part.recordLevel } : {}),
				...(part.outcome === 'refused' && outcome.requestWide ? { requestWide: true } : {}),
			});
			// A refusal split-retry could not isolate records in (a 401, a 403, ...) stops the run as a failure does.
			if (part.outcome === 'unknown' || part.outcome === 'notSent' || (part.outcome === 'refused' && !part.recordLevel)) {
				failure ??= { request, number, cause: part.error, headline: failedHeadline(number, audience, part) };
			}
		}
		if (failure) throw fail(failure, ledger.replaces(audience));
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
		if (ledger.halted.has(audience)) return;
		return await sendChanges(request, number);
	};

	const inFlight = Math.max(1, Math.floor(options.requestsInFlight ?? DEFAULT_REQUESTS_IN_FLIGHT));
	const sent = await mapInFlight(plan.requests, sendOne, {
		limit: () => (policy.pacer?.rateLimited ? 1 : inFlight),
		continueAfterFailure: this.continueOnFail(),
		stopLaunching: () => policy.signal?.aborted === true,
	});
	ledger.inPlanOrder();
	throwIfStopped(policy.signal);
	const unexpected = sent.outcomes.find((task) => task.status === 'rejected' && !failures.some((failure) => failure.cause === task.reason));
	if (unexpected?.status === 'rejected') throw asNodeError(this.getNode(), unexpected.reason);
	failures.sort((a, b) => a.number - b.number);
	if (failures.length > 0 && !this.continueOnFail()) throw stopError(this.getNode(), ledger, failures[0].cause, failures[0].headline);
	return this.continueOnFail() ? failedItems(ledger, failures) : [];
}

/**
 * Under "continue on fail": one error item per input item not accepted, with its outcome. Refused
 * records carry the API's refusal; the items of a failed request (unknown or not sent) carry the
 * failure's headline and what the audience holds; an audience that halted gives its first failure's
 * statement to every item it did not send.
 */
function failedItems(ledger: SyncLedger, failures: SendFailure[]): INodeExecutionData[] {
	// What an audience holds is the same for all its failures: stated once per audience.
	const holdings = new Map<string, string>();
	const holdingOf = (audience: string) => {
		let text = holdings.get(audience);
		if (text === undefined) {
			const unknown = ledger.unknown.some((entry) => entry.request.audience === audience);
			holdings.set(audience, (text = `${holding(ledger, audience)}.${unknown ? ` ${RUN_AGAIN_IS_SAFE}` : ''}`));
		}
		return text;
	};
	const statements = new Map<string, string>();
	for (const failure of failures) {
		const { audience } = failure.request;
		const statement = `${failure.headline.replace(/\.$/, '')}: ${holdingOf(audience)}`;
		statements.set(`${audience}#${failure.number}`, statement);
		if (!statements.has(audience)) statements.set(audience, statement);
	}
	const items: INodeExecutionData[] = [];
	for (const entry of ledger.entries) {
		if (entry.outcome === 'accepted') continue;
		const { audience } = entry.request;
		const message = entry.recordLevel ? refusedMessage(ledger, entry) : statements.get(`${audience}#${entry.number}`);
		for (const itemIndex of entry.request.itemIndexes) items.push(errorItem(message ?? '', itemIndex, entry.outcome));
	}
	for (const audience of ledger.halted) {
		const message = statements.get(audience) ?? '';
		for (const itemIndex of ledger.outcomesOf(audience).uncarried) items.push(errorItem(message, itemIndex, 'notSent'));
	}
	return items;
}
