import { execFile, execFileSync, type ChildProcess, spawn } from 'child_process';
import { chownSync, closeSync, existsSync, mkdtempSync, openSync, readFileSync, rmSync } from 'fs';
import { connect } from 'net';
import { tmpdir } from 'os';
import { join } from 'path';
import { freePort } from './freePort';
import { runProvisioning } from './provision';
import { promisify } from 'util';
import { startSandbox, type Sandbox } from '../sandbox';
import { type Credential, LocalN8n, type NodeRun, provisionN8n, type Toolchain, type WorkflowJson } from './n8n';
import { sandboxCredentials } from './workflows';

/**
 * n8n in queue mode ("scale-out"), on loopback and free ports, owned by the test that starts it:
 * PostgreSQL (a new cluster in a temporary folder), Redis (no persistence), one main instance
 * (`n8n start`: webhooks, polling triggers) and workers (`n8n worker`), each n8n process with its own
 * user folder where the package is installed as users install it (`.n8n/nodes`), i.e. "installed on
 * the main instance and on every worker". Executions, their run data and the workflows' static data
 * are read from PostgreSQL; which worker ran an execution, from the workers' logs.
 */
const execFileAsync = promisify(execFile);
const sleep = (ms: number) => new Promise((resolvePromise) => setTimeout(resolvePromise, ms));

export interface Services {
	/** Folder holding initdb, pg_ctl and postgres. */
	postgresBin: string;
	/** The user to run PostgreSQL as when root ('' otherwise). */
	postgresUser: string;
	redisServer: string;
}

let services: Services | undefined;

/** PostgreSQL and Redis as scripts/provision-services.sh provides them (once per machine). */
export function provisionServices(): Services {
	if (services) return services;
	const printed = runProvisioning('provision-services.sh', ['postgres', 'redis'], 'PostgreSQL and Redis');
	if (!printed.postgres || !printed.redis) throw new Error(`provision-services.sh printed no postgres or redis line: ${JSON.stringify(printed)}`);
	services = { postgresBin: printed.postgres, postgresUser: printed.postgresUser ?? '', redisServer: printed.redis };
	return services;
}

/** Cleanup that must run even when jest exits without running afterAll (synchronous: an 'exit' handler). */
const onExit = new Set<() => void>();
process.once('exit', () => {
	// The n8n processes first, then Redis and PostgreSQL (registered before them).
	for (const cleanup of [...onExit].reverse()) {
		try {
			cleanup();
		} catch {
			// Best effort.
		}
	}
});

/** The `pg` client n8n itself ships (n8n talks to PostgreSQL with it). */
interface PgClient {
	connect(): Promise<void>;
	query(sql: string, params?: unknown[]): Promise<{ rows: any[] }>;
	end(): Promise<void>;
}

/**
 * A PostgreSQL cluster of its own: initdb into a temporary folder (trust authentication, user
 * `postgres`), served on 127.0.0.1 and a free port with its socket in that folder, and a database.
 * As root, the folder belongs to the provisioned system user and every PostgreSQL command runs as
 * that user (`runuser -u <user> --`): PostgreSQL refuses to run as root.
 */
export class LocalPostgres {
	readonly database = 'n8n';
	readonly user = 'postgres';
	private client?: PgClient;
	private running = false;
	private readonly cleanup = () => this.stopSync();

	private constructor(
		private readonly bin: string,
		private readonly runAs: string,
		readonly folder: string,
		readonly port: number,
		private readonly tools: Toolchain,
	) {}

	static async start(tools: Toolchain = provisionN8n(), { postgresBin, postgresUser } = provisionServices()): Promise<LocalPostgres> {
		const folder = mkdtempSync(join(tmpdir(), 'audience-sync-pg-'));
		const postgres = new LocalPostgres(postgresBin, postgresUser, folder, await freePort(), tools);
		onExit.add(postgres.cleanup);
		try {
			if (postgresUser) {
				const uid = Number(execFileSync('id', ['-u', postgresUser], { encoding: 'utf8' }).trim());
				const gid = Number(execFileSync('id', ['-g', postgresUser], { encoding: 'utf8' }).trim());
				chownSync(folder, uid, gid);
			}
			await postgres.run('initdb', ['-D', postgres.data, '-U', postgres.user, '--auth=trust', '--encoding=UTF8', '--locale=C', '--no-sync']);
			postgres.running = true;
			await postgres.run('pg_ctl', [
				'-D',
				postgres.data,
				'-l',
				join(folder, 'server.log'),
				'-w',
				'-t',
				'120',
				'-o',
				`-h 127.0.0.1 -p ${postgres.port} -k ${folder} -c fsync=off -c synchronous_commit=off -c full_page_writes=off`,
				'start',
			]);
			const admin = postgres.newClient('postgres');
			await admin.connect();
			try {
				await admin.query(`CREATE DATABASE ${postgres.database}`);
			} finally {
				await admin.end();
			}
			return postgres;
		} catch (error) {
			await postgres.stop();
			throw new Error(`PostgreSQL did not start: ${(error as Error).message}\n${postgres.serverLog()}`);
		}
	}

	private get data(): string {
		return join(this.folder, 'data');
	}

	/** Runs one of PostgreSQL's programs, as the PostgreSQL user when root, from inside its folder. */
	private async run(program: string, args: string[]): Promise<void> {
		const command = join(this.bin, program);
		const [file, argv] = this.runAs ? ['runuser', ['-u', this.runAs, '--', command, ...args]] : [command, args];
		await execFileAsync(file, argv, { cwd: this.folder, timeout: 180_000 });
	}

	private newClient(database: string): PgClient {
		const { Client } = require(join(this.tools.n8nModules, 'pg')) as { Client: new (config: object) => PgClient };
		return new Client({ host: '127.0.0.1', port: this.port, user: this.user, database });
	}

	/** A query on n8n's database (one connection, opened on first use). */
	async query<Row = any>(sql: string, params: unknown[] = []): Promise<Row[]> {
		if (!this.client) {
			const client = this.newClient(this.database);
			await client.connect();
			this.client = client;
		}
		return (await this.client.query(sql, params)).rows as Row[];
	}

	serverLog(): string {
		const file = join(this.folder, 'server.log');
		return existsSync(file) ? readFileSync(file, 'utf8').slice(-3000) : '';
	}

	/** The environment that points n8n to this database. */
	n8nEnv(): Record<string, string> {
		return {
			DB_TYPE: 'postgresdb',
			DB_POSTGRESDB_HOST: '127.0.0.1',
			DB_POSTGRESDB_PORT: String(this.port),
			DB_POSTGRESDB_DATABASE: this.database,
			DB_POSTGRESDB_USER: this.user,
		};
	}

	async stop(): Promise<void> {
		await this.client?.end().catch(() => undefined);
		this.client = undefined;
		if (this.running && existsSync(join(this.data, 'postmaster.pid'))) {
			await this.run('pg_ctl', ['-D', this.data, '-m', 'fast', '-w', '-t', '60', 'stop']).catch(() =>
				this.run('pg_ctl', ['-D', this.data, '-m', 'immediate', '-w', 'stop']).catch(() => undefined),
			);
		}
		this.running = false;
		onExit.delete(this.cleanup);
		if (process.env.KEEP_N8N !== '1') rmSync(this.folder, { recursive: true, force: true });
	}

	private stopSync(): void {
		if (!existsSync(join(this.data, 'postmaster.pid'))) return;
		const command = join(this.bin, 'pg_ctl');
		const args = ['-D', this.data, '-m', 'immediate', '-w', 'stop'];
		execFileSync(this.runAs ? 'runuser' : command, this.runAs ? ['-u', this.runAs, '--', command, ...args] : args, { cwd: this.folder, stdio: 'ignore' });
	}
}

/** A Redis server of its own on 127.0.0.1 and a free port, no persistence, its folder temporary. */
export class LocalRedis {
	private readonly cleanup = () => this.process.kill('SIGKILL');

	private constructor(
		private readonly process: ChildProcess,
		readonly folder: string,
		readonly port: number,
	) {}

	static async start(redisServer = provisionServices().redisServer, timeoutMs = 30_000): Promise<LocalRedis> {
		const folder = mkdtempSync(join(tmpdir(), 'audience-sync-redis-'));
		const port = await freePort();
		const log = openSync(join(folder, 'server.log'), 'a');
		const child = spawn(redisServer, ['--bind', '127.0.0.1', '--port', String(port), '--save', '', '--appendonly', 'no', '--dir', folder, '--daemonize', 'no'], {
			stdio: ['ignore', log, log],
		});
		closeSync(log);
		const redis = new LocalRedis(child, folder, port);
		onExit.add(redis.cleanup);
		const deadline = Date.now() + timeoutMs;
		while (!(await redis.ping())) {
			if (child.exitCode !== null || Date.now() > deadline) {
				await redis.stop();
				throw new Error(`redis-server did not answer PING on 127.0.0.1:${port}: ${readFileSync(join(folder, 'server.log'), 'utf8').slice(-2000)}`);
			}
			await sleep(100);
		}
		return redis;
	}

	/** Whether the server answers PING with PONG. */
	ping(): Promise<boolean> {
		return new Promise((resolvePromise) => {
			const socket = connect(this.port, '127.0.0.1');
			let reply = '';
			const done = (ok: boolean) => {
				socket.destroy();
				resolvePromise(ok);
			};
			socket.setTimeout(2_000, () => done(false));
			socket.on('error', () => done(false));
			socket.on('connect', () => socket.write('PING\r\n'));
			socket.on('data', (chunk) => {
				reply += chunk.toString('utf8');
				if (reply.includes('\r\n')) done(reply.startsWith('+PONG'));
			});
		});
	}

	n8nEnv(): Record<string, string> {
		return { QUEUE_BULL_REDIS_HOST: '127.0.0.1', QUEUE_BULL_REDIS_PORT: String(this.port) };
	}

	async stop(): Promise<void> {
		if (this.process.exitCode === null && this.process.signalCode === null) {
			const exited = new Promise((resolvePromise) => this.process.once('exit', resolvePromise));
			this.process.kill('SIGTERM');
			const timer = setTimeout(() => this.process.kill('SIGKILL'), 10_000);
			await exited;
			clearTimeout(timer);
		}
		onExit.delete(this.cleanup);
		rmSync(this.folder, { recursive: true, force: true });
	}
}

/** An execution as n8n recorded it in PostgreSQL. */
export interface ScaleOutExecution {
	id: string;
	status: string;
	mode: string;
	startedAt: Date | null;
	stoppedAt: Date | null;
	/** Run data (`data: true` only). */
	runData: Record<string, NodeRun[]>;
	error?: { message: string; [key: string]: unknown };
}

export interface ScaleOutSetup {
	workflows: WorkflowJson[];
	/** Ids of the workflows to publish (webhooks and polling triggers are served only then). */
	publish: string[];
	credentials: Credential[];
	/** Default 2. */
	workers?: number;
	/** Jobs each worker runs at once (`n8n worker --concurrency`); default 5. */
	concurrency?: number;
	/** More environment for every n8n process. */
	env?: Record<string, string>;
}

/** How long each part took to start, in ms. */
export interface StartupTimes {
	postgres: number;
	redis: number;
	/** Staging the package into the user folders (npm pack, once per n8n process). */
	install: number;
	/** The CLI imports (credentials, workflows, publish) into PostgreSQL, the first one migrating the database. */
	imports: number;
	main: number;
	workers: number[];
	total: number;
}

const ENCRYPTION_KEY = 'audience-sync-scale-out-key';

/** One n8n process of the setup: its LocalN8n (user folder, CLI) and its log. */
interface Member {
	n8n: LocalN8n;
	log: string;
	healthPort: number;
}

export class ScaleOut {
	readonly times: StartupTimes = { postgres: 0, redis: 0, install: 0, imports: 0, main: 0, workers: [], total: 0 };
	main!: Member;
	workers: Member[] = [];
	postgres?: LocalPostgres;
	redis?: LocalRedis;
	/** Folder of the logs, kept when KEEP_N8N=1. */
	readonly logs = mkdtempSync(join(tmpdir(), 'audience-sync-scale-out-logs-'));
	private readonly tools = provisionN8n();
	/** Kills every n8n process (and its task runner) should jest exit before `dispose`. */
	private readonly cleanup = () => [this.main, ...this.workers].filter(Boolean).forEach((member) => member.n8n.dispose());

	private constructor(private readonly setup: ScaleOutSetup) {}

	/** Starts everything; what started is stopped again when a step fails. */
	static async start(setup: ScaleOutSetup): Promise<ScaleOut> {
		const cluster = new ScaleOut(setup);
		try {
			await cluster.boot();
			return cluster;
		} catch (error) {
			await cluster.dispose();
			throw error;
		}
	}

	private async timed<T>(key: 'postgres' | 'redis' | 'install' | 'imports' | 'main', work: () => Promise<T>): Promise<T> {
		const start = Date.now();
		try {
			return await work();
		} finally {
			this.times[key] = Date.now() - start;
		}
	}

	private async boot(): Promise<void> {
		const start = Date.now();
		const provided = provisionServices();
		// Both started together; whichever started is kept (and stopped by dispose) even if the other failed.
		const [postgres, redis] = await Promise.allSettled([
			this.timed('postgres', () => LocalPostgres.start(this.tools, provided)),
			this.timed('redis', () => LocalRedis.start(provided.redisServer)),
		]);
		if (postgres.status === 'fulfilled') this.postgres = postgres.value;
		if (redis.status === 'fulfilled') this.redis = redis.value;
		if (postgres.status === 'rejected') throw postgres.reason;
		if (redis.status === 'rejected') throw redis.reason;
		onExit.add(this.cleanup);

		await this.timed('install', async () => {
			this.main = await this.member('main');
			for (let i = 0; i < (this.setup.workers ?? 2); i++) this.workers.push(await this.member(`worker-${i + 1}`));
		});
		await this.timed('imports', async () => {
			await this.main.n8n.importCredentials(this.setup.credentials);
			await this.main.n8n.importWorkflows(this.setup.workflows);
			for (const id of this.setup.publish) await this.main.n8n.publish(id);
		});
		const mainStart = Date.now();
		await Promise.all([
			this.startMain().then(() => (this.times.main = Date.now() - mainStart)),
			...this.workers.map((_, i) => this.startWorker(i)),
		]);
		this.times.total = Date.now() - start;
	}

	private async member(name: string): Promise<Member> {
		const [port, brokerPort, healthPort] = [await freePort(), await freePort(), await freePort()];
		const env = {
			...(this.postgres as LocalPostgres).n8nEnv(),
			...(this.redis as LocalRedis).n8nEnv(),
			EXECUTIONS_MODE: 'queue',
			// Queue mode's default, named: workers and main share binary data through the database.
			N8N_DEFAULT_BINARY_DATA_MODE: 'database',
			N8N_ENCRYPTION_KEY: ENCRYPTION_KEY,
			N8N_LOG_LEVEL: 'info',
			QUEUE_HEALTH_CHECK_PORT: String(healthPort),
			...this.setup.env,
		};
		const n8n = new LocalN8n(this.tools, 'community', { env, port, brokerPort });
		return { n8n, log: join(this.logs, `${name}.log`), healthPort };
	}

	async startMain(): Promise<void> {
		await this.main.n8n.start(180_000, { logFile: this.main.log });
	}

	/** Stops the main instance (SIGTERM, as a restart does); the workers keep running. */
	async stopMain(): Promise<void> {
		await this.main.n8n.stop();
	}

	async startWorker(index: number): Promise<void> {
		const start = Date.now();
		const worker = this.workers[index];
		await worker.n8n.startWorker(worker.healthPort, this.setup.concurrency ?? 5, 180_000, { logFile: worker.log });
		this.times.workers[index] = Date.now() - start;
	}

	/** SIGKILL to a worker and its task runner (a crash), resolved once it exited. */
	async killWorker(index: number): Promise<void> {
		await this.workers[index].n8n.kill();
	}

	/**
	 * POSTs to a published Webhook node's production URL on the main instance: `body` as JSON, or a
	 * file (`{ file, contentType, fileName }`). n8n serves its editor before it has activated the
	 * published workflows: a 404 (no workflow started) is tried again, for up to `timeoutMs`.
	 */
	async webhook(
		path: string,
		body: unknown,
		{ file, contentType = 'text/csv', fileName, timeoutMs = 120_000 }: { file?: string; contentType?: string; fileName?: string; timeoutMs?: number } = {},
	): Promise<{ status: number; text: string }> {
		const headers: Record<string, string> = file === undefined ? { 'Content-Type': 'application/json' } : { 'Content-Type': contentType };
		if (fileName) headers['Content-Disposition'] = `attachment; filename="${fileName}"`;
		const deadline = Date.now() + timeoutMs;
		for (;;) {
			const response = await fetch(`http://127.0.0.1:${this.main.n8n.port}/webhook/${path}`, {
				method: 'POST',
				headers,
				body: file ?? JSON.stringify(body),
			});
			const answer = { status: response.status, text: await response.text() };
			if (answer.status !== 404 || Date.now() > deadline) return answer;
			await sleep(500);
		}
	}

	/**
	 * A workflow's executions as n8n recorded them in PostgreSQL, oldest first; with `data`, each one's
	 * run data (stored "flatted" in execution_data.data, parsed with n8n's own `flatted`).
	 */
	async executions(workflowId: string, { data = false } = {}): Promise<ScaleOutExecution[]> {
		const db = this.db();
		const rows = await db.query(
			`SELECT e.id, e.status, e.mode, e."startedAt", e."stoppedAt"${data ? ', d.data' : ''}
			 FROM execution_entity e ${data ? 'LEFT JOIN execution_data d ON d."executionId" = e.id' : ''}
			 WHERE e."workflowId" = $1 AND e."deletedAt" IS NULL ORDER BY e.id`,
			[workflowId],
		);
		const { parse } = require(join(this.tools.n8nModules, 'flatted')) as { parse: (text: string) => any };
		return rows.map((row) => {
			const resultData = data && row.data ? parse(row.data).resultData : {};
			return {
				id: String(row.id),
				status: row.status,
				mode: row.mode,
				startedAt: row.startedAt,
				stoppedAt: row.stoppedAt,
				runData: resultData.runData ?? {},
				...(resultData.error ? { error: resultData.error } : {}),
			};
		});
	}

	/** Polls the executions of a workflow (without run data) until `done`; returns the last list read. */
	async waitForExecutions(
		workflowId: string,
		done: (executions: ScaleOutExecution[]) => boolean,
		timeoutMs: number,
	): Promise<ScaleOutExecution[]> {
		const deadline = Date.now() + timeoutMs;
		let executions = await this.executions(workflowId);
		while (!done(executions) && Date.now() < deadline) {
			await sleep(1_000);
			executions = await this.executions(workflowId);
		}
		return executions;
	}

	/** A query on n8n's database. */
	async query<Row = any>(sql: string, params: unknown[] = []): Promise<Row[]> {
		return await this.db().query<Row>(sql, params);
	}

	/** One line: how long each part took to start. */
	startupFigures(): string {
		const s = (ms: number) => `${(ms / 1000).toFixed(1)} s`;
		const t = this.times;
		return `${s(t.total)} in all: PostgreSQL ${s(t.postgres)} (initdb, start, CREATE DATABASE), Redis ${s(t.redis)} (together with PostgreSQL), the package staged into ${1 + this.workers.length} user folders ${s(t.install)}, CLI imports and publish into PostgreSQL (the first one migrating the database) ${s(t.imports)}, then together: main ${s(t.main)} (editor served), workers ${t.workers.map(s).join(' and ')} (ready for jobs)`;
	}

	/** The workflow's static data as n8n saved it (workflow_entity."staticData", as text), null when none. */
	async staticData(workflowId: string): Promise<string | null> {
		const [row] = await this.db().query(`SELECT "staticData"::text AS "staticData" FROM workflow_entity WHERE id = $1`, [workflowId]);
		return row?.staticData ?? null;
	}

	/**
	 * Which worker (index) started each execution, from the workers' logs: a worker logs
	 * `Worker started execution <id> (job <n>)` at level info when it takes a job.
	 */
	workerOfExecutions(): Map<string, number[]> {
		const byExecution = new Map<string, number[]>();
		this.workers.forEach((worker, index) => {
			const log = existsSync(worker.log) ? readFileSync(worker.log, 'utf8') : '';
			for (const match of log.matchAll(/Worker started execution (\d+) \(job (\d+)\)/g)) {
				byExecution.set(match[1], [...(byExecution.get(match[1]) ?? []), index]);
			}
		});
		return byExecution;
	}

	/** Polls the workers' logs until some worker started `executionId`; returns that worker's index. */
	async waitForWorkerOf(executionId: string, timeoutMs: number): Promise<number> {
		const deadline = Date.now() + timeoutMs;
		for (;;) {
			const workers = this.workerOfExecutions().get(executionId);
			if (workers?.length) return workers[0];
			if (Date.now() > deadline) throw new Error(`no worker logged starting execution ${executionId} within ${timeoutMs} ms`);
			await sleep(200);
		}
	}

	/** The last lines of every log, for a failure's message. */
	logTails(lines = 40): string {
		return [this.main, ...this.workers]
			.filter((member) => member && existsSync(member.log))
			.map((member) => `--- ${member.log}\n${readFileSync(member.log, 'utf8').split('\n').slice(-lines).join('\n')}`)
			.join('\n');
	}

	private db(): LocalPostgres {
		if (!this.postgres) throw new Error('PostgreSQL is not running');
		return this.postgres;
	}

	/** Stops every n8n process, then Redis and PostgreSQL, and removes their folders (KEEP_N8N=1 keeps them). */
	async dispose(): Promise<void> {
		const members = [this.main, ...this.workers].filter(Boolean);
		await Promise.all(members.map((member) => member.n8n.stop().catch(() => undefined)));
		for (const member of members) member.n8n.dispose();
		onExit.delete(this.cleanup);
		await this.redis?.stop();
		await this.postgres?.stop();
		if (process.env.KEEP_N8N !== '1') rmSync(this.logs, { recursive: true, force: true });
	}
}

/** A sandbox (in this process) and n8n in queue mode with the sandbox credentials. */
export interface ScaleOutFixture {
	sandbox: Sandbox;
	cluster: ScaleOut;
}

export interface ScaleOutE2eSetup extends Omit<ScaleOutSetup, 'credentials'> {
	/** Credentials to import besides the sandbox's. */
	credentials?: Credential[];
	/** Runs on the sandbox before n8n starts, e.g. to create the audiences a trigger's baseline holds. */
	prepare?: (sandbox: Sandbox) => Promise<void>;
	indexingDelayMs?: number;
}

/** Starts the sandbox, then n8n in queue mode; what started is stopped again when a step fails. */
export async function startScaleOutE2e({ prepare, indexingDelayMs = 100, credentials = [], ...setup }: ScaleOutE2eSetup): Promise<ScaleOutFixture> {
	const sandbox = await startSandbox({ port: 0, indexingDelayMs });
	try {
		await prepare?.(sandbox);
		const cluster = await ScaleOut.start({ ...setup, credentials: [...sandboxCredentials(sandbox.url), ...credentials] });
		return { sandbox, cluster };
	} catch (error) {
		await sandbox.stop();
		throw error;
	}
}

export async function stopScaleOutE2e(fixture: ScaleOutFixture | undefined): Promise<void> {
	await fixture?.cluster.dispose();
	await fixture?.sandbox.stop();
}
