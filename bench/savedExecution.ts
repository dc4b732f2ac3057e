import { execFileSync } from 'child_process';
import { join } from 'path';
import type { LocalN8n, Toolchain } from '../harness/n8n';
import type { RunSummary } from './runDataSummary';

/**
 * The run as n8n saved it in its database. Used when `n8n execute` could not print the run data
 * (at 1,000,000 items in and 1,000,000 out the pretty JSON exceeds V8's largest string): the
 * workflow itself ran, and n8n stored its run data before printing it. An output's items are kept
 * when they are few and small (up to 1,000 items and 1 MB), otherwise only counted.
 */
export function readSavedRun(n8n: LocalN8n, tools: Toolchain, workflowId: string): RunSummary | undefined {
	const script = `
		const { DatabaseSync } = require('node:sqlite');
		const { parse } = require(${JSON.stringify(join(tools.n8nModules, 'flatted'))});
		const db = new DatabaseSync(${JSON.stringify(join(n8n.folder, '.n8n/database.sqlite'))}, { readOnly: true });
		const row = db.prepare('SELECT e.status, d.data FROM execution_entity e LEFT JOIN execution_data d ON d.executionId = e.id WHERE e.workflowId = ? ORDER BY e.id DESC LIMIT 1').get(${JSON.stringify(workflowId)});
		if (!row || !row.data) { console.log('null'); process.exit(0); }
		const resultData = parse(row.data).resultData;
		const nodes = {};
		for (const [name, runs] of Object.entries(resultData.runData || {})) {
			const first = runs[0] || {};
			nodes[name] = {
				executionTime: first.executionTime,
				startTime: first.startTime,
				executionStatus: first.executionStatus,
				error: first.error && { message: first.error.message, description: first.error.description },
				outputs: ((first.data && first.data.main) || []).map((out) =>
					Array.isArray(out) ? (out.length <= 1000 && JSON.stringify(out).length <= 1048576 ? { count: out.length, items: out } : { count: out.length }) : { count: 0 }),
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
