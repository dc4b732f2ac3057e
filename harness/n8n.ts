import { type ChildProcess, execFileSync, spawn } from 'child_process';
import { closeSync, existsSync, mkdirSync, mkdtempSync, openSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'fs';
import { tmpdir } from 'os';
import { join, resolve } from 'path';
import { runProvisioning } from './provision';

/**
 * A real n8n (the pinned 2.40.7 on Node 24, or the version N8N_VERSION names, e.g. `1.x`; provisioned
 * on first use into a cache outside the clone) with the built package loaded, driven through its CLI:
 * import credentials and workflows, `n8n execute`, and `n8n start` for polling triggers.
 */
const REPO = resolve(__dirname, '..');
const PACKAGE_NAME = 'n8n-nodes-audience-sync';
export const NODE_PREFIX = 'CUSTOM.';

export interface Toolchain {
	node: string;
	n8n: string;
	n8nModules: string;
	/** The installed n8n's version, e.g. "2.40.7". */
	version: string;
}

let toolchain: Toolchain | undefined;

/** Provisions (once per machine and version; N8N_VERSION is passed on) and returns the Node 24 and n8n binaries. */
export function provisionN8n(): Toolchain {
	if (toolchain) return toolchain;
	const printed = runProvisioning('provision-n8n.sh', [], 'n8n');
	const n8nModules = join(printed.n8n, 'node_modules');
	for (const path of [printed.node, join(n8nModules, 'n8n/bin/n8n')]) {
		if (!existsSync(path)) throw new Error(`Provisioning n8n failed: ${path} is missing`);
	}
	const { version } = JSON.parse(readFileSync(join(n8nModules, 'n8n/package.json'), 'utf8')) as { version: string };
	toolchain = { node: printed.node, n8n: join(n8nModules, 'n8n/bin/n8n'), n8nModules, version };
	return toolchain;
}

/**
 * How n8n finds the package: `custom` from N8N_CUSTOM_EXTENSIONS (node types `CUSTOM.*`), or
 * `community` installed the way users install it, into the user folder's `.n8n/nodes` (node types
 * `n8n-nodes-audience-sync.*`; only this way does n8n know which nodes test a credential), or
 * `none`: the test installs it as a user does, from the editor's Community Nodes screen.
 */
export type Installation = 'custom' | 'community' | 'none';

/**
 * Unpacks into `folder` the tarball `npm pack` makes of the built package, as it would be published
 * (the built dist with its libraries bundled in, README, LICENSE, package.json, no node_modules).
 */
export function unpackPackage(folder: string): void {
	if (!existsSync(join(REPO, 'dist/nodes/Audience/Audience.node.js'))) {
		throw new Error('The package is not built: run `npm run build` first');
	}
	mkdirSync(folder, { recursive: true });
	const [packed] = JSON.parse(
		execFileSync('npm', ['pack', '--json', '--silent', '--pack-destination', folder], { cwd: REPO, encoding: 'utf8' }),
	) as Array<{ filename: string }>;
	execFileSync('tar', ['-xzf', join(folder, packed.filename), '-C', folder, '--strip-components=1']);
	rmSync(join(folder, packed.filename));
}

/** Stages the package as published into `modules`, with the peer dependency n8n-workflow resolved to n8n's own copy. */
function stagePackage(modules: string, tools: Toolchain): void {
	const pkg = join(modules, PACKAGE_NAME);
	unpackPackage(pkg);
	mkdirSync(join(pkg, 'node_modules'), { recursive: true });
	symlinkSync(join(tools.n8nModules, 'n8n-workflow'), join(pkg, 'node_modules/n8n-workflow'));
}

export interface Credential {
	id: string;
	name: string;
	type: string;
	data: Record<string, unknown>;
}

export interface WorkflowJson {
	id: string;
	name: string;
	nodes: Array<Record<string, unknown>>;
	connections: Record<string, unknown>;
	settings?: Record<string, unknown>;
	[key: string]: unknown;
}

export interface NodeRun {
	executionTime: number;
	executionStatus?: string;
	error?: { message: string; description?: string; [key: string]: unknown };
	data?: { main: Array<Array<{ json: Record<string, any>; pairedItem?: any }> | null> };
}

export interface RunResult {
	runData: Record<string, NodeRun[]>;
	error?: { message: string; description?: string; node?: { name: string }; [key: string]: unknown };
	lastNodeExecuted?: string;
	/** Everything n8n printed, for diagnosing a failure. */
	log: string;
}

/** Ports of their own, so several n8n processes (parallel suites) never collide. */
let nextPort = 20_000 + (process.pid % 2_000) * 10;

/** What an n8n process of a scale-out (queue mode) setup needs beyond the defaults; every field optional. */
export interface LocalN8nOptions {
	/** Added to the environment of every command and server of this n8n (a call's own `extra` still wins). */
	env?: Record<string, string>;
	/** N8N_PORT (default: the next port of this process's range). */
	port?: number;
	/** N8N_RUNNERS_BROKER_PORT (default: the next port of this process's range). */
	brokerPort?: number;
}

/** How `start` and `startWorker` keep a server's output: appended to `logFile` (default: discarded). */
export interface ServerOptions {
	logFile?: string;
}

export class LocalN8n {
	readonly folder: string;
	readonly port: number;
	private readonly brokerPort: number;
	private readonly extraEnv: Record<string, string>;
	/** The prefix of the package's node types in this n8n. */
	readonly nodePrefix: string;
	private readonly tools: Toolchain;
	/**
	 * The extensions folder n8n loads the package from (the unpacked tarball; '' unless `custom`),
	 * outside the clone so that nothing in the repository's node_modules can stand in
	 * for what the package bundles.
	 */
	readonly custom: string;

	constructor(tools: Toolchain = provisionN8n(), installation: Installation = 'custom', options: LocalN8nOptions = {}) {
		this.tools = tools;
		this.port = options.port ?? nextPort++;
		this.brokerPort = options.brokerPort ?? nextPort++;
		this.extraEnv = options.env ?? {};
		mkdirSync(join(REPO, '.tmp'), { recursive: true });
		// A community package is resolved from the user folder: that folder is then outside the clone too.
		this.folder = mkdtempSync(join(installation === 'custom' ? join(REPO, '.tmp') : tmpdir(), 'n8n-'));
		this.nodePrefix = installation === 'custom' ? NODE_PREFIX : `${PACKAGE_NAME}.`;
		this.custom = installation === 'custom' ? mkdtempSync(join(tmpdir(), 'n8n-nodes-audience-sync-')) : '';
		if (installation !== 'none') stagePackage(this.custom || join(this.folder, '.n8n/nodes/node_modules'), tools);
		if (installation === 'community') {
			const { version } = JSON.parse(readFileSync(join(REPO, 'package.json'), 'utf8')) as { version: string };
			const installed = { name: 'installed-nodes', private: true, dependencies: { [PACKAGE_NAME]: version } };
			writeFileSync(join(this.folder, '.n8n/nodes/package.json'), JSON.stringify(installed));
		}
	}

	env(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
		return {
			PATH: `${join(this.tools.node, '..')}:${process.env.PATH ?? ''}`,
			HOME: this.folder,
			N8N_USER_FOLDER: this.folder,
			N8N_CUSTOM_EXTENSIONS: this.custom,
			N8N_ENCRYPTION_KEY: 'audience-sync-e2e-key',
			N8N_DIAGNOSTICS_ENABLED: 'false',
			N8N_PORT: String(this.port),
			N8N_RUNNERS_BROKER_PORT: String(this.brokerPort),
			N8N_VERSION_NOTIFICATIONS_ENABLED: 'false',
			N8N_TEMPLATES_ENABLED: 'false',
			N8N_RUNNERS_MAX_OLD_SPACE_SIZE: '4096',
			NODE_OPTIONS: '--max-old-space-size=8192',
			...this.extraEnv,
			...extra,
		};
	}

	/**
	 * Runs one n8n CLI command; a failure carries n8n's output. stdout goes to a file, not a pipe:
	 * `n8n execute` exits right after printing the run data, and the tail of a large output written
	 * to a pipe can be lost.
	 */
	async cli(args: string[], timeoutMs = 15 * 60_000): Promise<{ stdout: string; stderr: string }> {
		const stdoutFile = join(this.folder, `cli-${process.hrtime.bigint()}.out`);
		const stdoutFd = openSync(stdoutFile, 'w');
		return await new Promise((resolvePromise, reject) => {
			const child = spawn(this.tools.node, [this.tools.n8n, ...args], {
				env: this.env(),
				cwd: this.folder,
				stdio: ['ignore', stdoutFd, 'pipe'],
			});
			closeSync(stdoutFd);
			const stderr: Buffer[] = [];
			child.stderr?.on('data', (chunk: Buffer) => stderr.push(chunk));
			const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
			child.on('close', (code) => {
				clearTimeout(timer);
				const out = { stdout: readFileSync(stdoutFile, 'utf8'), stderr: Buffer.concat(stderr).toString('utf8') };
				rmSync(stdoutFile, { force: true });
				if (code === 0 || args[0] === 'execute') resolvePromise(out);
				else reject(new Error(`n8n ${args[0]} exited with ${code}:\n${out.stdout}\n${out.stderr}`));
			});
		});
	}

	async importCredentials(credentials: Credential[]): Promise<void> {
		const file = join(this.folder, 'credentials.json');
		writeFileSync(file, JSON.stringify(credentials));
		await this.cli(['import:credentials', `--input=${file}`]);
	}

	async importWorkflows(workflows: WorkflowJson[]): Promise<void> {
		const dir = join(this.folder, 'workflows');
		rmSync(dir, { recursive: true, force: true });
		mkdirSync(dir);
		for (const workflow of workflows) {
			// Users' workflows name the installed package's nodes; n8n prefixes nodes it loads from a folder CUSTOM.
			const json = JSON.stringify({ active: false, settings: {}, ...workflow })
				.split(`"${PACKAGE_NAME}.`)
				.join(`"${NODE_PREFIX}`)
				.split(`"${NODE_PREFIX}`)
				.join(`"${this.nodePrefix}`);
			writeFileSync(join(dir, `${workflow.id}.json`), json);
		}
		await this.cli(['import:workflow', '--separate', `--input=${dir}`]);
	}

	/** `n8n execute --rawOutput`: the run data is stdout from the first line `{` to the last line `}`. */
	async execute(workflowId: string): Promise<RunResult> {
		const { stdout, stderr } = await this.cli(['execute', `--id=${workflowId}`, '--rawOutput']);
		const log = () => `${stdout.slice(0, 3000)}\n${stderr.slice(-3000)}`;
		const start = stdout.startsWith('{\n') ? 0 : stdout.indexOf('\n{\n') + 1;
		const end = stdout.lastIndexOf('\n}');
		if (start <= 0 && !stdout.startsWith('{\n')) throw new Error(`n8n execute printed no run data:\n${log()}`);
		let parsed: any;
		try {
			parsed = JSON.parse(stdout.slice(start, end + 2));
		} catch (error) {
			throw new Error(`n8n execute printed unreadable run data (${(error as Error).message}):\n${log()}`);
		}
		const resultData = parsed.data?.resultData ?? parsed.resultData ?? parsed;
		return { runData: resultData.runData ?? {}, error: resultData.error, lastNodeExecuted: resultData.lastNodeExecuted, log: log() };
	}

	private server?: ChildProcess;
	/** Whether the server runs in a process group of its own (a worker): signals then go to the group. */
	private serverGroup = false;

	/** Publishes (n8n 1.x: activates) a workflow: its trigger then runs under `n8n start`. */
	async publish(workflowId: string): Promise<void> {
		const n8n1 = this.tools.version.startsWith('1.');
		await this.cli(n8n1 ? ['update:workflow', `--id=${workflowId}`, '--active=true'] : ['publish:workflow', `--id=${workflowId}`]);
	}

	/** `n8n start` in the background, resolved once the editor is served (it comes up after /healthz). */
	async start(timeoutMs = 120_000, options: ServerOptions = {}): Promise<void> {
		const server = this.spawnServer(['start'], {}, options, false);
		await this.waitUntil(server, `http://127.0.0.1:${this.port}/`, 'n8n start did not serve its editor', timeoutMs);
	}

	/**
	 * `n8n worker` (queue mode: the database and Redis come from the environment) in the background,
	 * resolved once it takes jobs: its health server (on `healthPort`) answers /healthz/readiness only
	 * after the worker has subscribed to the queue. It runs in a process group of its own, so `kill`
	 * takes its task runner down with it, as when a worker's machine dies.
	 */
	async startWorker(healthPort: number, concurrency: number, timeoutMs = 120_000, options: ServerOptions = {}): Promise<void> {
		const env = { QUEUE_HEALTH_CHECK_ACTIVE: 'true', QUEUE_HEALTH_CHECK_PORT: String(healthPort) };
		const server = this.spawnServer(['worker', `--concurrency=${concurrency}`], env, options, true);
		await this.waitUntil(server, `http://127.0.0.1:${healthPort}/healthz/readiness`, 'n8n worker did not become ready', timeoutMs);
	}

	private spawnServer(args: string[], env: Record<string, string>, { logFile }: ServerOptions, group: boolean): ChildProcess {
		const out = logFile ? openSync(logFile, 'a') : 'ignore';
		const server = spawn(this.tools.node, [this.tools.n8n, ...args], {
			env: this.env(env),
			cwd: this.folder,
			stdio: ['ignore', out, out],
			detached: group,
		});
		if (typeof out === 'number') closeSync(out);
		this.server = server;
		this.serverGroup = group;
		return server;
	}

	/** Polls `url` until it answers 2xx; fails at once if the server exits. */
	private async waitUntil(server: ChildProcess, url: string, what: string, timeoutMs: number): Promise<void> {
		const deadline = Date.now() + timeoutMs;
		while (Date.now() < deadline) {
			if (server.exitCode !== null || server.signalCode !== null) {
				throw new Error(`${what}: it exited (${server.exitCode ?? server.signalCode})`);
			}
			const up = await fetch(url, { headers: { Accept: 'text/html' } }).then((r) => r.ok, () => false);
			if (up) return;
			await new Promise((r) => setTimeout(r, 500));
		}
		throw new Error(`${what} on ${url} within ${timeoutMs} ms`);
	}

	async stop(): Promise<void> {
		const server = this.server;
		if (!server || server.exitCode !== null || server.signalCode !== null) return;
		await new Promise<void>((resolvePromise) => {
			server.once('exit', () => resolvePromise());
			server.kill('SIGTERM');
			setTimeout(() => this.signal(server, 'SIGKILL'), 15_000).unref();
		});
	}

	/** Kills the server at once (SIGKILL; a worker with its task runner), and resolves once it exited. */
	async kill(): Promise<void> {
		const server = this.server;
		if (!server || server.exitCode !== null || server.signalCode !== null) return;
		const exited = new Promise<void>((resolvePromise) => server.once('exit', () => resolvePromise()));
		this.signal(server, 'SIGKILL');
		await exited;
	}

	private signal(server: ChildProcess, signal: NodeJS.Signals): void {
		try {
			if (this.serverGroup && server.pid !== undefined) process.kill(-server.pid, signal);
			else server.kill(signal);
		} catch {
			// Already gone.
		}
	}

	/** Executions of a workflow read from n8n's own database, with each one's run data. */
	executions(workflowId: string): Array<{ id: string; status: string; mode: string; runData: Record<string, NodeRun[]> }> {
		const script = `
			const { DatabaseSync } = require('node:sqlite');
			const { parse } = require(${JSON.stringify(join(this.tools.n8nModules, 'flatted'))});
			const db = new DatabaseSync(${JSON.stringify(join(this.folder, '.n8n/database.sqlite'))}, { readOnly: true });
			const rows = db.prepare('SELECT e.id, e.status, e.mode, d.data FROM execution_entity e LEFT JOIN execution_data d ON d.executionId = e.id WHERE e.workflowId = ? ORDER BY e.id').all(${JSON.stringify(workflowId)});
			console.log(JSON.stringify(rows.map((r) => ({ id: String(r.id), status: r.status, mode: r.mode, runData: r.data ? parse(r.data).resultData.runData : {} }))));`;
		const out = execFileSync(this.tools.node, ['--no-warnings', '-e', script], { encoding: 'utf8' });
		return JSON.parse(out);
	}

	/** Removes the n8n folder; KEEP_N8N=1 keeps it for a look after a failure. */
	dispose(): void {
		if (this.server) this.signal(this.server, 'SIGKILL');
		if (process.env.KEEP_N8N === '1') return;
		rmSync(this.folder, { recursive: true, force: true });
		if (this.custom) rmSync(this.custom, { recursive: true, force: true });
	}
}

/**
 * Whether this n8n sends error items whose json holds more than `error` and `message` (the Audience
 * node's carry `details`) to the error output: n8n 2.35.3 and later, and 2.34.6 (n8n-core 2.35.2 and
 * 2.34.4). Earlier n8n, every 1.x included, only takes json holding `error` alone or with `message`.
 */
export function errorOutputTakesDetails(version = provisionN8n().version): boolean {
	const [major, minor, patch] = version.split('.').map(Number);
	if (major !== 2) return major > 2;
	return minor > 35 || (minor === 35 && patch >= 3) || (minor === 34 && patch >= 6);
}

/**
 * A node's items on the success output and on the error output (enabled). On an n8n that does not
 * route error items carrying `details` (see errorOutputTakesDetails), those stay on the success
 * output, without the input item's fields n8n merges into the items it routes: they are counted as
 * error items here, so that a test checks the same items on every n8n version.
 */
export function outputsOf(result: RunResult, nodeName: string) {
	const success = outputOf(result, nodeName, 0);
	const errors = outputOf(result, nodeName, 1);
	if (errorOutputTakesDetails()) return { success, errors };
	const unrouted = (item: (typeof success)[number]) => Object.keys(item.json).sort().join() === 'details,error';
	return { success: success.filter((item) => !unrouted(item)), errors: [...errors, ...success.filter(unrouted)] };
}

/** Output items of a node's first run, on the given output (0 = main, 1 = error output). */
export function outputOf(result: RunResult, nodeName: string, output = 0) {
	const run = result.runData[nodeName]?.[0];
	if (!run) throw new Error(`Node "${nodeName}" did not run. ${result.error?.message ?? ''}\n${result.log.slice(-3000)}`);
	return run.data?.main[output] ?? [];
}
