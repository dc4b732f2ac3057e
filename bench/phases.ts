import type { RunSummary } from './runDataSummary';

/**
 * Where a run's wall time and memory go, from the nodes' start times and execution times in the
 * run data and the memory timeline: n8n start-up, generating the items (Code node), handing them
 * to the next node, the measured node(s) (from the first one's start to the last one's end), and
 * everything after (saving the execution, exiting).
 */
export interface Phases {
	startupMs: number;
	codeNodeMs: number;
	handOverMs: number;
	measuredNodeMs: number;
	afterMs: number;
	/** Peak summed RSS of the n8n tree in each phase, MB. */
	peakMb: { startup: number; codeNode: number; handOver: number; measuredNode: number; after: number };
}

export function phasesOf(
	run: RunSummary | undefined,
	codeNode: string,
	measuredNodes: string[],
	startedAt: number,
	wallMs: number,
	timeline: Array<[number, number]>,
): Phases | undefined {
	const code = run?.nodes[codeNode];
	const measured = measuredNodes.map((name) => run?.nodes[name]);
	const first = measured[0];
	const last = measured[measured.length - 1];
	if (code?.startTime === undefined || first?.startTime === undefined || last?.startTime === undefined) return undefined;
	const codeStart = code.startTime;
	const codeEnd = codeStart + code.executionTime;
	const nodeStart = first.startTime;
	const nodeEnd = last.startTime + last.executionTime;
	const end = startedAt + wallMs;
	// A phase shorter than the sampling interval gets the sample taken just before it ended.
	const peak = (from: number, to: number) => {
		const inside = timeline.filter(([t]) => t >= from && t <= to);
		const samples = inside.length > 0 ? inside : timeline.filter(([t]) => t <= to).slice(-1);
		return Math.round(samples.reduce((max, [, kb]) => Math.max(max, kb), 0) / 1024);
	};
	return {
		startupMs: codeStart - startedAt,
		codeNodeMs: code.executionTime,
		handOverMs: nodeStart - codeEnd,
		measuredNodeMs: nodeEnd - nodeStart,
		afterMs: Math.round(end - nodeEnd),
		peakMb: {
			startup: peak(startedAt, codeStart),
			codeNode: peak(codeStart, codeEnd),
			handOver: peak(codeEnd, nodeStart),
			measuredNode: peak(nodeStart, nodeEnd),
			after: peak(nodeEnd, end),
		},
	};
}
