import type { IncomingHttpHeaders } from 'node:http';
import { MASK, secretMasker } from '../nodes/Audience/engine/secrets';
import type { ApiName } from './apiModule';
import { SANDBOX_SECRETS } from './credentials';
import type { RequestTarget } from './http';

export interface RequestLogEntry {
	seq: number;
	/** When the request arrived, ISO-8601 UTC. */
	time: string;
	api: ApiName;
	method: string;
	/** Path and query string; every credential shows as `***`. */
	path: string;
	route: string;
	/** 0 when the connection was reset without a response. */
	status: number;
	/** Entries in `ids[]`, or data rows of an uploaded file; 0 otherwise. */
	ids: number;
	fault?: string;
	/** API requests the sandbox was handling when this one arrived, itself included. */
	inFlight: number;
	durationMs: number;
}

export type RequestLogDraft = Omit<RequestLogEntry, 'status' | 'ids' | 'durationMs'>;

export class RequestLog {
	private entries: RequestLogEntry[] = [];
	private lastSeq = 0;

	/** Numbers requests in arrival order; entries are recorded when their reply is sent. */
	nextSeq(): number {
		return ++this.lastSeq;
	}

	record(entry: RequestLogEntry): void {
		this.entries.push(entry);
	}

	/** A copy, in arrival order. */
	list(): RequestLogEntry[] {
		return [...this.entries].sort((a, b) => a.seq - b.seq);
	}

	clear(): void {
		this.entries = [];
		this.lastSeq = 0;
	}
}

/**
 * The request target as logged, masked by value: the sandbox's keys, the credentials the client
 * sent in its headers and the app key of a legacy path (the segment before `custom-audience`,
 * wherever the path starts), in every form and wherever they appear.
 */
export function pathForLog(target: RequestTarget, headers: IncomingHttpHeaders): string {
	const appKeySegments = target.segments.filter((_, k) => target.segments[k + 1] === 'custom-audience');
	const sent = [headers.authorization, headers['x-batch-project'], headers['x-authorization']]
		.flatMap((value) => (Array.isArray(value) ? value : [value]))
		.filter((value): value is string => typeof value === 'string')
		.flatMap((value) => [value, value.replace(/^Bearer\s+/i, '')]);
	const mask = secretMasker([...SANDBOX_SECRETS, ...appKeySegments, ...appKeySegments.map(decoded), ...sent]);
	// The app key segment goes whatever its length; the masker skips values too short to mask safely.
	const [path, query] = splitQuery(target.raw);
	const maskedPath = path
		.split('/')
		.map((segment, k, segments) => (segments[k + 1] === 'custom-audience' && segment !== '' ? MASK : segment))
		.join('/');
	return mask(query === undefined ? maskedPath : `${maskedPath}?${query}`);
}

function splitQuery(raw: string): [string, string | undefined] {
	const start = raw.indexOf('?');
	return start === -1 ? [raw, undefined] : [raw.slice(0, start), raw.slice(start + 1)];
}

function decoded(segment: string): string {
	try {
		return decodeURIComponent(segment);
	} catch {
		return segment;
	}
}
