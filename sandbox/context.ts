import type { IncomingMessage, ServerResponse } from 'node:http';
import { performance } from 'node:perf_hooks';
import { malformed } from './errors';
import { redactSecrets } from './credentials';
import { RawBody, readBody, readJsonObject, RequestTarget, sendBody, sendJsonText } from './http';
import { findUnknownField } from './json';
import type { RequestLog, RequestLogDraft } from './requestLog';
import type { SandboxState } from './state';

/** One request to a fake API: its target, the state it acts on, and the single reply it gets (logged). */
export class RequestContext {
	/** Entries in `ids[]` or rows of the uploaded file, for the request log. */
	idsCount = 0;
	private replied = false;
	private replyDropped = false;
	private successBodyReplacement: RawBody | undefined;
	private readonly startedAt = performance.now();

	constructor(
		readonly req: IncomingMessage,
		readonly res: ServerResponse,
		readonly target: RequestTarget,
		readonly state: SandboxState,
		private readonly log: RequestLog,
		private readonly logDraft: RequestLogDraft,
		/** Called once, just before the reply goes out. */
		private readonly onReply: () => void = () => undefined,
	) {}

	get hasReplied(): boolean {
		return this.replied;
	}

	header(name: string): string | undefined {
		const value = this.req.headers[name.toLowerCase()];
		return Array.isArray(value) ? value[0] : value;
	}

	readBody(): Promise<Buffer> {
		return readBody(this.req);
	}

	/** A JSON object body whose fields are all in `allowedFields`. */
	async readJsonBody(allowedFields: readonly string[]): Promise<Record<string, unknown>> {
		const body = await readJsonObject(this.req);
		if (Array.isArray(body.ids)) this.idsCount = body.ids.length;
		const unknownField = findUnknownField(body, allowedFields);
		if (unknownField) throw malformed(`unknown field "${unknownField}"`);
		return body;
	}

	/** The request is still processed, but its reply is replaced by a closed connection (logged as status 0). */
	dropReply(): void {
		this.replyDropped = true;
	}

	/**
	 * The request is still processed, and a success (2xx) reply keeps its status and headers but carries
	 * this body instead (logged with its real status). An error reply is sent as it is.
	 */
	replaceSuccessBody(body: RawBody): void {
		this.successBodyReplacement = body;
	}

	reply(status: number, body: unknown, headers: Record<string, string> = {}): void {
		if (this.replyDropped) return this.closeWithoutReply();
		if (!this.markReplied(status)) return;
		if (this.successBodyReplacement && status >= 200 && status < 300) {
			return sendBody(this.res, status, this.successBodyReplacement, headers);
		}
		const text = JSON.stringify(body);
		// Error messages may echo client input, which could hold a sandbox secret.
		sendJsonText(this.res, status, status >= 400 ? redactSecrets(text) : text, headers);
	}

	/** Closes the connection without any reply (a `reset` fault, or the client is gone); logged as status 0. */
	closeWithoutReply(): void {
		if (!this.markReplied(0)) return;
		this.req.socket.destroy();
	}

	// The log entry is written (and the request counted out) before the reply, so a client that has
	// the reply also finds it in the log, and its next request never counts this one as in flight.
	private markReplied(status: number): boolean {
		if (this.replied) return false;
		this.replied = true;
		const durationMs = Math.round((performance.now() - this.startedAt) * 10) / 10;
		this.log.record({ ...this.logDraft, status, ids: this.idsCount, durationMs });
		this.onReply();
		return true;
	}
}
