import { execFileSync } from 'child_process';
import { join } from 'path';
import type { LocalN8n, Toolchain } from '../harness/n8n';
import type { RunSummary } from './runDataSummary';

/**
 * The run as n8n saved it in its database. Used when `n8n execute` could not print the run data
 * (at 1,000,000 items in and 1,000,000 out the pretty JSON exceeds V8's largest string): the
 * workflow itself ran, and n8n stored its run data before printing it. An output's items are kept
 * when they are few and small (up to 1,000 items and 1 MB), otherwise only counted; for every output,
 * a few sampled items and how many items are paired to their own input item and carry its fields.
 */
export function readSavedRun(n8n: LocalN8n, tools: Toolchain, workflowId: string): RunSummary | undefined {
	const script = `
		const { DatabaseSync } = require('node:sqlite');
		const { parse } = require(${JSON.stringify(join(tools.n8nModules, 'flatted'))});
		const db = new DatabaseSync(${JSON.stringify(join(n8n.folder, '.n8n/database.sqlite'))}, { readOnly: true });
		const row = db.prepare('SELECT e.status, d.data FROM execution_entity e LEFT JOIN execution_data d ON d.executionId = e.id WHERE e.workflowId = ? ORDER BY e.id DESC LIMIT 1').get(${JSON.stringify(workflowId)});
		if (!row || !row.data) { console.log('null'); process.exit(0); }
		const resultData = parse(row.data).resultData;
		const runData = resultData.runData || {};
		// The items the node received: output 0 of the node its first source names.
		const inputOf = (first) => {
			const source = first.source && first.source[0];
			const previous = source && runData[source.previousNode];
			const main = previous && previous[source.previousNodeRun || 0] && previous[source.previousNodeRun || 0].data && previous[source.previousNodeRun || 0].data.main;
			return main ? main[source.previousNodeOutput || 0] : undefined;
		};
		const pairOf = (item) => {
			const paired = Array.isArray(item.pairedItem) ? (item.pairedItem.length === 1 ? item.pairedItem[0] : undefined) : item.pairedItem;
			return paired && typeof paired.item === 'number' && !paired.input ? paired.item : undefined;
		};
		// Of an output's items, how many are paired to the input item at their own position alone, and how many
		// carry every field of the input item they are paired to (same values); a few items kept as samples.
		const pairing = (out, input) => {
			let pairedToOwnInput = 0;
			let carryingInputFields = 0;
			for (let i = 0; i < out.length; i++) {
				const k = pairOf(out[i]);
				if (k === undefined) continue;
				if (k === i) pairedToOwnInput++;
				const source = input && input[k];
				if (!source) continue;
				const json = out[i].json || {};
				let carries = true;
				for (const [key, value] of Object.entries(source.json || {})) {
					const held = json[key];
					if (held !== value && JSON.stringify(held) !== JSON.stringify(value)) { carries = false; break; }
				}
				if (carries) carryingInputFields++;
			}
			const at = [...new Set([0, 1, 2, Math.floor(out.length / 2), out.length - 1])].filter((i) => i >= 0 && i < out.length);
			return { pairedToOwnInput, carryingInputFields, samples: at.map((index) => ({ index, item: out[index] })) };
		};
		// Of an output of few items whose pairing is too large to keep (one item per request pairs to thousands of
		// input items): each item's json, and the input items it is paired to as a count and, when they are
		// evenly spaced, the first, last and step.
		const summaries = (out) => {
			if (out.length > 1000) return undefined;
			const summarized = out.map((item) => {
				const indexes = (Array.isArray(item.pairedItem) ? item.pairedItem : item.pairedItem === undefined ? [] : [item.pairedItem]).map((p) => (typeof p === 'number' ? p : p && p.item));
				const step = indexes.length > 1 ? indexes[1] - indexes[0] : undefined;
				const even = step !== undefined && indexes.every((k, i) => i === 0 || k - indexes[i - 1] === step);
				return { json: item.json, paired: { count: indexes.length, first: indexes[0], last: indexes[indexes.length - 1], step: even ? step : undefined } };
			});
			return JSON.stringify(summarized).length <= 1048576 ? summarized : undefined;
		};
		const nodes = {};
		for (const [name, runs] of Object.entries(runData)) {
			const first = runs[0] || {};
			const input = inputOf(first);
			nodes[name] = {
				executionTime: first.executionTime,
				startTime: first.startTime,
				executionStatus: first.executionStatus,
				error: first.error && { message: first.error.message, description: first.error.description },
				outputs: ((first.data && first.data.main) || []).map((out) =>
					Array.isArray(out)
						? out.length <= 1000 && JSON.stringify(out).length <= 1048576
							? { count: out.length, items: out, ...pairing(out, input) }
							: { count: out.length, summaries: summaries(out), ...pairing(out, input) }
						: { count: 0 }),
			};
		}
		const error = resultData.error && { message: resultData.error.message, description: resultData.error.description };
		console.log(JSON.stringify({ status: row.status, error, nodes }));`;
	const out = execFileSync(tools.node, ['--no-warnings', '--max-old-space-size=8192', '-e', script], {
		encoding: 'utf8',
		maxBuffer: 64 * 1024 * 1024,
	});
	const parsed = JSON.parse(out);
	return parsed ?? undefined;
}

/** A workflow's static data as n8n saved it (`workflow_entity.staticData`), and the change-tracking snapshots in it. */
export interface SavedStaticData {
	/** Bytes of the column (UTF-8), 0 when n8n saved none. */
	bytes: number;
	/** Each snapshot under `audienceSync[nodeId][audience]`: its base64 length, the members the state says it tracks, and the ids it really holds (decoded). */
	snapshots: Array<{ node: string; audience: string; chars: number; members: number; decodedIds: number; gzipBytes: number; rawBytes: number }>;
}

export function readStaticData(n8n: LocalN8n, tools: Toolchain, workflowId: string): SavedStaticData {
	const script = `
		const { DatabaseSync } = require('node:sqlite');
		const { gunzipSync } = require('node:zlib');
		const db = new DatabaseSync(${JSON.stringify(join(n8n.folder, '.n8n/database.sqlite'))}, { readOnly: true });
		const row = db.prepare('SELECT staticData FROM workflow_entity WHERE id = ?').get(${JSON.stringify(workflowId)});
		const text = row && row.staticData != null ? String(row.staticData) : '';
		const snapshots = [];
		const root = text ? (JSON.parse(text).global || JSON.parse(text)).audienceSync || {} : {};
		for (const [node, state] of Object.entries(root)) {
			for (const [audience, saved] of Object.entries(state)) {
				if (!saved || typeof saved.snapshot !== 'string') continue;
				const gz = Buffer.from(saved.snapshot, 'base64');
				const raw = gunzipSync(gz);
				// The format's two leading varints: format, number of ids.
				let offset = 0;
				const varint = () => { let value = 0, scale = 1; for (;;) { const b = raw[offset++]; value += (b & 0x7f) * scale; if (b < 0x80) return value; scale *= 0x80; } };
				varint();
				snapshots.push({ node, audience, chars: saved.snapshot.length, members: saved.members, decodedIds: varint(), gzipBytes: gz.length, rawBytes: raw.length });
			}
		}
		console.log(JSON.stringify({ bytes: Buffer.byteLength(text, 'utf8'), snapshots }));`;
	return JSON.parse(execFileSync(tools.node, ['--no-warnings', '-e', script], { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 }));
}
