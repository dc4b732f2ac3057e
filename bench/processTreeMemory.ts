import { readdirSync, readFileSync } from 'fs';

/**
 * Samples the resident memory of a process and all its descendants (n8n main, its task runner,
 * anything they spawn) from /proc. GNU time's %M reports the largest single process only; this
 * gives the peak of the tree's summed RSS and each process's own high-water mark (VmHWM).
 */
export interface TreeMemory {
	/** Highest sum of VmRSS over the tree seen in one sample, in KiB. */
	peakTreeRssKb: number;
	/** Sum over every process seen of its VmHWM (an upper bound of the tree's true peak), in KiB. */
	sumOfProcessPeaksKb: number;
	/** Each process's VmHWM, by command name and pid, in KiB. */
	processes: Array<{ pid: number; command: string; peakRssKb: number }>;
	samples: number;
	/** [epoch ms, summed VmRSS KiB] per sample, to tell which phase of the run the peak belongs to. */
	timeline: Array<[number, number]>;
}

function readStatusKb(pid: number): { rss: number; hwm: number } | undefined {
	try {
		const status = readFileSync(`/proc/${pid}/status`, 'utf8');
		const rss = Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0);
		const hwm = Number(/VmHWM:\s+(\d+)/.exec(status)?.[1] ?? 0);
		return { rss, hwm };
	} catch {
		return undefined; // exited between listing and reading
	}
}

function childrenOf(pid: number): number[] {
	const children: number[] = [];
	try {
		for (const task of readdirSync(`/proc/${pid}/task`)) {
			const text = readFileSync(`/proc/${pid}/task/${task}/children`, 'utf8').trim();
			if (text) children.push(...text.split(/\s+/).map(Number));
		}
	} catch {
		/* exited */
	}
	return children;
}

function commandOf(pid: number): string {
	try {
		const args = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').filter(Boolean);
		// `node <script> <command>`: show the script's base name and its first argument.
		const script = args.find((arg, i) => i > 0 && !arg.startsWith('-'));
		const name = (script ?? args[0] ?? '?').split('/').slice(-3).join('/');
		const sub = args[args.indexOf(script ?? '') + 1];
		return sub && !sub.startsWith('-') ? `${name} ${sub}` : name;
	} catch {
		return '?';
	}
}

export class ProcessTreeSampler {
	private readonly peaks = new Map<number, { command: string; peakRssKb: number }>();
	private peakTree = 0;
	private samples = 0;
	private readonly timeline: Array<[number, number]> = [];
	private timer?: NodeJS.Timeout;

	constructor(
		private readonly rootPid: number,
		private readonly intervalMs = 50,
		/** The root is a wrapper (GNU time): walk through it without counting it. */
		private readonly skipRoot = false,
	) {}

	start(): void {
		this.sample();
		this.timer = setInterval(() => this.sample(), this.intervalMs);
	}

	stop(): TreeMemory {
		if (this.timer) clearInterval(this.timer);
		const processes = [...this.peaks].map(([pid, p]) => ({ pid, ...p })).sort((a, b) => b.peakRssKb - a.peakRssKb);
		return {
			peakTreeRssKb: this.peakTree,
			sumOfProcessPeaksKb: processes.reduce((sum, p) => sum + p.peakRssKb, 0),
			processes,
			samples: this.samples,
			timeline: this.timeline,
		};
	}

	private sample(): void {
		let total = 0;
		const queue = [this.rootPid];
		while (queue.length > 0) {
			const pid = queue.pop() as number;
			queue.push(...childrenOf(pid));
			if (pid === this.rootPid && this.skipRoot) continue;
			const memory = readStatusKb(pid);
			if (!memory) continue;
			total += memory.rss;
			const known = this.peaks.get(pid);
			if (known) known.peakRssKb = Math.max(known.peakRssKb, memory.hwm);
			else this.peaks.set(pid, { command: commandOf(pid), peakRssKb: memory.hwm });
		}
		this.peakTree = Math.max(this.peakTree, total);
		this.samples++;
		if (total > 0) this.timeline.push([Date.now(), total]);
	}
}
