import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import { SANDBOX_CREDENTIALS } from './credentials';
import type { FaultConfig } from './faults';
import type { RequestLogEntry } from './requestLog';
import { SandboxConfig, SandboxOptions, SandboxRuntime } from './runtime';
import { createSandboxServer } from './server';
import type { SandboxStateSnapshot } from './state';

export { SANDBOX_CREDENTIALS } from './credentials';
export type { FaultConfig, FaultKind, FaultRule } from './faults';
export type { RequestLogEntry } from './requestLog';
export type { SandboxConfig, SandboxOptions } from './runtime';
export type { SandboxStateSnapshot } from './state';
export type { ApiName } from './apiModule';

/** The sandbox is reachable on loopback only. */
export const SANDBOX_HOST = '127.0.0.1';

export interface Sandbox {
	/** `http://127.0.0.1:PORT`, the base URL of all three APIs. */
	url: string;
	credentials: typeof SANDBOX_CREDENTIALS;
	state(): SandboxStateSnapshot;
	requests(): RequestLogEntry[];
	/** Seed data back, request log and faults cleared, pending indexing dropped. */
	reset(): void;
	/** Replaces the fault rules and restarts the fault PRNG. Throws on an invalid config. */
	setFaults(config: FaultConfig): void;
	/** For writes accepted from now on. */
	setIndexingDelay(ms: number): void;
	/** Any of: indexing delay, the word pending Batch tokens report, `rejectIds`, `rejectIdsMessage`. Throws on an invalid config. */
	configure(config: SandboxConfig): void;
	/** Resolves when no write is waiting to be indexed. */
	whenIdle(): Promise<void>;
	stop(): Promise<void>;
}

/** Starts a sandbox on 127.0.0.1 (a random port unless `port` is given). */
export async function startSandbox(options: SandboxOptions = {}): Promise<Sandbox> {
	const port = options.port ?? 0;
	if (!(Number.isInteger(port) && port >= 0 && port <= 65535)) throw new Error('port must be an integer from 0 to 65535');
	const runtime = new SandboxRuntime(options);
	const server = createSandboxServer(runtime);
	await listen(server, port);
	let stopped: Promise<void> | undefined;
	return {
		url: `http://${SANDBOX_HOST}:${(server.address() as AddressInfo).port}`,
		credentials: SANDBOX_CREDENTIALS,
		state: () => runtime.state.snapshot(),
		requests: () => runtime.log.list(),
		reset: () => runtime.reset(),
		setFaults: (config) => runtime.setFaults(config),
		setIndexingDelay: (ms) => runtime.configure({ indexingDelayMs: ms }),
		configure: (config) => runtime.configure(config),
		whenIdle: () => runtime.state.indexing.whenIdle(),
		stop: () => (stopped ??= close(server, runtime)),
	};
}

function listen(server: Server, port: number): Promise<void> {
	return new Promise((resolve, reject) => {
		server.once('error', reject);
		server.listen(port, SANDBOX_HOST, () => {
			server.off('error', reject);
			resolve();
		});
	});
}

function close(server: Server, runtime: SandboxRuntime): Promise<void> {
	runtime.state.indexing.cancelAll();
	return new Promise((resolve) => {
		server.close(() => resolve());
		server.closeAllConnections();
	});
}
