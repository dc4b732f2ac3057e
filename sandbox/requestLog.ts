import type { ApiName } from './apiModule';
import { redactSecrets } from './credentials';

export interface RequestLogEntry {
	seq: number;
	/** When the request arrived, ISO-8601 UTC. */
	time: string;
	api: ApiName;
	method: string;
	/** Path and query string; the app key of legacy paths shows as `***`. */
	path: string;
	route: string;
	/** 0 when the connection was reset without a response. */
	status: number;
	/** Entries in `ids[]`, or data rows of an uploaded file; 0 otherwise. */
	ids: number;
	fault?: string;
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

/** The request target as logged: no secret ever appears, whatever the client put in the path. */
export function pathForLog(api: ApiName, rawTarget: string): string {
	const masked = api === 'customAudience' ? rawTarget.replace(/^(\/[^/?]*\/)[^/?]*/, '$1***') : rawTarget;
	return redactSecrets(masked);
}
