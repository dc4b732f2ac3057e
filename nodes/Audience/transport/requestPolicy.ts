import { executionCancelSignal, waitFor } from './cancellation';

/**
 * How long and how often one request may be tried. The worst case of one request, all attempts and
 * waits included, is `budgetMs` (10 minutes by default): no attempt or wait runs past it. Every wait
 * ends within a second of the execution being stopped.
 */
export interface RequestPolicy {
	maxRetries: number;
	/** 0 = no pacing. Shared by every request of one execution through `pacer`. */
	pacer?: RequestPacer;
	/** Backoff: base * 2^attempt with jitter, capped. */
	baseDelayMs: number;
	maxDelayMs: number;
	/** One attempt's timeout. */
	attemptTimeoutMs: number;
	/** A longer Retry-After is shortened to this. */
	maxRetryAfterMs: number;
	/** Every attempt and wait of one request ends within this. */
	budgetMs: number;
	/** n8n's execution cancel signal: stops waits and requests in flight. */
	signal?: AbortSignal;
}

export const DEFAULT_POLICY: RequestPolicy = {
	maxRetries: 5,
	baseDelayMs: 500,
	maxDelayMs: 30_000,
	attemptTimeoutMs: 120_000,
	maxRetryAfterMs: 300_000,
	budgetMs: 600_000,
};

/** What a failed attempt tells about the request: never processed, or perhaps processed. */
export type FailureClass = 'notProcessed' | 'maybeProcessed' | 'final';

/** Network errors after which the request may be retried; only a refused connection proves nothing was processed. */
export const RETRYABLE_NETWORK_CODES = [
	'ECONNRESET',
	'ECONNREFUSED',
	'ECONNABORTED',
	'ETIMEDOUT',
	'ESOCKETTIMEDOUT',
	'EPIPE',
	'EAI_AGAIN',
	'ENETUNREACH',
	'EHOSTUNREACH',
];
const NOT_SENT_NETWORK_CODES = new Set(['ECONNREFUSED', 'EAI_AGAIN', 'ENETUNREACH', 'EHOSTUNREACH']);

/** 429 and refused connections were never processed; 5xx and cut connections may have been. */
export function classifyStatus(status: number): FailureClass {
	if (status === 429) return 'notProcessed';
	return status >= 500 ? 'maybeProcessed' : 'final';
}

export function classifyNetworkCode(code: string | undefined): FailureClass {
	if (!code || !RETRYABLE_NETWORK_CODES.includes(code)) return 'final';
	return NOT_SENT_NETWORK_CODES.has(code) ? 'notProcessed' : 'maybeProcessed';
}

/** Retry an idempotent request after any transient failure; a create only when it was provably not processed. */
export function mayRetry(failure: FailureClass, idempotent: boolean): boolean {
	return failure === 'notProcessed' || (idempotent && failure === 'maybeProcessed');
}

/** The policy of one run: the node's Max Retries and Requests per Second options, and n8n's cancel signal. */
export function requestPolicy(
	ctx: unknown,
	options: { maxRetries?: number; requestsPerSecond?: number } = {},
): RequestPolicy {
	const signal = executionCancelSignal(ctx);
	return {
		...DEFAULT_POLICY,
		maxRetries: options.maxRetries ?? DEFAULT_POLICY.maxRetries,
		pacer: new RequestPacer(options.requestsPerSecond ?? 0, signal),
		signal,
	};
}

/** Spaces requests evenly: at most `requestsPerSecond` per execution; remembers a 429. */
export class RequestPacer {
	private nextSlot = 0;
	/** Set by the first 429 of the run: from then on requests go one at a time. */
	rateLimited = false;

	constructor(
		private readonly requestsPerSecond: number,
		private readonly signal?: AbortSignal,
	) {}

	async wait(): Promise<void> {
		if (this.requestsPerSecond <= 0) return;
		const now = Date.now();
		const slot = Math.max(now, this.nextSlot);
		this.nextSlot = slot + 1000 / this.requestsPerSecond;
		if (slot > now) await waitFor(slot - now, this.signal);
	}
}

export function backoffDelay(attempt: number, policy: RequestPolicy): number {
	const ceiling = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** attempt);
	return Math.round(ceiling / 2 + (Math.random() * ceiling) / 2);
}

/** Retry-After in seconds or as an HTTP date, capped; undefined when absent or unreadable. */
export function retryAfterDelay(header: unknown, policy: RequestPolicy = DEFAULT_POLICY): number | undefined {
	const value = Array.isArray(header) ? header[0] : header;
	if (value === undefined || value === null || value === '') return undefined;
	const seconds = Number(value);
	const delay = Number.isFinite(seconds) ? seconds * 1000 : Date.parse(String(value)) - Date.now();
	if (!Number.isFinite(delay)) return undefined;
	return Math.min(Math.max(delay, 0), policy.maxRetryAfterMs);
}
