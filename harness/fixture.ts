import { startSandbox, type Sandbox } from '../sandbox';
import { type Credential, LocalN8n, type WorkflowJson } from './n8n';
import { sandboxCredentials } from './workflows';

/** One sandbox (in this process) and one real n8n (a child process) with the sandbox credentials. */
export interface E2eFixture {
	sandbox: Sandbox;
	n8n: LocalN8n;
}

export async function startE2e(workflows: WorkflowJson[], indexingDelayMs = 100): Promise<E2eFixture> {
	const sandbox = await startSandbox({ port: 0, indexingDelayMs });
	const n8n = new LocalN8n();
	await n8n.importCredentials(sandboxCredentials(sandbox.url));
	await n8n.importWorkflows(workflows);
	return { sandbox, n8n };
}

export async function stopE2e(fixture: E2eFixture | undefined): Promise<void> {
	fixture?.n8n.dispose();
	await fixture?.sandbox.stop();
}

/** A served n8n's workflows, those of them published, and what else it needs. */
export interface ServedSetup {
	workflows: WorkflowJson[];
	/** Ids of the workflows to publish (active): polling triggers and error workflows run only then. */
	publish: string[];
	/** Credentials to import besides the sandbox's. */
	credentials?: Credential[];
	/** Runs on the sandbox before n8n starts, e.g. to create the audiences a trigger's baseline holds. */
	prepare?: (sandbox: Sandbox) => Promise<void>;
	indexingDelayMs?: number;
}

/**
 * `startE2e` for what `n8n execute` cannot run: the workflows imported (with the sandbox credentials
 * and `credentials`), the `publish` ones published, and n8n served by `n8n start`. What started is
 * stopped again when a step fails. Stop it with `stopServedE2e`.
 */
export async function startServedE2e({ workflows, publish, credentials = [], prepare, indexingDelayMs = 200 }: ServedSetup): Promise<E2eFixture> {
	const sandbox = await startSandbox({ port: 0, indexingDelayMs });
	let n8n: LocalN8n | undefined;
	try {
		await prepare?.(sandbox);
		n8n = new LocalN8n();
		await n8n.importCredentials([...sandboxCredentials(sandbox.url), ...credentials]);
		await n8n.importWorkflows(workflows);
		for (const id of publish) await n8n.publish(id);
		await n8n.start();
		return { sandbox, n8n };
	} catch (error) {
		await n8n?.stop();
		n8n?.dispose();
		await sandbox.stop();
		throw error;
	}
}

export async function stopServedE2e(fixture: E2eFixture | undefined): Promise<void> {
	await fixture?.n8n.stop();
	await stopE2e(fixture);
}

/**
 * The fixture of one test file: started before its tests (n8n imports take a while), stopped after
 * them, its sandbox reset (then `onReset`) before each test. Read `sandbox` and `n8n` inside tests.
 */
export function useE2e(workflows: WorkflowJson[], onReset?: (sandbox: Sandbox) => void): E2eFixture {
	let fixture: E2eFixture | undefined;
	const started = () => {
		if (!fixture) throw new Error('the e2e fixture is read before it started');
		return fixture;
	};
	beforeAll(async () => {
		fixture = await startE2e(workflows);
	}, 20 * 60_000);
	afterAll(async () => await stopE2e(fixture));
	beforeEach(() => {
		started().sandbox.reset();
		onReset?.(started().sandbox);
	});
	return {
		get sandbox() {
			return started().sandbox;
		},
		get n8n() {
			return started().n8n;
		},
	};
}

/**
 * fetch, tried once more when a kept-alive connection was closed by the sandbox just as it was
 * reused (its idle timeout can end during a long run); such a request never reached the sandbox.
 */
async function sandboxFetch(url: string, init: RequestInit): Promise<Response> {
	try {
		return await fetch(url, init);
	} catch (error) {
		if ((error as { cause?: { code?: string } }).cause?.code !== 'ECONNRESET') throw error;
		return await fetch(url, init);
	}
}

/** Plain HTTP to the sandbox's Batch API, to prepare audiences the way another client would. */
export async function batchCall(sandbox: Sandbox, route: string, body: unknown): Promise<any> {
	const response = await sandboxFetch(`${sandbox.url}/2.11/audiences/${route}`, {
		method: 'POST',
		headers: {
			Authorization: 'Bearer sandbox-rest-key',
			'X-Batch-Project': 'project_sandbox',
			'Content-Type': 'application/json',
		},
		body: JSON.stringify(body),
	});
	const json = await response.json();
	if (response.status >= 300) throw new Error(`${route}: ${response.status} ${JSON.stringify(json)}`);
	return json;
}

export async function batchView(sandbox: Sandbox, name: string, token?: string): Promise<any> {
	const query = new URLSearchParams(token ? { name, indexing_token: token } : { name });
	const response = await sandboxFetch(`${sandbox.url}/2.11/audiences/view?${query}`, {
		headers: { Authorization: 'Bearer sandbox-rest-key', 'X-Batch-Project': 'project_sandbox' },
	});
	return await response.json();
}

export async function createBatchAudience(sandbox: Sandbox, name: string, memberIds: string[] = []): Promise<void> {
	await batchCall(sandbox, 'create', { name, type: 'custom_ids' });
	for (let i = 0; i < memberIds.length; i += 10_000) {
		const ids = memberIds.slice(i, i + 10_000).map((id) => ({ action: 'add', id }));
		await batchCall(sandbox, 'update', { name, ids });
	}
	await sandbox.whenIdle();
}

/** Every input index exactly once across the output items' pairedItem. */
export function pairedIndexes(items: Array<{ pairedItem?: any }>): number[] {
	return items
		.flatMap((item) => (Array.isArray(item.pairedItem) ? item.pairedItem : [item.pairedItem]))
		.map((pair: { item: number }) => pair.item)
		.sort((a, b) => a - b);
}

export const range = (n: number) => Array.from({ length: n }, (_, i) => i);

/** Reads until `done` holds or `timeoutMs` passes, every `intervalMs`; returns the last value read. */
export async function pollUntil<T>(read: () => T | Promise<T>, done: (value: T) => boolean, timeoutMs: number, intervalMs: number): Promise<T> {
	const deadline = Date.now() + timeoutMs;
	let value = await read();
	while (!done(value) && Date.now() < deadline) {
		await new Promise((resolvePromise) => setTimeout(resolvePromise, intervalMs));
		value = await read();
	}
	return value;
}
