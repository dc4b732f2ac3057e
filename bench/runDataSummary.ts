import { createReadStream } from 'fs';
import { createInterface } from 'readline';

/**
 * `n8n execute --rawOutput` prints the whole run (every node's output items) as pretty JSON: at
 * 1,000,000 items that is hundreds of MB, too much to hold as one string and parse. This reads
 * the output file line by line and keeps everything except large item arrays, which become
 * `{"__items": <count>}`; small arrays (a few hundred items) are kept as they are.
 */
const KEEP_ARRAY_BYTES = 256 * 1024;

export interface NodeRunSummary {
	executionTime: number;
	/** Epoch ms when the node started. */
	startTime?: number;
	executionStatus?: string;
	error?: { message?: string; description?: string };
	/** Items per output; `items` only when the output was small enough to keep. */
	outputs: Array<{
		count: number;
		items?: Array<{ json: Record<string, any>; pairedItem?: unknown }>;
		/** Read from n8n's database only (savedExecution.ts): items paired to the input item at their own position alone. */
		pairedToOwnInput?: number;
		/** Read from n8n's database only: items holding every field of the input item they are paired to, with its values. */
		carryingInputFields?: number;
		/**
		 * Read from n8n's database only, for an output of up to 1,000 items too large to keep whole: each item's json and
		 * the input items it is paired to (count; first, last and step when evenly spaced).
		 */
		summaries?: Array<{ json: Record<string, any>; paired: { count: number; first?: number; last?: number; step?: number } }>;
		/** Read from n8n's database only: the first 3, middle and last items with their positions. */
		samples?: Array<{ index: number; item: { json: Record<string, any>; pairedItem?: unknown } }>;
	}>;
}

export interface RunSummary {
	status?: string;
	error?: { message?: string; description?: string; node?: { name?: string } };
	nodes: Record<string, NodeRunSummary>;
}

export async function summarizeRunOutput(file: string): Promise<RunSummary | undefined> {
	const lines = createInterface({ input: createReadStream(file, { encoding: 'utf8' }), crlfDelay: Infinity });
	const kept: string[] = [];
	let started = false;
	let mainIndent: string | undefined;
	let output: { lines: string[]; bytes: number; count: number; overflow: boolean } | undefined;

	for await (const line of lines) {
		if (!started) {
			if (line === '{') {
				started = true;
				kept.push(line);
			}
			continue;
		}
		if (mainIndent === undefined) {
			const main = /^(\s*)"main": \[$/.exec(line);
			if (main) mainIndent = main[1];
			kept.push(line);
			if (line === '}') break; // end of the top-level object
			continue;
		}
		const indent: string = mainIndent;
		if (output) {
			if (line === `${indent}  ]` || line === `${indent}  ],`) {
				const comma = line.endsWith(',') ? ',' : '';
				if (output.overflow) kept.push(`${indent}  {"__items": ${output.count}}${comma}`);
				else kept.push(`${indent}  [`, ...output.lines, line);
				output = undefined;
				continue;
			}
			if (line.startsWith(`${indent}    {`)) output.count++;
			if (!output.overflow) {
				output.lines.push(line);
				output.bytes += line.length;
				if (output.bytes > KEEP_ARRAY_BYTES) {
					output.overflow = true;
					output.lines = [];
				}
			}
			continue;
		}
		if (line === `${indent}  [`) {
			output = { lines: [], bytes: 0, count: 0, overflow: false };
			continue;
		}
		if (line === `${indent}]` || line === `${indent}],`) mainIndent = undefined;
		kept.push(line);
	}
	if (!started) return undefined;

	const run = JSON.parse(kept.join('\n'));
	const resultData = run.data?.resultData ?? run.resultData ?? {};
	const nodes: Record<string, NodeRunSummary> = {};
	for (const [name, runs] of Object.entries<any[]>(resultData.runData ?? {})) {
		const first = runs[0] ?? {};
		nodes[name] = {
			executionTime: first.executionTime,
			startTime: first.startTime,
			executionStatus: first.executionStatus,
			error: first.error,
			outputs: (first.data?.main ?? []).map((out: any) =>
				Array.isArray(out) ? { count: out.length, items: out } : { count: out?.__items ?? 0 },
			),
		};
	}
	return { status: run.status, error: resultData.error, nodes };
}
