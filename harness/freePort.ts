import { createServer } from 'net';

/** Ports this process handed out already: the system may offer a port again once it is closed. */
const handedOut = new Set<number>();

/** A TCP port free on 127.0.0.1 right now, never one this process handed out before. */
export async function freePort(): Promise<number> {
	for (;;) {
		const port = await new Promise<number>((resolvePromise, reject) => {
			const server = createServer();
			server.once('error', reject);
			server.listen(0, '127.0.0.1', () => {
				const address = server.address();
				server.close(() => (typeof address === 'object' && address ? resolvePromise(address.port) : reject(new Error('no port'))));
			});
		});
		if (handedOut.has(port)) continue;
		handedOut.add(port);
		return port;
	}
}
