import { mkdirSync, readFileSync, writeFileSync } from 'fs';
import { createServer, type Server } from 'http';
import type { AddressInfo } from 'net';
import { loadavg } from 'os';
import { join, resolve } from 'path';
import { startSandbox, type Sandbox } from '../sandbox';
import { createBatchAudience } from '../harness/fixture';
import { LocalN8n, provisionN8n } from '../harness/n8n';
import { sandboxCredentials } from '../harness/workflows';
import { checkDeltaRun, checkRun } from './correctness';
import { describeMachine } from './machine';
import { computeRatios, consoleReport, type DeltaState, labelOf, markdownReport, summarize, type RunRecord } from './report';
import { phasesOf, type Phases } from './phases';
import { readSavedRun, readStaticData } from './savedExecution';
import type { RunSummary } from './runDataSummary';
import { timedExecute, type TimedExecution } from './timedExecute';
import {
	ALL_WAYS,
	AUDIENCE_NAME,
	benchWorkflow,
	BODIES_AUDIENCE_NAME,
	DELTA_STAGES,
	DELTA_WAYS,
	type DeltaStage,
	deltaWorkflow,
	deltaWorkflowId,
	HTTP_AUDIENCE_NAME,
	isDeltaWay,
	ITEMS_NODE,
	WAYS,
	workflowId,
	type Way,
} from './workflows';

/**
 * `npm run bench [-- --full] [--repeats N] [--sizes 10000,100000,1000000] [--latency-ms 100] [--latency-sizes 100000,1000000]
 * [--latency-repeats N] [--ways audience,floor,...] [--out NAME] [--report NAME]`: in one real n8n, the same generated items through (a) the Audience
 * node's Batch update (node version 1: one item per request), (a2) the same at node version 2 (one item per contact), (b) HTTP Request with one request per item, (c) a pass-through, (d) the floor (a Code node doing the same
 * work without sending), (e) a Code node cutting bodies of 10,000 + HTTP Request, and, only when named with --ways, (f) change tracking
 * (deltaNumeric, deltaEmail, deltaUuid: a first run, a second run with 1% changed and a plain Update of that input); requests, wall time,
 * node time and peak memory; the ratios. With --latency-ms, every way again at the latency sizes with that much latency added to every sandbox request.
 * Results: bench/results/latest.json and latest.md (or <NAME>.json/.md).
 */
interface Options {
	full: boolean;
	repeats: number;
	sizes: number[];
	timeoutMinutes: number;
	/** Latency added by the sandbox to every request in the latency pass; 0 = no latency pass. */
	latencyMs: number;
	latencySizes: number[];
	latencyRepeats: number;
	/** Only these ways (default: all that make sense at a size). */
	ways?: Way[];
	/** Results go to bench/results/<out>.json and .md. */
	out: string;
	/** Only render the table and ratios again from bench/results/<name>.json. */
	report?: string;
	/** Keep the runs already in bench/results/<out>.json and measure only the missing ones. */
	resume: boolean;
}

interface Step {
	way: Way;
	/** (f): which of its three runs. */
	stage?: DeltaStage;
	items: number;
	repeat: number;
	latencyMs: number;
	timeoutMs: number;
}

const RESULTS = resolve(__dirname, 'results');
/** Every measured `n8n execute` skips printing its run data (see skipRunDataPrint.cjs). */
const SKIP_PRINT_ENV = { NODE_OPTIONS: `--max-old-space-size=8192 --require ${resolve(__dirname, 'skipRunDataPrint.cjs')}` };
const MILLION = 1_000_000;

function parseOptions(argv: string[]): Options {
	const options: Options = {
		full: false,
		repeats: 3,
		sizes: [10_000, 100_000, MILLION],
		timeoutMinutes: 10,
		latencyMs: 0,
		latencySizes: [100_000, MILLION],
		latencyRepeats: 1,
		out: 'latest',
		resume: false,
	};
	const sizes = (text: string) => text.split(',').map((s) => Number(s.replace(/_/g, '')));
	for (let i = 0; i < argv.length; i++) {
		const [flag, inline] = argv[i].split('=');
		const value = () => inline ?? argv[++i];
		if (flag === '--full') options.full = true;
		else if (flag === '--repeats') options.repeats = Number(value());
		else if (flag === '--sizes') options.sizes = sizes(value());
		else if (flag === '--latency-ms') options.latencyMs = Number(value());
		else if (flag === '--latency-sizes') options.latencySizes = sizes(value());
		else if (flag === '--latency-repeats') options.latencyRepeats = Number(value());
		else if (flag === '--ways') options.ways = value().split(',').map((w) => w.trim() as Way);
		else if (flag === '--timeout-minutes') options.timeoutMinutes = Number(value());
		else if (flag === '--out') options.out = value().replace(/[^\w.-]/g, '_');
		else if (flag === '--report') options.report = value().replace(/[^\w.-]/g, '_');
		else if (flag === '--resume') options.resume = true;
		else {
			throw new Error(
				`Unknown option ${argv[i]}. Options: --full, --repeats N, --sizes 10000,100000,1000000, --latency-ms N, --latency-sizes 100000,1000000, --latency-repeats N, ` +
					`--ways ${ALL_WAYS.join(',')}, --timeout-minutes N, --out NAME, --resume, --report NAME`,
			);
		}
	}
	const unknown = options.ways?.find((way) => !ALL_WAYS.includes(way));
	if (unknown) throw new Error(`Unknown way "${unknown}": use ${ALL_WAYS.join(', ')}`);
	if (!Number.isInteger(options.latencyMs) || options.latencyMs < 0) throw new Error('--latency-ms must be a whole number of milliseconds');
	return options;
}

/**
 * Repeats are interleaved (a, a2, e, d, c, a, a2, e, d, c, ...) so that a slow moment of the machine hits every way alike. One request
 * per item (b) runs at 10,000 items only (and at 100,000 with --full): at 100,000 it takes minutes and may run out of sockets.
 */
function plan(options: Options): Step[] {
	const steps: Step[] = [];
	const timeoutMs = options.timeoutMinutes * 60_000;
	const pass = (sizes: number[], latencyMs: number, repeatsBelowMillion: number) => {
		for (const items of sizes) {
			const perItem = items <= 10_000 || (items <= 100_000 && options.full);
			// (a2) runs at 1,000,000 items only (the size it is about) unless named with --ways.
			const byDefault = (way: Way) => (way !== 'httpPerItem' || perItem) && (way !== 'audiencePerContact' || items >= MILLION);
			const ways = (['audience', 'audiencePerContact', 'httpPerItem', 'httpBodies', 'floor', 'passThrough'] as Way[]).filter((way) =>
				options.ways ? options.ways.includes(way) && (way !== 'httpPerItem' || perItem) : byDefault(way),
			);
			const repeats = items >= MILLION ? 1 : repeatsBelowMillion;
			// (f) only when named: its first run, run 2 of the same workflow, then the plain Update of run 2's input, in this order.
			const deltaWays = DELTA_WAYS.filter((way) => options.ways?.includes(way));
			for (let repeat = 1; repeat <= repeats; repeat++) {
				for (const way of ways) {
					// One request per item at 100,000 takes minutes: it gets more time than the rest.
					steps.push({ way, items, repeat, latencyMs, timeoutMs: way === 'httpPerItem' ? Math.max(timeoutMs, 30 * 60_000) : timeoutMs });
				}
				for (const way of deltaWays) for (const stage of DELTA_STAGES) steps.push({ way, stage, items, repeat, latencyMs, timeoutMs });
			}
		}
	};
	pass(options.sizes, 0, options.repeats);
	if (options.latencyMs > 0) pass(options.latencySizes, options.latencyMs, options.latencyRepeats);
	return steps;
}

function failureOf(execution: TimedExecution, run: RunSummary | undefined, timeoutMs: number): string | undefined {
	const log = execution.logTail;
	if (execution.timedOut) return `did not finish within ${timeoutMs / 60_000} min (killed)`;
	if (/heap out of memory|Allocation failed/i.test(log)) return 'n8n ran out of memory (JavaScript heap out of memory)';
	if (execution.signal) return `n8n was killed by ${execution.signal} (the kernel OOM killer?)`;
	if (!run) return `n8n exited with ${execution.exitCode} and saved no execution: ${lastErrorLine(log)}`;
	if (run.error) return `n8n reported an error: ${run.error.message}`;
	if (execution.exitCode !== 0) return `n8n exited with ${execution.exitCode}: ${lastErrorLine(log)}`;
	return undefined;
}

function lastErrorLine(log: string): string {
	const lines = log.split('\n').map((l) => l.trim()).filter(Boolean);
	return (lines.reverse().find((l) => /error/i.test(l)) ?? lines[0] ?? '').slice(0, 300);
}

const AUDIENCE_OF: Partial<Record<Way, string>> = {
	audience: AUDIENCE_NAME,
	audiencePerContact: AUDIENCE_NAME,
	httpPerItem: HTTP_AUDIENCE_NAME,
	httpBodies: BODIES_AUDIENCE_NAME,
	deltaNumeric: AUDIENCE_NAME,
	deltaEmail: AUDIENCE_NAME,
	deltaUuid: AUDIENCE_NAME,
};

/** The workflow a step runs: (f) has one per repeat (a new one starts without static data) and stage kind (tracked or plain). */
function workflowOf(step: Step): string {
	if (!step.stage || !isDeltaWay(step.way)) return workflowId(step.way, step.items);
	return deltaWorkflowId(step.way, step.stage, step.items, step.latencyMs, step.repeat);
}

/**
 * What the Items node of (f) produces this run: the driver answers the workflow's "Input" HTTP Request node on loopback
 * with `{ changed }` (run 1: false; run 2 and the plain Update: true).
 */
interface InputFlag {
	url: string;
	changed: boolean;
	server: Server;
}

async function startInputFlag(): Promise<InputFlag> {
	const flag = { url: '', changed: false } as InputFlag;
	flag.server = createServer((request, response) => {
		response.writeHead(200, { 'Content-Type': 'application/json' });
		response.end(JSON.stringify({ changed: flag.changed }));
	});
	await new Promise<void>((resolvePromise) => flag.server.listen(0, '127.0.0.1', resolvePromise));
	flag.url = `http://127.0.0.1:${(flag.server.address() as AddressInfo).port}/bench-input`;
	return flag;
}

async function measure(step: Step, n8n: LocalN8n, tools: ReturnType<typeof provisionN8n>, sandbox: Sandbox, flag: InputFlag): Promise<RunRecord> {
	// (f): run 2 and the plain Update find the audience as the run before left it (a recurring sync); everything else starts afresh.
	if (step.stage === undefined || step.stage === 'first') {
		sandbox.reset();
		const audience = AUDIENCE_OF[step.way];
		if (audience) await createBatchAudience(sandbox, audience);
		if (step.latencyMs > 0) sandbox.setFaults({ rules: [{ kind: 'latency', latencyMs: step.latencyMs }] });
	}
	flag.changed = step.stage === 'changed' || step.stage === 'plain';
	const logStart = sandbox.requests().length;
	const load = loadavg()[0];

	const id = workflowOf(step);
	const label = `${step.way}${step.stage ? `-${step.stage}` : ''}-${step.items}-${step.latencyMs}ms-${step.repeat}`;
	const execution = await timedExecute(n8n, tools, id, label, step.timeoutMs, SKIP_PRINT_ENV);
	await sandbox.whenIdle();
	const requests = sandbox.requests().slice(logStart);
	// n8n's printing of the run data is skipped in every run alike: the run is read from n8n's database.
	const run = execution.timedOut || execution.signal ? undefined : readSavedRun(n8n, tools, id);
	const failure = failureOf(execution, run, step.timeoutMs);
	let state: DeltaState | undefined;
	let check;
	if (step.stage && isDeltaWay(step.way)) {
		const saved = readStaticData(n8n, tools, id);
		const snapshot = saved.snapshots[0];
		state = {
			staticDataBytes: saved.bytes,
			snapshotChars: snapshot?.chars,
			trackedMembers: snapshot?.members,
			gzipBytes: snapshot?.gzipBytes,
			rawBytes: snapshot?.rawBytes,
		};
		check = checkDeltaRun(step.way, step.stage, step.items, run, requests, sandbox, saved);
	} else {
		check = checkRun(step.way, step.items, run, requests, sandbox);
	}
	const completed = check.ok && !failure;
	const mb = (kb: number) => Math.round(kb / 1024);
	const nodeTimes = WAYS[step.way].nodes.map((name) => run?.nodes[name]?.executionTime);
	const floorOutput = step.way === 'floor' ? run?.nodes[WAYS.floor.nodes[0]]?.outputs[0]?.items?.[0]?.json : undefined;
	return {
		way: step.way,
		stage: step.stage,
		items: step.items,
		repeat: step.repeat,
		latencyMs: step.latencyMs,
		ok: completed,
		problems: check.problems,
		failure: completed ? undefined : failure ?? check.problems.join('; '),
		requests: check.requests,
		idsSent: check.idsSent,
		sandboxMs: Math.round(requests.reduce((sum, r) => sum + r.durationMs, 0)),
		members: check.members,
		wallMs: Math.round(execution.wallMs),
		nodeMs: nodeTimes.every((t) => t !== undefined) ? nodeTimes.reduce((sum: number, t) => sum + (t as number), 0) : undefined,
		nodeTimes: Object.fromEntries(WAYS[step.way].nodes.map((name, i) => [name, nodeTimes[i]])),
		workMs: typeof floorOutput?.workMs === 'number' ? floorOutput.workMs : undefined,
		itemsNodeMs: run?.nodes[ITEMS_NODE]?.executionTime,
		phases: phasesOf(run, ITEMS_NODE, WAYS[step.way].nodes, execution.startedAt, execution.wallMs, execution.memory.timeline),
		peakTreeRssMb: mb(execution.memory.peakTreeRssKb),
		maxRssMb: execution.maxRssKb === undefined ? undefined : mb(execution.maxRssKb),
		cpuSeconds:
			execution.userSeconds === undefined ? undefined : Math.round(((execution.userSeconds ?? 0) + (execution.systemSeconds ?? 0)) * 10) / 10,
		loadAverage: Math.round(load * 100) / 100,
		// n8n main and its task runner; the short-lived helpers it spawns (a python3 probe) are a few MB.
		processes: execution.memory.processes.filter((p) => p.peakRssKb >= 10 * 1024).map((p) => ({ command: p.command, peakRssMb: mb(p.peakRssKb) })),
		state,
	};
}

function progress(record: RunRecord): string {
	const s = (ms: number | undefined) => (ms === undefined ? '–' : `${(ms / 1000).toFixed(2)} s`);
	return (
		`${record.ok ? 'ok  ' : 'FAIL'} ${record.items.toLocaleString('en-US').padStart(9)} ${labelOf(record.way, record.stage).padEnd(46)} ` +
		`${record.latencyMs ? `latency ${record.latencyMs} ms ` : ''}#${record.repeat}: ` +
		`wall ${s(record.wallMs)}, node ${s(record.nodeMs)}${record.workMs !== undefined ? ` (work ${s(record.workMs)})` : ''}, Items ${s(record.itemsNodeMs)}, ` +
		`${record.requests} requests (sandbox busy ${s(record.sandboxMs)}), ` +
		`peak tree ${record.peakTreeRssMb} MB (max process ${record.maxRssMb ?? '–'} MB), CPU ${record.cpuSeconds ?? '–'} s, load ${record.loadAverage}` +
		(record.state ? `, static data ${record.state.staticDataBytes} bytes (snapshot ${record.state.snapshotChars ?? '–'} chars, ${record.state.trackedMembers ?? '–'} members)` : '') +
		(record.ok ? '' : `\n     ${record.failure}`) +
		(record.phases ? `\n     ${phaseLine(record.phases)}` : '')
	);
}

function phaseLine(p: Phases): string {
	const s = (ms: number) => `${(ms / 1000).toFixed(2)} s`;
	return (
		`start-up ${s(p.startupMs)} (${p.peakMb.startup} MB) | Code node ${s(p.codeNodeMs)} (${p.peakMb.codeNode} MB) | hand-over ${s(p.handOverMs)} (${p.peakMb.handOver} MB) | ` +
		`measured node ${s(p.measuredNodeMs)} (${p.peakMb.measuredNode} MB) | after: save, exit ${s(p.afterMs)} (${p.peakMb.after} MB)`
	);
}

/** Renders a saved result again (after a change to the report, without measuring again). */
function renderAgain(name: string): void {
	const saved = JSON.parse(readFileSync(join(RESULTS, `${name}.json`), 'utf8'));
	const summaries = summarize(saved.runs);
	const ratios = computeRatios(summaries);
	writeFileSync(join(RESULTS, `${name}.json`), `${JSON.stringify({ ...saved, ratios, summaries }, null, 2)}\n`);
	writeFileSync(join(RESULTS, `${name}.md`), markdownReport(summaries, ratios, saved.machine, saved.settings));
	console.log(`${consoleReport(summaries, ratios)}\n\nWritten: bench/results/${name}.json, bench/results/${name}.md`);
}

async function main(): Promise<void> {
	const options = parseOptions(process.argv.slice(2));
	if (options.report) return renderAgain(options.report);
	const tools = provisionN8n();
	const machine = describeMachine(tools);
	const saved: RunRecord[] = options.resume ? (JSON.parse(readFileSync(join(RESULTS, `${options.out}.json`), 'utf8')).runs as RunRecord[]) : [];
	const group = (r: { way: Way; items: number; latencyMs: number; repeat: number }) => `${r.way}|${r.items}|${r.latencyMs}|${r.repeat}`;
	const key = (r: { way: Way; stage?: DeltaStage; items: number; latencyMs: number; repeat: number }) => `${group(r)}|${r.stage ?? ''}`;
	const all = plan(options);
	// (f)'s three runs build on each other (static data, the audience): a group missing any of them is measured again whole.
	const savedKeys = new Set(saved.map(key));
	const incomplete = new Set(all.filter((step) => step.stage && !savedKeys.has(key(step))).map(group));
	const done = saved.filter((r) => !incomplete.has(group(r)));
	const measured = new Set(done.map(key));
	const steps = all.filter((step) => !measured.has(key(step)));
	const sandbox = await startSandbox({ port: 0, indexingDelayMs: 0 });
	const flag = await startInputFlag();
	const n8n = new LocalN8n(tools);
	const runs: RunRecord[] = [...done];
	mkdirSync(RESULTS, { recursive: true });
	const settings = {
		full: options.full,
		repeats: options.repeats,
		sizes: options.sizes,
		latencyMs: options.latencyMs,
		latencySizes: options.latencyMs > 0 ? options.latencySizes : [],
		latencyRepeats: options.latencyMs > 0 ? options.latencyRepeats : 0,
		ways: options.ways ?? 'all',
		timeoutMinutes: options.timeoutMinutes,
	};
	const save = (complete: boolean) => {
		const summaries = summarize(runs);
		const ratios = computeRatios(summaries);
		writeFileSync(join(RESULTS, `${options.out}.json`), `${JSON.stringify({ complete, machine, settings, ratios, summaries, runs }, null, 2)}\n`);
		return { summaries, ratios };
	};

	try {
		console.log(
			`n8n ${machine.n8nVersion} on Node ${machine.n8nNode}; ${machine.nproc} CPUs, ${machine.memoryGb} GB; sandbox ${sandbox.url}; ${steps.length} runs`,
		);
		const wanted = [...new Map(steps.map((step) => [workflowOf(step), step])).values()];
		const warmUp = benchWorkflow('passThrough', 100, sandbox.url);
		await n8n.importCredentials(sandboxCredentials(sandbox.url));
		const workflowFor = (s: Step) =>
			s.stage && isDeltaWay(s.way) ? deltaWorkflow(s.way, s.stage, s.items, flag.url, workflowOf(s)) : benchWorkflow(s.way, s.items, sandbox.url);
		await n8n.importWorkflows([warmUp, ...wanted.map(workflowFor)]);
		// The first n8n start on a machine reads everything from disk: not measured.
		await timedExecute(n8n, tools, warmUp.id, 'warm-up', 5 * 60_000, SKIP_PRINT_ENV);

		for (const step of steps) {
			const record = await measure(step, n8n, tools, sandbox, flag);
			runs.push(record);
			console.log(progress(record));
			save(false);
		}
	} finally {
		n8n.dispose();
		await sandbox.stop();
		flag.server.close();
	}

	const { summaries, ratios } = save(true);
	writeFileSync(join(RESULTS, `${options.out}.md`), markdownReport(summaries, ratios, machine, settings));
	console.log(`\n${consoleReport(summaries, ratios)}\n\nWritten: bench/results/${options.out}.json, bench/results/${options.out}.md`);
}

main().catch((error) => {
	console.error(error);
	process.exit(1);
});
