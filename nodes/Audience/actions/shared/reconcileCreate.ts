import { NodeApiError, NodeOperationError } from 'n8n-workflow';
import { cutText } from '../../engine';
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

/**
 * The create's own error, saying what the look-up found. `created` false: the look-up proved this
 * run created nothing, so the outcome is settled (refused: nothing was applied).
 */
export function notCreated(error: unknown, found: string, created = false): unknown {
	if (error instanceof NodeApiError || error instanceof NodeOperationError) {
		error.message = `${error.message.replace(/\.$/, '')}. The answer was lost, so the node looked the audience up: ${found}`;
		if (!created) Object.assign(error, { requestOutcome: 'refused' });
	}
	return error;
}

/**
 * The create's own error when the look-up failed too: whether the audience exists is not known, so
 * the user is told to check before running again (a second run may create a second audience).
 */
export function createOutcomeUnknown(error: unknown, name: string, platform: string, lookupError: unknown): unknown {
	if (error instanceof NodeApiError || error instanceof NodeOperationError) {
		const lookup = cutText(String((lookupError as Error)?.message ?? lookupError));
		error.message = `It is not known whether the ${platform} audience "${name}" was created: the answer to the create was lost, and looking it up failed too (${lookup}). Check whether it exists before running again: running again may create it a second time.`;
		error.description = [error.description, `Check in ${platform} whether "${name}" exists, e.g. with the Get Many operation.`].filter(Boolean).join('\n');
		Object.assign(error, { requestOutcome: 'unknown' });
	}
	return error;
}
