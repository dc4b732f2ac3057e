import http from 'node:http';
import type { AddressInfo } from 'node:net';

export interface ReceivedRequest {
	method: string;
	/** Path without the query string, as sent (still percent-encoded). */
	path: string;
	/** The raw query string without `?`, '' when none. */
	query: string;
	headers: http.IncomingHttpHeaders;
	/** Address family the request came in on. */
	family: string;
}

export interface LoopbackServer {
	/** `http://127.0.0.1:PORT` */
	url: string;
	port: number;
	received: ReceivedRequest[];
	close(): Promise<void>;
}

/** Answers one request; without one, the server answers 200 with a small JSON body. */
export type Responder = (request: ReceivedRequest, response: http.ServerResponse) => void;

/**
 * A plain HTTP server on a loopback address that records every request and answers it with
 * `respond`, or else 200 with a small JSON body (`answer`, given the request). `host` is 127.0.0.1
 * unless given (e.g. `::1`); `port` 0 = a free one.
 */
export async function startLoopbackServer({
	host = '127.0.0.1',
	port = 0,
	received = [],
	respond,
	answer = () => ({ audiences: [], has_more: false }),
}: {
	host?: string;
	port?: number;
	received?: ReceivedRequest[];
	respond?: Responder;
	answer?: (request: ReceivedRequest) => unknown;
} = {}): Promise<LoopbackServer> {
	const server = http.createServer((request, response) => {
		const [path, query = ''] = (request.url ?? '').split(/\?(.*)/s);
		const entry: ReceivedRequest = { method: request.method ?? '', path, query, headers: request.headers, family: request.socket.remoteFamily ?? '' };
		received.push(entry);
		request.resume();
		if (respond) return respond(entry, response);
		response.writeHead(200, { 'Content-Type': 'application/json' });
		response.end(JSON.stringify(answer(entry)));
	});
	await new Promise<void>((resolve, reject) => {
		server.once('error', reject);
		server.listen(port, host, () => resolve());
	});
	const { port: actualPort } = server.address() as AddressInfo;
	const urlHost = host.includes(':') ? `[${host}]` : host;
	return {
		url: `http://${urlHost}:${actualPort}`,
		port: actualPort,
		received,
		close: () =>
			new Promise<void>((resolve) => {
				server.close(() => resolve());
				server.closeAllConnections();
			}),
	};
}
