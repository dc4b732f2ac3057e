import type { IExecuteFunctions, IPollFunctions } from 'n8n-workflow';
import { NodeOperationError, sleep } from 'n8n-workflow';

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
}

export function waitOptionsFrom(options: { waitTimeout?: number; pollInterval?: number }): WaitOptions {
	return {
		timeoutMs: (options.waitTimeout ?? 300) * 1000,
		pollIntervalMs: (options.pollInterval ?? 2) * 1000,
	};
}

/** Asks `view` until the token is done; a timeout is an error naming the token and its last state. */
export async function waitUntilIndexed(
	this: IExecuteFunctions | IPollFunctions,
	view: () => Promise<IndexingView>,
	target: { audience: string; token: string; itemIndex?: number },
	wait: WaitOptions,
): Promise<IndexingView> {
	const deadline = Date.now() + wait.timeoutMs;
	for (;;) {
		const current = await view();
		if (isIndexingDone(current.indexing_state)) return current;
		if (Date.now() + wait.pollIntervalMs > deadline) {
			throw new NodeOperationError(
				this.getNode(),
				`Indexing of token ${target.token} (audience "${target.audience}") is still ${current.indexing_state ?? 'unknown'} after ${Math.round(wait.timeoutMs / 1000)} s`,
				{
					itemIndex: target.itemIndex,
					description:
						'The write was accepted and will still be applied. Raise "Wait Timeout", or check later with Check Indexing.',
				},
			);
		}
		await sleep(wait.pollIntervalMs);
	}
}
