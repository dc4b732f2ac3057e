import type { IncomingMessage, ServerResponse } from 'node:http';
import { InvalidRequestError, malformed } from './errors';
import { isPlainObject } from './json';

/** Bodies above this are refused with a 400 (a 10,000-id update with 15 attributes each is ~15 MB). */
export const MAX_BODY_BYTES = 50 * 1024 * 1024;

export interface RequestTarget {
	/** Path and query string exactly as received. */
	raw: string;
	/** Path segments, still percent-encoded. */
	segments: string[];
	query: URLSearchParams;
}

/** Splits the request target by hand: `new URL()` would read `//host/x` as a host. */
export function parseTarget(raw = '/'): RequestTarget {
	const queryStart = raw.indexOf('?');
	const path = queryStart === -1 ? raw : raw.slice(0, queryStart);
	return {
		raw,
		segments: path.split('/').slice(1),
		query: new URLSearchParams(queryStart === -1 ? '' : raw.slice(queryStart + 1)),
	};
}

export function decodePathSegment(segment: string, field: string): string {
	try {
		return decodeURIComponent(segment);
	} catch {
		throw malformed(`${field}: invalid percent-encoding in the path`);
	}
}

/** The client closed the connection before sending its whole request. */
export class ClientGoneError extends Error {
	constructor() {
		super('the client closed the connection');
		this.name = 'ClientGoneError';
	}
}

/** Reads the whole body. A body over the limit is drained (so the client can read the reply) and refused. */
export function readBody(req: IncomingMessage, limitBytes = MAX_BODY_BYTES): Promise<Buffer> {
	return new Promise((resolve, reject) => {
		const chunks: Buffer[] = [];
		let size = 0;
		req.on('data', (chunk: Buffer) => {
			size += chunk.length;
			if (size <= limitBytes) chunks.push(chunk);
		});
		req.on('end', () => {
			if (size > limitBytes) reject(malformed(`the request body is larger than ${limitBytes / 1024 / 1024} MB`));
			else resolve(Buffer.concat(chunks, size));
		});
		req.on('error', () => reject(new ClientGoneError()));
		req.on('close', () => {
			if (!req.complete) reject(new ClientGoneError());
		});
	});
}

export function mediaType(contentType: string | undefined): string {
	return (contentType ?? '').split(';')[0].trim().toLowerCase();
}

/** Parses a JSON object body sent as `application/json`. */
export async function readJsonObject(req: IncomingMessage): Promise<Record<string, unknown>> {
	const body = await readBody(req);
	if (mediaType(req.headers['content-type']) !== 'application/json') {
		throw new InvalidRequestError('MALFORMED_JSON_BODY', 'Content-Type must be application/json');
	}
	return parseJsonObject(body);
}

export function parseJsonObject(body: Buffer): Record<string, unknown> {
	let parsed: unknown;
	try {
		parsed = JSON.parse(body.toString('utf8'));
	} catch {
		throw new InvalidRequestError('MALFORMED_JSON_BODY', 'the body is not valid JSON');
	}
	if (!isPlainObject(parsed)) throw new InvalidRequestError('MALFORMED_JSON_BODY', 'the body must be a JSON object');
	return parsed;
}

export function sendJson(
	res: ServerResponse,
	status: number,
	body: unknown,
	headers: Record<string, string> = {},
): void {
	sendJsonText(res, status, JSON.stringify(body), headers);
}

export function sendJsonText(
	res: ServerResponse,
	status: number,
	text: string,
	headers: Record<string, string> = {},
): void {
	sendBody(res, status, { contentType: JSON_CONTENT_TYPE, text }, headers);
}

export const JSON_CONTENT_TYPE = 'application/json; charset=utf-8';

/** A reply body as sent: its text and Content-Type. */
export interface RawBody {
	contentType: string;
	text: string;
}

export function sendBody(res: ServerResponse, status: number, body: RawBody, headers: Record<string, string> = {}): void {
	if (res.headersSent || res.destroyed) return;
	res.writeHead(status, {
		...headers,
		'Content-Type': body.contentType,
		'Content-Length': String(Buffer.byteLength(body.text)),
	});
	res.end(body.text);
}
