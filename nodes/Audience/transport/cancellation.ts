import type { IExecuteFunctions } from 'n8n-workflow';
import { ExecutionBaseError, sleep } from 'n8n-workflow';

/**
 * Stopping an execution: every wait of the node (backoff, Retry-After, pacing, indexing polls) ends
 * within a second of n8n's cancel signal, and the run ends as canceled, never as a failure.
 */
const WAIT_SLICE_MS = 1000;

/**
 * Waits `ms`, ending within a second once `signal` aborts (in slices, so it also holds where n8n's
 * sleep ignores the signal). Throws `ExecutionStopped` when stopped.
 */
export async function waitFor(ms: number, signal: AbortSignal | undefined): Promise<void> {
	const end = Date.now() + ms;
	for (let left = ms; left > 0; left = end - Date.now()) {
		throwIfStopped(signal);
		try {
			await sleep(Math.min(left, WAIT_SLICE_MS), signal);
		} catch {
			// n8n's sleep rejects when the signal aborts.
		}
	}
	throwIfStopped(signal);
}

/**
 * The execution was stopped by the user (or its timeout): nothing more is sent or waited for. Its
 * name and message are the ones n8n recognises as a cancellation, so the run ends as canceled.
 */
export class ExecutionStopped extends ExecutionBaseError {
	constructor() {
		super('The execution was canceled while the node was waiting');
		this.name = 'ExecutionCancelledError';
	}
}

export function throwIfStopped(signal: AbortSignal | undefined): void {
	if (signal?.aborted) throw new ExecutionStopped();
}

/** True for the error of a stopped execution, which no "continue on fail" turns into an item. */
export function isStopped(error: unknown, signal: AbortSignal | undefined): boolean {
	return error instanceof ExecutionStopped || Boolean(signal?.aborted);
}

/** `getExecutionCancelSignal` exists on execute contexts of recent n8n versions; elsewhere there is none. */
export function executionCancelSignal(ctx: unknown): AbortSignal | undefined {
	const get = (ctx as Partial<Pick<IExecuteFunctions, 'getExecutionCancelSignal'>>)?.getExecutionCancelSignal;
	return typeof get === 'function' ? get.call(ctx) : undefined;
}
