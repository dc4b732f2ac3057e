import type { Machine } from './machine';
import type { Phases } from './phases';
import { DELTA_STAGE_LABEL, type DeltaStage, ID_KIND, isDeltaWay, WAYS, type Way } from './workflows';

/** One measured `n8n execute`. */
export interface RunRecord {
	way: Way;
	/** (f) change tracking: which of its runs (first run, run 2, plain Update of run 2's input). */
	stage?: DeltaStage;
	items: number;
	repeat: number;
	/** Latency the sandbox added to every request, ms (0 = none). */
	latencyMs: number;
	ok: boolean;
	problems: string[];
	/** Why a run did not complete (timeout, out of memory, n8n error), when it did not. */
	failure?: string;
	/** Wall time and peak memory by phase of the run. */
	phases?: Phases;
	requests: number;
	idsSent: number;
	/** Sum of the sandbox's own handling time over the requests (parsing, validating, replying, added latency), ms. */
	sandboxMs: number;
	members?: number;
	wallMs: number;
	/** The measured nodes' executionTime from the run data, summed. */
	nodeMs?: number;
	/** executionTime of each measured node. */
	nodeTimes?: Record<string, number | undefined>;
	/** The floor only: its work as timed inside the Code node (without n8n moving the items to its task runner and back). */
	workMs?: number;
	/** The Code node's executionTime (generating the items, via the task runner). */
	itemsNodeMs?: number;
	/** Peak of the summed RSS of the n8n process tree (sampled every 50 ms), MB. */
	peakTreeRssMb: number;
	/** GNU time %M: the largest single process of the tree, MB. */
	maxRssMb?: number;
	cpuSeconds?: number;
	loadAverage: number;
	processes: Array<{ command: string; peakRssMb: number }>;
	/** (f): the workflow's static data as n8n saved it after this run. */
	state?: DeltaState;
}

/** What change tracking left in n8n's database after a run. */
export interface DeltaState {
	/** Bytes of `workflow_entity.staticData`. */
	staticDataBytes: number;
	/** Length of the snapshot string (base64 of the gzip). */
	snapshotChars?: number;
	/** Members the snapshot tracks. */
	trackedMembers?: number;
	/** The snapshot before base64 and before gzip, bytes. */
	gzipBytes?: number;
	rawBytes?: number;
}

export interface ScenarioSummary {
	way: Way;
	stage?: DeltaStage;
	label: string;
	items: number;
	latencyMs: number;
	runs: number;
	okRuns: number;
	requests?: number;
	idsSent?: number;
	wallMs?: number;
	nodeMs?: number;
	workMs?: number;
	sandboxMs?: number;
	itemsNodeMs?: number;
	peakTreeRssMb?: number;
	maxRssMb?: number;
	cpuSeconds?: number;
	loadAverage?: number;
	failure?: string;
	/** Medians of each phase's duration, ms. */
	phases?: { startupMs: number; codeNodeMs: number; handOverMs: number; measuredNodeMs: number; afterMs: number };
	/** (f): the static data after the run (of the first passing run). */
	state?: DeltaState;
	/** Median peak tree RSS while the measured node(s) ran, MB (the whole run's peak is usually n8n saving the execution afterwards). */
	measuredNodePeakMb?: number;
}

/** (f) against the plain Update: wall, node time, CPU of the tree, peak tree RSS (whole run, and while the node ran), max process RSS. */
export interface DeltaRatios {
	wall?: Ratio;
	node?: Ratio;
	cpu?: Ratio;
	peakMemory?: Ratio;
	nodePhasePeakMemory?: Ratio;
	maxProcessMemory?: Ratio;
}

/** a / b, 2 decimals. */
export interface Ratio {
	value: number;
	of: number;
	to: number;
}

export interface Ratios {
	/** Audience node time / floor node time (target <= 1.5), no latency. */
	audienceOverFloor: Array<{ items: number; byNodeTime?: Ratio; byWork?: Ratio; target: 1.5; met?: boolean }>;
	/** At 1,000,000 items: Audience / pass-through, wall (target <= 1.25) and peak memory (target <= 1.15). */
	million?: { wall?: Ratio; peakMemory?: Ratio; wallTarget: 1.25; memoryTarget: 1.15; met?: boolean };
	/** At 10,000 items: one request per item / Audience, by node time (target >= 100). */
	speedUpAt10k?: { byNodeTime: Ratio; byWall: Ratio; requestsHttp: number; requestsAudience: number; target: 100; met: boolean };
	/** (wall(a) - wall(c)) / wall(c) at 100,000 items, %. */
	audienceOverheadAt100k?: { byWallPercent: number; wallAudienceMs: number; wallPassThroughMs: number };
	/** Node version 2's output, one item per contact (a2), against version 1's, one per request (a), and the pass-through (c), per size. */
	perContact: Array<{
		items: number;
		latencyMs: number;
		overPerRequest: { wall?: Ratio; node?: Ratio; peakMemory?: Ratio; maxProcessMemory?: Ratio };
		overPassThrough: { wall?: Ratio; peakMemory?: Ratio; maxProcessMemory?: Ratio };
	}>;
	/** (f) Change tracking, per kind of id and size: run 2 and the first run against the plain Update of run 2's input. */
	delta: Array<{
		way: Way;
		items: number;
		latencyMs: number;
		changedOverPlain: DeltaRatios;
		firstOverPlain: DeltaRatios;
	}>;
	/** With latency: the Audience node against (e), per size. */
	latency: Array<{
		items: number;
		latencyMs: number;
		audience?: { requests?: number; nodeMs?: number; wallMs?: number };
		httpBodies?: { requests?: number; nodeMs?: number; wallMs?: number };
		byNodeTime?: Ratio;
		byWall?: Ratio;
	}>;
}

export function median(values: number[]): number | undefined {
	if (values.length === 0) return undefined;
	const sorted = [...values].sort((a, b) => a - b);
	const mid = Math.floor(sorted.length / 2);
	return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

const defined = (values: Array<number | undefined>) => values.filter((v): v is number => v !== undefined);

export function summarize(runs: RunRecord[]): ScenarioSummary[] {
	const keyOf = (r: RunRecord) => `${r.latencyMs ?? 0}|${r.items}|${r.way}|${r.stage ?? ''}`;
	const keys = [...new Set(runs.map(keyOf))];
	return keys.map((key) => {
		const group = runs.filter((r) => keyOf(r) === key);
		const ok = group.filter((r) => r.ok);
		const { way, items, stage } = group[0];
		return {
			way,
			stage,
			label: labelOf(way, stage),
			items,
			latencyMs: group[0].latencyMs ?? 0,
			runs: group.length,
			okRuns: ok.length,
			requests: median(ok.map((r) => r.requests)),
			idsSent: median(ok.map((r) => r.idsSent)),
			wallMs: median(ok.map((r) => r.wallMs)),
			nodeMs: median(defined(ok.map((r) => r.nodeMs))),
			workMs: median(defined(ok.map((r) => r.workMs))),
			sandboxMs: median(ok.map((r) => r.sandboxMs)),
			itemsNodeMs: median(defined(ok.map((r) => r.itemsNodeMs))),
			peakTreeRssMb: median(ok.map((r) => r.peakTreeRssMb)),
			maxRssMb: median(defined(ok.map((r) => r.maxRssMb))),
			cpuSeconds: median(defined(ok.map((r) => r.cpuSeconds))),
			loadAverage: median(group.map((r) => r.loadAverage)),
			phases: phaseMedians(ok),
			state: ok.find((r) => r.state)?.state,
			measuredNodePeakMb: median(defined(ok.map((r) => r.phases?.peakMb.measuredNode))),
			failure: ok.length === group.length ? undefined : group.find((r) => !r.ok)?.failure ?? group.find((r) => !r.ok)?.problems.join('; '),
		};
	});
}

export function labelOf(way: Way, stage?: DeltaStage): string {
	return stage ? `${WAYS[way].label}: ${DELTA_STAGE_LABEL[stage]}` : WAYS[way].label;
}

function phaseMedians(runs: RunRecord[]): ScenarioSummary['phases'] {
	const withPhases = runs.map((r) => r.phases).filter((p): p is Phases => p !== undefined);
	if (withPhases.length === 0) return undefined;
	const of = (key: 'startupMs' | 'codeNodeMs' | 'handOverMs' | 'measuredNodeMs' | 'afterMs') => median(withPhases.map((p) => p[key])) as number;
	return { startupMs: of('startupMs'), codeNodeMs: of('codeNodeMs'), handOverMs: of('handOverMs'), measuredNodeMs: of('measuredNodeMs'), afterMs: of('afterMs') };
}

const find = (summaries: ScenarioSummary[], way: Way, items: number, latencyMs = 0, stage?: DeltaStage) =>
	summaries.find((s) => s.way === way && s.items === items && s.latencyMs === latencyMs && s.stage === stage && s.okRuns > 0);

const pct = (value: number) => Math.round(value * 1000) / 10;

function ratio(of: number | undefined, to: number | undefined): Ratio | undefined {
	if (of === undefined || to === undefined || to <= 0) return undefined;
	return { value: Math.round((of / to) * 100) / 100, of, to };
}

export function computeRatios(summaries: ScenarioSummary[]): Ratios {
	const ratios: Ratios = { audienceOverFloor: [], perContact: [], delta: [], latency: [] };
	for (const items of [100_000, 1_000_000]) {
		const a = find(summaries, 'audience', items);
		const d = find(summaries, 'floor', items);
		if (!a || !d) continue;
		const byNodeTime = ratio(a.nodeMs, d.nodeMs);
		ratios.audienceOverFloor.push({ items, byNodeTime, byWork: ratio(a.nodeMs, d.workMs), target: 1.5, met: byNodeTime && byNodeTime.value <= 1.5 });
	}
	const a1m = find(summaries, 'audience', 1_000_000);
	const c1m = find(summaries, 'passThrough', 1_000_000);
	if (a1m && c1m) {
		const wall = ratio(a1m.wallMs, c1m.wallMs);
		const peakMemory = ratio(a1m.peakTreeRssMb, c1m.peakTreeRssMb);
		ratios.million = { wall, peakMemory, wallTarget: 1.25, memoryTarget: 1.15, met: wall && peakMemory && wall.value <= 1.25 && peakMemory.value <= 1.15 };
	}
	const a10 = find(summaries, 'audience', 10_000);
	const b10 = find(summaries, 'httpPerItem', 10_000);
	const byNodeTime = ratio(b10?.nodeMs, a10?.nodeMs);
	const byWall = ratio(b10?.wallMs, a10?.wallMs);
	if (a10 && b10 && byNodeTime && byWall) {
		ratios.speedUpAt10k = { byNodeTime, byWall, requestsHttp: b10.requests ?? 0, requestsAudience: a10.requests ?? 0, target: 100, met: byNodeTime.value >= 100 };
	}
	const a100 = find(summaries, 'audience', 100_000);
	const c100 = find(summaries, 'passThrough', 100_000);
	if (a100?.wallMs && c100?.wallMs) {
		ratios.audienceOverheadAt100k = { byWallPercent: pct((a100.wallMs - c100.wallMs) / c100.wallMs), wallAudienceMs: a100.wallMs, wallPassThroughMs: c100.wallMs };
	}
	for (const s of summaries.filter((s) => s.way === 'audiencePerContact' && s.okRuns > 0)) {
		const a = find(summaries, 'audience', s.items, s.latencyMs);
		const c = find(summaries, 'passThrough', s.items, s.latencyMs);
		ratios.perContact.push({
			items: s.items,
			latencyMs: s.latencyMs,
			overPerRequest: {
				wall: ratio(s.wallMs, a?.wallMs),
				node: ratio(s.nodeMs, a?.nodeMs),
				peakMemory: ratio(s.peakTreeRssMb, a?.peakTreeRssMb),
				maxProcessMemory: ratio(s.maxRssMb, a?.maxRssMb),
			},
			overPassThrough: { wall: ratio(s.wallMs, c?.wallMs), peakMemory: ratio(s.peakTreeRssMb, c?.peakTreeRssMb), maxProcessMemory: ratio(s.maxRssMb, c?.maxRssMb) },
		});
	}
	for (const plain of summaries.filter((s) => isDeltaWay(s.way) && s.stage === 'plain' && s.okRuns > 0)) {
		const against = (s?: ScenarioSummary): DeltaRatios => ({
			wall: ratio(s?.wallMs, plain.wallMs),
			node: ratio(s?.nodeMs, plain.nodeMs),
			cpu: ratio(s?.cpuSeconds, plain.cpuSeconds),
			peakMemory: ratio(s?.peakTreeRssMb, plain.peakTreeRssMb),
			nodePhasePeakMemory: ratio(s?.measuredNodePeakMb, plain.measuredNodePeakMb),
			maxProcessMemory: ratio(s?.maxRssMb, plain.maxRssMb),
		});
		ratios.delta.push({
			way: plain.way,
			items: plain.items,
			latencyMs: plain.latencyMs,
			changedOverPlain: against(find(summaries, plain.way, plain.items, plain.latencyMs, 'changed')),
			firstOverPlain: against(find(summaries, plain.way, plain.items, plain.latencyMs, 'first')),
		});
	}
	const latencies = [...new Set(summaries.filter((s) => s.latencyMs > 0).map((s) => `${s.latencyMs}|${s.items}`))];
	for (const key of latencies) {
		const [latencyMs, items] = key.split('|').map(Number);
		const a = find(summaries, 'audience', items, latencyMs);
		const e = find(summaries, 'httpBodies', items, latencyMs);
		const pick = (s?: ScenarioSummary) => s && { requests: s.requests, nodeMs: s.nodeMs, wallMs: s.wallMs };
		ratios.latency.push({ items, latencyMs, audience: pick(a), httpBodies: pick(e), byNodeTime: ratio(a?.nodeMs, e?.nodeMs), byWall: ratio(a?.wallMs, e?.wallMs) });
	}
	return ratios;
}

const int = (n: number | undefined) => (n === undefined ? '–' : Math.round(n).toLocaleString('en-US'));
const sec = (ms: number | undefined) => (ms === undefined ? '–' : (ms / 1000).toFixed(2));

const HEADER = [
	'items',
	'way',
	'latency ms',
	'runs ok',
	'requests',
	'wall s',
	'node s',
	'sandbox s',
	'Items node s',
	'start-up s',
	'hand-over s',
	'after s',
	'peak tree RSS MB',
	'max process RSS MB',
	'CPU s',
	'load',
];

function rows(summaries: ScenarioSummary[]): string[][] {
	return summaries.map((s) => [
		int(s.items),
		s.label,
		String(s.latencyMs),
		`${s.okRuns}/${s.runs}`,
		int(s.requests),
		s.okRuns ? sec(s.wallMs) : `failed: ${s.failure ?? ''}`.slice(0, 60),
		s.workMs === undefined ? sec(s.nodeMs) : `${sec(s.nodeMs)} (work ${sec(s.workMs)})`,
		sec(s.sandboxMs),
		sec(s.itemsNodeMs),
		sec(s.phases?.startupMs),
		sec(s.phases?.handOverMs),
		sec(s.phases?.afterMs),
		int(s.peakTreeRssMb),
		int(s.maxRssMb),
		s.cpuSeconds === undefined ? '–' : s.cpuSeconds.toFixed(1),
		s.loadAverage === undefined ? '–' : s.loadAverage.toFixed(1),
	]);
}

function notes(summaries: ScenarioSummary[]): string[] {
	return summaries
		.filter((s) => s.failure && s.okRuns > 0)
		.map((s) => `${int(s.items)} ${s.label}${s.latencyMs ? ` (latency ${s.latencyMs} ms)` : ''}: ${s.runs - s.okRuns} run(s) failed: ${s.failure}`);
}

const x = (r: Ratio | undefined) => (r ? `${r.value.toFixed(2)}x` : '–');
const verdict = (met: boolean | undefined) => (met === undefined ? 'not measured' : met ? 'MET' : 'MISSED');

export function ratioLines(ratios: Ratios): string[] {
	const lines: string[] = [];
	for (const f of ratios.audienceOverFloor) {
		lines.push(
			`(1) ${int(f.items)} items: Audience node time / floor node time = ${x(f.byNodeTime)} (${sec(f.byNodeTime?.of)} s vs ${sec(f.byNodeTime?.to)} s; ` +
				`against the floor's work alone, timed inside its Code node: ${x(f.byWork)}); target <= 1.5x: ${verdict(f.met)}`,
		);
	}
	if (ratios.audienceOverFloor.length === 0) lines.push('(1) Audience vs floor: not measured (a run failed or was skipped)');
	const m = ratios.million;
	lines.push(
		m
			? `(2) 1,000,000 items: Audience wall / pass-through wall = ${x(m.wall)} (${sec(m.wall?.of)} s vs ${sec(m.wall?.to)} s; target <= 1.25x), ` +
					`peak memory ${x(m.peakMemory)} (${int(m.peakMemory?.of)} MB vs ${int(m.peakMemory?.to)} MB; target <= 1.15x): ${verdict(m.met)}`
			: '(2) 1,000,000 items: not measured (a run failed or was skipped)',
	);
	const s = ratios.speedUpAt10k;
	lines.push(
		s
			? `(3) 10,000 items: one request per item / Audience node = ${s.byNodeTime.value}x by node time (${sec(s.byNodeTime.of)} s vs ${sec(s.byNodeTime.to)} s), ` +
					`${s.byWall.value}x by wall (both include n8n's start-up); ${int(s.requestsHttp)} vs ${int(s.requestsAudience)} requests; target >= 100x: ${verdict(s.met)}`
			: '(3) 10,000 items: not measured (a run failed or was skipped)',
	);
	const o = ratios.audienceOverheadAt100k;
	if (o) lines.push(`100,000 items: Audience wall over pass-through wall: +${o.byWallPercent}% (${sec(o.wallAudienceMs)} s vs ${sec(o.wallPassThroughMs)} s)`);
	for (const p of ratios.perContact ?? []) {
		const r = p.overPerRequest;
		const c = p.overPassThrough;
		lines.push(
			`(a2) ${int(p.items)} items${p.latencyMs ? `, ${p.latencyMs} ms latency` : ''}: one item per contact (v2) / one per request (v1): ` +
				`wall ${x(r.wall)} (${sec(r.wall?.of)} s vs ${sec(r.wall?.to)} s), node ${x(r.node)} (${sec(r.node?.of)} s vs ${sec(r.node?.to)} s), ` +
				`peak tree memory ${x(r.peakMemory)} (${int(r.peakMemory?.of)} MB vs ${int(r.peakMemory?.to)} MB), max process ${x(r.maxProcessMemory)}; ` +
				`/ pass-through: wall ${x(c.wall)}, peak tree memory ${x(c.peakMemory)} (${int(c.peakMemory?.of)} MB vs ${int(c.peakMemory?.to)} MB), max process ${x(c.maxProcessMemory)}`,
		);
	}
	for (const d of ratios.delta ?? []) {
		const side = (r: DeltaRatios) =>
			`wall ${x(r.wall)} (${sec(r.wall?.of)} s vs ${sec(r.wall?.to)} s), node ${x(r.node)} (${sec(r.node?.of)} s vs ${sec(r.node?.to)} s), ` +
			`CPU ${x(r.cpu)} (${r.cpu?.of ?? '–'} s vs ${r.cpu?.to ?? '–'} s), ` +
			`peak tree memory ${x(r.peakMemory)} (${int(r.peakMemory?.of)} MB vs ${int(r.peakMemory?.to)} MB; while the node ran ${x(r.nodePhasePeakMemory)}, ` +
			`${int(r.nodePhasePeakMemory?.of)} MB vs ${int(r.nodePhasePeakMemory?.to)} MB), max process ${x(r.maxProcessMemory)} (${int(r.maxProcessMemory?.of)} MB vs ${int(r.maxProcessMemory?.to)} MB)`;
		lines.push(
			`(f) ${int(d.items)} items, ${ID_KIND[d.way as keyof typeof ID_KIND]} ids${d.latencyMs ? `, ${d.latencyMs} ms latency` : ''}: delta run 2 / plain Update of the same input: ${side(d.changedOverPlain)}; ` +
				`delta first run / plain Update: ${side(d.firstOverPlain)}`,
		);
	}
	for (const l of ratios.latency) {
		const side = (name: string, v?: { requests?: number; nodeMs?: number; wallMs?: number }) =>
			v ? `${name} ${int(v.requests)} requests, node ${sec(v.nodeMs)} s, wall ${sec(v.wallMs)} s` : `${name} not measured`;
		lines.push(
			`(4) ${int(l.items)} items, ${l.latencyMs} ms latency per request: ${side('Audience', l.audience)}; ${side('(e) Code + HTTP Request', l.httpBodies)}; ` +
				`Audience / (e) = ${x(l.byNodeTime)} by node time, ${x(l.byWall)} by wall`,
		);
	}
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
		'# Benchmark: Audience node vs the floor, HTTP Request and a pass-through (real n8n)',
		'',
		`${machine.date} — ${machine.nproc} CPUs (${machine.cpuModel}), ${machine.memoryGb} GB RAM, Linux ${machine.kernel}; ` +
			`n8n ${machine.n8nVersion} on Node ${machine.n8nNode} (bench driver and sandbox on Node ${machine.benchNode}); load average at start ${machine.loadAverageAtStart.join(' / ')}.`,
		'',
		`Settings: ${JSON.stringify(settings)}. Medians of the runs that passed their correctness check; 1,000,000 items: one run; load = 1-minute load average when each run started (median).`,
		'',
		'wall = the whole `n8n execute` (start-up, run, saving the execution, exit; printing the run data is skipped in every run alike and the run is read from n8n\'s database); ' +
			'node = the measured nodes\' executionTime (for (e) the Code node plus the HTTP Request node; for (d) "work" is the work alone, timed inside the Code node); ' +
			'sandbox = the local Batch API\'s own time on the requests (summed, from its request log, latency included); Items node = generating the items; start-up = spawn to the Items node; hand-over = Items node end to the measured node; after = the measured node\'s end to exit (saving the execution, shutting down); peak tree RSS = highest summed RSS of n8n and its task runner (sampled every 50 ms); ' +
			'max process RSS = GNU time %M (largest single process); CPU = user + system seconds of the tree.',
		'',
		md(HEADER),
		md(HEADER.map((_, c) => (c <= 1 ? '---' : '---:'))),
		...rows(summaries).map(md),
		'',
		...deltaTable(summaries),
		...notes(summaries),
		'',
		...ratioLines(ratios).map((l) => `- ${l}`),
		'',
	].join('\n');
}

const DELTA_HEADER = [
	'items',
	'ids',
	'run',
	'runs ok',
	'requests',
	'ids sent',
	'wall s',
	'node s',
	'CPU s',
	'peak tree RSS MB',
	'peak tree RSS while the node ran MB',
	'max process RSS MB',
	'static data bytes after',
	'snapshot chars',
	'tracked members',
	'load',
];

/** (f) Change tracking: its three runs per kind of id, with the static data they left. */
function deltaTable(summaries: ScenarioSummary[]): string[] {
	const delta = summaries.filter((s) => isDeltaWay(s.way) && s.stage);
	if (delta.length === 0) return [];
	const md = (row: string[]) => `| ${row.join(' | ')} |`;
	return [
		'(f) Change tracking (Send = Only New and Changed Members), node version 1 as in (a): run 1 of the workflow, run 2 of the same workflow ' +
			'(its static data carried over) with every 100th item on another plan, and a plain Update (Send = All Members, way (a)) of run 2\'s input. ' +
			'CPU = user + system seconds of the n8n tree (less sensitive to other load than wall); peak tree RSS while the node ran = the tree\'s peak between the Audience node\'s start and end ' +
			'(the whole run\'s peak is n8n saving the execution afterwards); static data bytes = `workflow_entity.staticData` after the run; snapshot chars = the length of the base64 snapshot string in it.',
		'',
		md(DELTA_HEADER),
		md(DELTA_HEADER.map((_, c) => (c <= 2 ? '---' : '---:'))),
		...delta.map((s) =>
			md([
				int(s.items),
				ID_KIND[s.way as keyof typeof ID_KIND],
				DELTA_STAGE_LABEL[s.stage as DeltaStage],
				`${s.okRuns}/${s.runs}`,
				int(s.requests),
				int(s.idsSent),
				s.okRuns ? sec(s.wallMs) : `failed: ${s.failure ?? ''}`.slice(0, 60),
				sec(s.nodeMs),
				s.cpuSeconds === undefined ? '–' : s.cpuSeconds.toFixed(1),
				int(s.peakTreeRssMb),
				int(s.measuredNodePeakMb),
				int(s.maxRssMb),
				int(s.state?.staticDataBytes),
				int(s.state?.snapshotChars),
				int(s.state?.trackedMembers),
				s.loadAverage === undefined ? '–' : s.loadAverage.toFixed(2),
			]),
		),
		'',
	];
}
