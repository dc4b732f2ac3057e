import { execFileSync } from 'child_process';
import { cpus, loadavg, release, totalmem } from 'os';
import type { Toolchain } from '../harness/n8n';

/** What the figures were measured on. */
export interface Machine {
	date: string;
	nproc: number;
	cpuModel: string;
	memoryGb: number;
	kernel: string;
	n8nNode: string;
	n8nVersion: string;
	benchNode: string;
	loadAverageAtStart: number[];
}

export function describeMachine(tools: Toolchain): Machine {
	return {
		date: new Date().toISOString(),
		nproc: Number(execFileSync('nproc', { encoding: 'utf8' }).trim()),
		cpuModel: cpus()[0]?.model ?? 'unknown',
		memoryGb: Math.round((totalmem() / 1024 ** 3) * 10) / 10,
		kernel: release(),
		n8nNode: execFileSync(tools.node, ['--version'], { encoding: 'utf8' }).trim(),
		n8nVersion: tools.version,
		benchNode: process.version,
		loadAverageAtStart: loadavg().map((l) => Math.round(l * 100) / 100),
	};
}
