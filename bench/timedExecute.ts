import { spawn } from 'child_process';
import { closeSync, existsSync, openSync, readFileSync, readSync, statSync } from 'fs';
import { join } from 'path';
import type { LocalN8n, Toolchain } from '../harness/n8n';
import { ProcessTreeSampler, type TreeMemory } from './processTreeMemory';
import { summarizeRunOutput, type RunSummary } from './runDataSummary';

/**
 * One `n8n execute --id=<id> --rawOutput` under GNU time, with its stdout streamed to a file (the
 * run data of 1,000,000 items is far too large to collect in memory), the process tree's memory
 * sampled from /proc, and a time limit after which the whole tree is killed.
 */
export interface TimedExecution {
	/** Epoch ms when n8n was spawned. */
	startedAt: number;
	/** From spawning n8n to its exit, ms: startup, the run, printing the run data, shutdown. */
	wallMs: number;
	exitCode: number | null;
	signal: NodeJS.Signals | null;
	timedOut: boolean;
	/** GNU time: largest resident set of n8n or any child it waited for, KiB. */
	maxRssKb?: number;
	/** GNU time: CPU seconds in user and kernel mode, n8n and the children it waited for. */
	userSeconds?: number;
	systemSeconds?: number;
	memory: TreeMemory;
	/** Size of what n8n printed (the run data), bytes. */
	outputBytes: number;
	run?: RunSummary;
	/** The last lines n8n printed on stderr and the first stdout lines, when the run did not work. */
	logTail: string;
}

const GNU_TIME = '/usr/bin/time';
const TIME_FORMAT = 'bench-time %M %U %S';

export async function timedExecute(
	n8n: LocalN8n,
	tools: Toolchain,
	workflowId: string,
	label: string,
	timeoutMs: number,
	extraEnv: Record<string, string> = {},
): Promise<TimedExecution> {
	const stdoutFile = join(n8n.folder, `${label}.stdout`);
	const stderrFile = join(n8n.folder, `${label}.stderr`);
	const timeFile = join(n8n.folder, `${label}.time`);
	const stdout = openSync(stdoutFile, 'w');
	const stderr = openSync(stderrFile, 'w');

	const startedAt = Date.now();
	const started = process.hrtime.bigint();
	const child = spawn(
		GNU_TIME,
		['-f', TIME_FORMAT, '-o', timeFile, tools.node, tools.n8n, 'execute', `--id=${workflowId}`, '--rawOutput'],
		{ env: n8n.env(extraEnv), cwd: n8n.folder, stdio: ['ignore', stdout, stderr], detached: true },
	);
	const sampler = new ProcessTreeSampler(child.pid as number, 50, true);
	sampler.start();
	let timedOut = false;
	const timer = setTimeout(() => {
		timedOut = true;
		try {
			process.kill(-(child.pid as number), 'SIGKILL'); // the whole group: time, n8n, its runner
		} catch {
			/* already gone */
		}
	}, timeoutMs);
	const { code, signal } = await new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
		child.on('exit', (exitCode, exitSignal) => resolve({ code: exitCode, signal: exitSignal })),
	);
	const wallMs = Number(process.hrtime.bigint() - started) / 1e6;
	clearTimeout(timer);
	const memory = sampler.stop();
	closeSync(stdout);
	closeSync(stderr);

	const timeLine = existsSync(timeFile)
		? readFileSync(timeFile, 'utf8').split('\n').find((line) => line.startsWith('bench-time '))
		: undefined;
	const [maxRss, user, system] = timeLine?.split(' ').slice(1).map(Number) ?? [];

	let run: RunSummary | undefined;
	let parseError = '';
	try {
		run = await summarizeRunOutput(stdoutFile);
	} catch (error) {
		parseError = `unreadable run data: ${(error as Error).message}`;
	}
	const worked = code === 0 && run && !run.error;
	return {
		startedAt,
		wallMs,
		exitCode: code,
		signal,
		timedOut,
		maxRssKb: maxRss,
		userSeconds: user,
		systemSeconds: system,
		memory,
		outputBytes: statSync(stdoutFile).size,
		run,
		logTail: worked ? '' : [parseError, tail(stderrFile, 3000), head(stdoutFile, 3000), tail(stdoutFile, 3000)].filter(Boolean).join('\n'),
	};
}

/** The last bytes of a file that may be hundreds of MB (the run data), without reading all of it. */
function tail(file: string, bytes: number): string {
	return slice(file, Math.max(0, statSync(file).size - bytes), bytes);
}

function head(file: string, bytes: number): string {
	return slice(file, 0, bytes);
}

function slice(file: string, position: number, bytes: number): string {
	const fd = openSync(file, 'r');
	const buffer = Buffer.alloc(bytes);
	const read = readSync(fd, buffer, 0, bytes, position);
	closeSync(fd);
	return buffer.subarray(0, read).toString('utf8');
}
