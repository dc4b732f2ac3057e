import { halveRequest, type PlannedRequest } from '../../engine';

/**
 * A chunk the API refuses as a whole (400 or 422) because of a few bad records is bisected: both
 * halves are resent, and so on until each refused record stands alone. For k refused records in a
 * chunk of n ids this costs at most 2·k·⌈log2 n⌉ extra requests, and never more than
 * MAX_EXTRA_REQUESTS_PER_CHUNK: past that, the parts still refused are reported as they are.
 */
export const MAX_EXTRA_REQUESTS_PER_CHUNK = 200;

export interface SplitOutcome {
	accepted: Array<{ request: PlannedRequest; token: string }>;
	/** Parts the API refused, each with its message: single records, or larger parts once the cap was reached. */
	rejected: Array<{ request: PlannedRequest; message: string }>;
	/** Parts not sent because a part failed for another reason (e.g. 503 after the retries). */
	notSent: { requests: PlannedRequest[]; error: Error } | undefined;
	extraRequests: number;
}

/** 400 and 422 refuse the records; anything else (429, 5xx, network) is not about them. */
export function isRecordRejection(error: unknown): boolean {
	const code = (error as { httpCode?: unknown } | undefined)?.httpCode;
	return code === '400' || code === '422';
}

/**
 * Sends `request`; when it is refused as a whole, bisects it (see above). When both halves of a part
 * are refused with the very message of the part, the API refuses the request itself (e.g. an unknown
 * audience), not a record: that part is reported as it is. The first failure of the whole request
 * that is not a refusal is thrown, as without split-retry.
 */
export async function sendWithSplitRetry(
	request: PlannedRequest,
	send: (part: PlannedRequest) => Promise<string>,
	idOfItem: (itemIndex: number) => string | undefined,
): Promise<SplitOutcome> {
	const outcome: SplitOutcome = { accepted: [], rejected: [], notSent: undefined, extraRequests: 0 };

	/** The refusal message, or undefined once the part is accepted or set aside as not sent. */
	const attempt = async (part: PlannedRequest): Promise<string | undefined> => {
		if (outcome.notSent) {
			outcome.notSent.requests.push(part);
			return undefined;
		}
		try {
			outcome.accepted.push({ request: part, token: await send(part) });
			return undefined;
		} catch (error) {
			if (isRecordRejection(error)) return (error as Error).message;
			outcome.notSent = { requests: [part], error: error as Error };
			return undefined;
		}
	};

	const isolate = async (part: PlannedRequest, message: string): Promise<void> => {
		if (outcome.notSent) {
			outcome.notSent.requests.push(part);
			return;
		}
		const capped = outcome.extraRequests + 2 > MAX_EXTRA_REQUESTS_PER_CHUNK;
		if (part.members.length === 1 || capped) {
			const note = part.members.length > 1 ? ` (not split further: at most ${MAX_EXTRA_REQUESTS_PER_CHUNK} extra requests per chunk)` : '';
			outcome.rejected.push({ request: part, message: `${message}${note}` });
			return;
		}
		const halves = halveRequest(part, idOfItem);
		outcome.extraRequests += 2;
		const messages: Array<string | undefined> = [];
		for (const half of halves) messages.push(await attempt(half));
		if (messages.every((refusal) => refusal === message)) {
			outcome.rejected.push({ request: part, message });
			return;
		}
		for (const [k, half] of halves.entries()) {
			const refusal = messages[k];
			if (refusal !== undefined) await isolate(half, refusal);
		}
	};

	const refusal = await attempt(request);
	if (refusal !== undefined) await isolate(request, refusal);
	return outcome;
}
