import { NodeApiError, NodeOperationError } from 'n8n-workflow';
import { failureOf } from '../../transport/request';

/**
 * A create is never retried once the server may have processed it (5xx, reset, timeout): the node
 * looks the audience up instead, so one run never creates two audiences and never reports a created
 * audience as failed. An audience counts as created by this run when its creation time is at most
 * this much before the run's request (clocks of n8n and the API may differ a little).
 */
export const CLOCK_TOLERANCE_MS = 120_000;

export function mayHaveBeenCreated(error: unknown): boolean {
	return failureOf(error) === 'maybeProcessed';
}

export function createdSince(created: string | undefined, startedAt: number): boolean {
	const time = Date.parse(String(created ?? ''));
	return Number.isFinite(time) && time >= startedAt - CLOCK_TOLERANCE_MS;
}

/** The create's own error, saying what the look-up found. */
export function notCreated(error: unknown, found: string): unknown {
	if (error instanceof NodeApiError || error instanceof NodeOperationError) {
		error.description = [error.description, `The response was lost, so the node looked the audience up: ${found}`].filter(Boolean).join('\n');
	}
	return error;
}
