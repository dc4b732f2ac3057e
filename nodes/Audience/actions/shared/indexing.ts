import type { IExecuteFunctions, IPollFunctions } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';
import { waitFor } from '../../transport/cancellation';
import { asNodeError } from './nodeError';

/** `APPLIED` and `REPLACED` mean done; `IN_PROGRESS`, `IN_PROCESS` and anything else mean pending. */
export function isIndexingDone(state: unknown): boolean {
	return state === 'APPLIED' || state === 'REPLACED';
}

export interface IndexingView {
	indexing_state?: string;
	nb_ids?: number;
	updated?: string;
}

export interface WaitOptions {
	timeoutMs: number;
	pollIntervalMs: number;
	/** n8n's execution cancel signal: a stopped execution stops waiting within a second. */
	signal?: AbortSignal;
}

export function waitOptionsFrom(
	options: { waitTimeout?: number; pollInterval?: number },
	signal?: AbortSignal,
): WaitOptions {
	return {
		timeoutMs: (options.waitTimeout ?? 300) * 1000,
		pollIntervalMs: (options.pollInterval ?? 2) * 1000,
		signal,
	};
}

/** A token still pending when the wait ended; `last` is its last known view. */
export class IndexingTimeout extends NodeOperationError {
	constructor(
		ctx: IExecuteFunctions | IPollFunctions,
		readonly token: string,
		readonly audience: string,
		readonly last: IndexingView,
		readonly timeoutMs: number,
		itemIndex?: number,
	) {
		super(
			ctx.getNode(),
			`Indexing of token ${token} (audience "${audience}") is still ${last.indexing_state ?? 'unknown'} after ${Math.round(timeoutMs / 1000)} s`,
			{
				itemIndex,
				description: 'The write was accepted and will still be applied. Raise "Wait Timeout", or check later with Check Indexing.',
			},
		);
	}
}

/** Asks `view` until the token is done; a timeout throws IndexingTimeout with the last state. */
export async function waitUntilIndexed(
	this: IExecuteFunctions | IPollFunctions,
	view: () => Promise<IndexingView>,
	target: { audience: string; token: string; itemIndex?: number },
	wait: WaitOptions,
): Promise<IndexingView> {
	const [result] = await waitUntilAllIndexed.call(this, [{ ...target, view }], wait);
	if (result.error) throw result.error;
	return result.last as IndexingView;
}

export interface IndexingWait {
	audience: string;
	token: string;
	itemIndex?: number;
	view: () => Promise<IndexingView>;
}

export interface IndexingResult {
	/** The last view, also when the wait ended before the token was done. */
	last?: IndexingView;
	/** IndexingTimeout, or the error of a view that failed after its retries. */
	error?: Error;
}

/**
 * Waits for several tokens against ONE deadline (not one per token), asking each pending token
 * once per poll interval; every token ends with its last known state.
 */
export async function waitUntilAllIndexed(
	this: IExecuteFunctions | IPollFunctions,
	waits: IndexingWait[],
	wait: WaitOptions,
): Promise<IndexingResult[]> {
	const deadline = Date.now() + wait.timeoutMs;
	const results: IndexingResult[] = waits.map(() => ({}));
	let pending = waits.map((_, index) => index);
	for (;;) {
		const stillPending: number[] = [];
		for (const index of pending) {
			try {
				results[index].last = await waits[index].view();
				if (!isIndexingDone(results[index].last?.indexing_state)) stillPending.push(index);
			} catch (error) {
				if (wait.signal?.aborted) throw asNodeError(this.getNode(), error);
				results[index].error = error as Error;
			}
		}
		pending = stillPending;
		if (pending.length === 0) return results;
		if (Date.now() + wait.pollIntervalMs >= deadline) {
			for (const index of pending) {
				const { audience, token, itemIndex } = waits[index];
				results[index].error = new IndexingTimeout(this, token, audience, results[index].last ?? {}, wait.timeoutMs, itemIndex);
			}
			return results;
		}
		await waitFor(wait.pollIntervalMs, wait.signal);
	}
}
