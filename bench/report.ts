import type { Machine } from './machine';
import type { Phases } from './phases';
import { WAYS, type Way } from './workflows';

/** One measured `n8n execute`. */
export interface RunRecord {
	way: Way;
	items: number;
	repeat: number;
	ok: boolean;
	problems: string[];
	/** Why a run did not complete (timeout, out of memory, n8n error), when it did not. */
	failure?: string;
	/** A run that completed with a caveat (e.g. its run data read from n8n's database). */
	note?: string;
	/** Wall time and peak memory by phase of the run. */
	phases?: Phases;
	requests: number;
	idsSent: number;
	/** Sum of the sandbox's own handling time over the requests (parsing, validating, replying), ms. */
	sandboxMs: number;
	members?: number;
	wallMs: number;
	/** The measured node's own executionTime from the run data. */
	nodeMs?: number;
	/** The Code node's executionTime (generating the items, via the task runner). */
	itemsNodeMs?: number;
	/** Peak of the summed RSS of the n8n process tree (sampled every 50 ms), MB. */
	peakTreeRssMb: number;
	/** GNU time %M: the largest single process of the tree, MB. */
	maxRssMb?: number;
	cpuSeconds?: number;
	/** Size of the run data `n8n execute` printed, MB. */
	outputMb: number;
	loadAverage: number;
	processes: Array<{ command: string; peakRssMb: number }>;
}

export interface ScenarioSummary {
	way: Way;
	label: string;
	items: number;
	runs: number;
	okRuns: number;
	requests?: number;
	wallMs?: number;
	nodeMs?: number;
	sandboxMs?: number;
	itemsNodeMs?: number;
	peakTreeRssMb?: number;
	maxRssMb?: number;
	cpuSeconds?: number;
	failure?: string;
	note?: string;
	/** Medians of each phase's duration, ms. */
	phases?: { startupMs: number; codeNodeMs: number; handOverMs: number; measuredNodeMs: number; afterMs: number };
}

export interface Ratios {
	audienceOverheadAt100k?: {
		wallAudienceMs: number;
		wallPassThroughMs: number;
		/** (wall(a) - wall(c)) / wall(c). */
		byWallPercent: number;
		/** (executionTime(a) - executionTime(c)) / wall(c). */
		byNodeTimePercent: number;
		/** (CPU(a) - CPU(c)) / CPU(c), n8n's process tree: barely moved by other load on the machine. */
		byCpuPercent?: number;
		targetPercent: 25;
		met: boolean;
	};
	speedUpAt10k?: {
		wallHttpMs: number;
		wallAudienceMs: number;
		/** wall(b) / wall(a): includes n8n's fixed start-up and exit (seconds) in both. */
		byWall: number;
		/** executionTime(b) / executionTime(a): the nodes' own work, what the target is judged on. */
		byNodeTime: number;
		nodeHttpMs: number;
		nodeAudienceMs: number;
		requestsHttp: number;
		requestsAudience: number;
		target: 100;
		met: boolean;
	};
	million: {
		audience: MillionResult & { requests?: number };
		passThrough: MillionResult;
		/** Same overhead figure as at 100,000, when both completed. */
		byWallPercent?: number;
		byNodeTimePercent?: number;
	};
}

export interface MillionResult {
	completed: boolean;
	wallMs?: number;
	nodeMs?: number;
	peakTreeRssMb?: number;
	maxRssMb?: number;
	failure?: string;
	note?: string;
}

export function median(values: number[]): number | undefined {
	if (values.length === 0) return undefined;
	const sorted = [...values].sort((a, b) => a - b);
	const mid = Math.floor(sorted.length / 2);
	return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

const defined = (values: Array<number | undefined>) => values.filter((v): v is number => v !== undefined);

export function summarize(runs: RunRecord[]): ScenarioSummary[] {
	const keys = [...new Set(runs.map((r) => `${r.items}|${r.way}`))];
	return keys.map((key) => {
		const group = runs.filter((r) => `${r.items}|${r.way}` === key);
		const ok = group.filter((r) => r.ok);
		const { way, items } = group[0];
		return {
			way,
			label: WAYS[way].label,
			items,
			runs: group.length,
			okRuns: ok.length,
			requests: median(ok.map((r) => r.requests)),
			wallMs: median(ok.map((r) => r.wallMs)),
			nodeMs: median(defined(ok.map((r) => r.nodeMs))),
			sandboxMs: median(ok.map((r) => r.sandboxMs)),
			itemsNodeMs: median(defined(ok.map((r) => r.itemsNodeMs))),
			peakTreeRssMb: median(ok.map((r) => r.peakTreeRssMb)),
			maxRssMb: median(defined(ok.map((r) => r.maxRssMb))),
			cpuSeconds: median(defined(ok.map((r) => r.cpuSeconds))),
			note: ok.find((r) => r.note)?.note,
			phases: phaseMedians(ok),
			failure: ok.length === group.length ? undefined : group.find((r) => !r.ok)?.failure ?? group.find((r) => !r.ok)?.problems.join('; '),
		};
	});
}

function phaseMedians(runs: RunRecord[]): ScenarioSummary['phases'] {
	const withPhases = runs.map((r) => r.phases).filter((p): p is Phases => p !== undefined);
	if (withPhases.length === 0) return undefined;
	const of = (key: 'startupMs' | 'codeNodeMs' | 'handOverMs' | 'measuredNodeMs' | 'afterMs') => median(withPhases.map((p) => p[key])) as number;
	return { startupMs: of('startupMs'), codeNodeMs: of('codeNodeMs'), handOverMs: of('handOverMs'), measuredNodeMs: of('measuredNodeMs'), afterMs: of('afterMs') };
}

const find = (summaries: ScenarioSummary[], way: Way, items: number) =>
	summaries.find((s) => s.way === way && s.items === items && s.okRuns > 0);

const pct = (value: number) => Math.round(value * 1000) / 10;

export function computeRatios(summaries: ScenarioSummary[]): Ratios {
	const ratios: Ratios = { million: { audience: { completed: false }, passThrough: { completed: false } } };
	const a100 = find(summaries, 'audience', 100_000);
	const c100 = find(summaries, 'passThrough', 100_000);
	if (a100?.wallMs && c100?.wallMs) {
		const byWall = pct((a100.wallMs - c100.wallMs) / c100.wallMs);
		ratios.audienceOverheadAt100k = {
			wallAudienceMs: a100.wallMs,
			wallPassThroughMs: c100.wallMs,
			byWallPercent: byWall,
			byNodeTimePercent: pct(((a100.nodeMs ?? 0) - (c100.nodeMs ?? 0)) / c100.wallMs),
			byCpuPercent: a100.cpuSeconds && c100.cpuSeconds ? pct((a100.cpuSeconds - c100.cpuSeconds) / c100.cpuSeconds) : undefined,
			targetPercent: 25,
			met: byWall <= 25,
		};
	}
	const a10 = find(summaries, 'audience', 10_000);
	const b10 = find(summaries, 'httpPerItem', 10_000);
	if (a10?.wallMs && b10?.wallMs) {
		const byNodeTime = Math.round(((b10.nodeMs ?? 0) / Math.max(a10.nodeMs ?? 1, 1)) * 10) / 10;
		ratios.speedUpAt10k = {
			wallHttpMs: b10.wallMs,
			wallAudienceMs: a10.wallMs,
			byWall: Math.round((b10.wallMs / a10.wallMs) * 10) / 10,
			byNodeTime,
			nodeHttpMs: b10.nodeMs ?? 0,
			nodeAudienceMs: a10.nodeMs ?? 0,
			requestsHttp: b10.requests ?? 0,
			requestsAudience: a10.requests ?? 0,
			target: 100,
			met: byNodeTime >= 100,
		};
	}
	for (const way of ['audience', 'passThrough'] as const) {
		const all = summaries.find((s) => s.way === way && s.items === 1_000_000);
		if (!all) continue;
		const done = all.okRuns > 0;
		ratios.million[way] = {
			completed: done,
			wallMs: done ? all.wallMs : undefined,
			nodeMs: done ? all.nodeMs : undefined,
			peakTreeRssMb: done ? all.peakTreeRssMb : undefined,
			maxRssMb: done ? all.maxRssMb : undefined,
			...(way === 'audience' ? { requests: done ? all.requests : undefined } : {}),
			failure: all.failure,
			note: all.note,
		};
	}
	const a1m = find(summaries, 'audience', 1_000_000);
	const c1m = find(summaries, 'passThrough', 1_000_000);
	if (a1m?.wallMs && c1m?.wallMs) {
		ratios.million.byWallPercent = pct((a1m.wallMs - c1m.wallMs) / c1m.wallMs);
		ratios.million.byNodeTimePercent = pct(((a1m.nodeMs ?? 0) - (c1m.nodeMs ?? 0)) / c1m.wallMs);
	}
	return ratios;
}

const int = (n: number | undefined) => (n === undefined ? '–' : Math.round(n).toLocaleString('en-US'));
const sec = (ms: number | undefined) => (ms === undefined ? '–' : (ms / 1000).toFixed(2));

const HEADER = [
	'items',
	'way',
	'runs ok',
	'requests',
	'wall s',
	'node s',
	'sandbox s',
	'Code node s',
	'start-up s',
	'hand-over s',
	'after s',
	'peak tree RSS MB',
	'max process RSS MB',
	'CPU s',
];

function rows(summaries: ScenarioSummary[]): string[][] {
	return summaries.map((s) => [
		int(s.items),
		s.label,
		`${s.okRuns}/${s.runs}${s.note ? ' *' : ''}`,
		int(s.requests),
		s.okRuns ? sec(s.wallMs) : `failed: ${s.failure ?? ''}`.slice(0, 60),
		sec(s.nodeMs),
		sec(s.sandboxMs),
		sec(s.itemsNodeMs),
		sec(s.phases?.startupMs),
		sec(s.phases?.handOverMs),
		sec(s.phases?.afterMs),
		int(s.peakTreeRssMb),
		int(s.maxRssMb),
		s.cpuSeconds === undefined ? '–' : s.cpuSeconds.toFixed(1),
	]);
}

function notes(summaries: ScenarioSummary[]): string[] {
	return summaries
		.filter((s) => s.note || (s.failure && s.okRuns > 0))
		.map((s) => `${s.note ? '* ' : ''}${int(s.items)} ${s.label}: ${s.note ?? `${s.runs - s.okRuns} run(s) failed: ${s.failure}`}`);
}

export function ratioLines(ratios: Ratios): string[] {
	const lines: string[] = [];
	const o = ratios.audienceOverheadAt100k;
	lines.push(
		o
			? `(1) Audience node's added wall time over the pass-through at 100,000 items: ${o.byWallPercent}% by workflow wall time ` +
					`(${sec(o.wallAudienceMs)} s vs ${sec(o.wallPassThroughMs)} s), ${o.byNodeTimePercent}% by node executionTime` +
					`${o.byCpuPercent !== undefined ? `, ${o.byCpuPercent}% by CPU time of n8n's processes` : ''}; target <= 25% (wall): ${o.met ? 'MET' : 'MISSED'}`
			: '(1) Audience node overhead at 100,000 items: not measured (a run failed or was skipped)',
	);
	const s = ratios.speedUpAt10k;
	lines.push(
		s
			? `(2) Speed-up of the Audience node over HTTP Request (1 request per item) at 10,000 items: ${s.byNodeTime}x by node executionTime ` +
					`(${sec(s.nodeHttpMs)} s vs ${sec(s.nodeAudienceMs)} s), ${s.byWall}x by workflow wall time (${sec(s.wallHttpMs)} s vs ${sec(s.wallAudienceMs)} s, both including n8n's fixed start-up); ` +
					`${int(s.requestsHttp)} vs ${int(s.requestsAudience)} requests; target >= 100x (node time): ${s.met ? 'MET' : 'MISSED'}`
			: '(2) Speed-up at 10,000 items: not measured (a run failed or was skipped)',
	);
	const m = ratios.million;
	const describe = (name: string, r: Ratios['million']['audience']) =>
		r.completed
			? `${name} completed in ${sec(r.wallMs)} s (node ${sec(r.nodeMs)} s), peak tree RSS ${int(r.peakTreeRssMb)} MB (largest process ${int(r.maxRssMb)} MB)` +
				(r.note ? ` [${r.note}]` : '')
			: `${name} did NOT complete: ${r.failure ?? 'not run'}`;
	lines.push(
		`(3) 1,000,000 items: ${describe('Audience', m.audience)}${m.audience.requests ? `, ${m.audience.requests} requests` : ''}; ${describe('pass-through', m.passThrough)}` +
			(m.byWallPercent !== undefined
				? `; added wall time ${m.byWallPercent}% (node executionTime ${m.byNodeTimePercent}%)` +
					(m.audience.note || m.passThrough.note ? ' — wall times not comparable: one n8n execute stopped at printing its run data' : '')
				: ''),
	);
	return lines;
}

export function consoleReport(summaries: ScenarioSummary[], ratios: Ratios): string {
	const table = [HEADER, ...rows(summaries)];
	const widths = HEADER.map((_, c) => Math.max(...table.map((row) => row[c].length)));
	const line = (row: string[]) => row.map((cell, c) => (c <= 1 ? cell.padEnd(widths[c]) : cell.padStart(widths[c]))).join('  ');
	return [line(HEADER), widths.map((w) => '-'.repeat(w)).join('  '), ...rows(summaries).map(line), ...notes(summaries), '', ...ratioLines(ratios)].join('\n');
}

export function markdownReport(summaries: ScenarioSummary[], ratios: Ratios, machine: Machine, settings: Record<string, unknown>): string {
	const md = (row: string[]) => `| ${row.join(' | ')} |`;
	return [
		'# Benchmark: Audience node vs HTTP Request vs pass-through (real n8n)',
		'',
		`${machine.date} — ${machine.nproc} CPUs (${machine.cpuModel}), ${machine.memoryGb} GB RAM, Linux ${machine.kernel}; ` +
			`n8n ${machine.n8nVersion} on Node ${machine.n8nNode} (bench driver and sandbox on Node ${machine.benchNode}); load average at start ${machine.loadAverageAtStart.join(' / ')}.`,
		'',
		`Settings: ${JSON.stringify(settings)}. Medians of the runs that passed their correctness check; 1,000,000 items: one run.`,
		'',
		'wall = the whole `n8n execute` (startup, run, printing the run data, exit); node = the measured node\'s executionTime; ' +
			'sandbox = the local Batch API\'s own time on the requests (summed, from its request log); Code node = generating the items; start-up = spawn to the Code node; hand-over = Code node end to the measured node; after = the measured node\'s end to exit (saving the execution, printing the run data, shutting down); peak tree RSS = highest summed RSS of n8n and its task runner (sampled every 50 ms); ' +
			'max process RSS = GNU time %M (largest single process); CPU = user + system seconds of the tree.',
		'',
		md(HEADER),
		md(HEADER.map((_, c) => (c <= 1 ? '---' : '---:'))),
		...rows(summaries).map(md),
		'',
		...notes(summaries),
		'',
		...ratioLines(ratios).map((l) => `- ${l}`),
		'',
	].join('\n');
}
