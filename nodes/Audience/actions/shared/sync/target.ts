import type { IExecuteFunctions } from 'n8n-workflow';
import type { PlannedRequest } from '../../../engine';
import type { RequestPolicy } from '../../../transport/requestPolicy';
import type { IndexingView } from '../indexing';
import type { OutputMode } from './output';

/** What Update and Replace need from a platform (Batch 2.x or the legacy Custom Audience API). */
export interface MemberSyncTarget {
	platform: string;
	/** The n8n credential type the platform's requests use. */
	credentialType: string;
	/** Label of the member ID field, named when an item has no ID. */
	idField: string;
	withTags: boolean;
	/** The indexing token, or undefined when the API's 2xx answer carried none. */
	send(this: IExecuteFunctions, request: PlannedRequest, policy: RequestPolicy): Promise<string | undefined>;
	view(this: IExecuteFunctions, audience: string, token: string | undefined, policy: RequestPolicy): Promise<IndexingView>;
	/** Current size of an audience for the shrink guard; 0 when it does not exist yet. */
	currentSize(this: IExecuteFunctions, audience: string, policy: RequestPolicy): Promise<number>;
}

export interface SyncOptions {
	batchSize?: number;
	dryRun?: boolean;
	outputMode?: OutputMode;
	waitForIndexing?: boolean;
	waitTimeout?: number;
	pollInterval?: number;
	replaceApplyTimeout?: number;
	requestsPerSecond?: number;
	maxRetries?: number;
	allowEmpty?: boolean;
	minimumShare?: number;
	requestsInFlight?: number;
	resetChangeTracking?: boolean;
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

/** The token of a write's 2xx answer, whatever its body: `null`, empty, HTML or `{}` carry none. */
export function indexingTokenOf(body: unknown): string | undefined {
	const token = (body as { indexing_token?: unknown } | null | undefined)?.indexing_token;
	return typeof token === 'string' && token !== '' ? token : undefined;
}
