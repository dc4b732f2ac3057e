import { createBatchAudience, pairedIndexes, range } from '../../harness/fixture';
import { type ScaleOutExecution, type ScaleOutFixture, startScaleOutE2e, stopScaleOutE2e } from '../../harness/scaleOut';
import { AUDIENCE, audienceNode, byName, CREDENTIAL_REFS, type NodeSpec, webhookWorkflow } from '../../harness/workflows';

/**
 * The package in n8n 2.40.7's queue mode: one main instance and 2 workers (each with the package
 * installed in its own user folder, as the README says), PostgreSQL and Redis. Every workflow starts
 * from a published Webhook, POSTed on the main instance, which answers at once and puts the
 * execution in the queue; a worker runs it. Executions are read from PostgreSQL, which worker ran
 * each one from the workers' logs.
 */
const RUNS = 6;
const PER_RUN = 100_000;
const FAN_OUT_CODE = `const run = $('Webhook').first().json.body.run;
return Array.from({ length: ${PER_RUN} }, (_, i) => ({ json: { id: run + '-' + i } }));`;

const DELTA_MEMBERS = 20_000;
const PLANS = ['free', 'pro', 'team'];
const DELTA_CODE = `const plans = ${JSON.stringify(PLANS)};
return Array.from({ length: ${DELTA_MEMBERS} }, (_, i) => ({ json: { id: 'delta-' + i, plan: plans[i % 3] } }));`;
const DELTA_INPUT = range(DELTA_MEMBERS).map((i) => ({ id: `delta-${i}`, plan: PLANS[i % 3] }));

const CSV_ROWS = range(1_000).map((i) => ({ phone1: `4420798${String(30_000 + i).padStart(5, '0')}`, name: `Contact ${i}` }));
const CSV_FILE = ['phone1,name', ...CSV_ROWS.map((row) => `${row.phone1},${row.name}`)].join('\n');
const MADE_ROWS = range(500).map((i) => ({ phone1: `97250${String(1_000_000 + i).padStart(7, '0')}`, name: `Made ${i}` }));

const batchNode = (name: string, operation: string, parameters: Record<string, unknown>): NodeSpec => ({
	name,
	type: AUDIENCE,
	typeVersion: 2,
	parameters: { resource: 'batch', operation, ...parameters },
	credentials: CREDENTIAL_REFS.batch,
});
const replaceStaticFromFile = audienceNode('commBox', 'replaceStatic', { audience: { __rl: true, mode: 'id', value: '1001' }, source: 'binary' });

const deltaWorkflow = webhookWorkflow('scaleDelta', 'delta', DELTA_CODE, [
	audienceNode(
		'batch',
		'update',
		{ sendMode: 'changes', audience: byName('scale_delta'), attributeMode: 'fields', attributes: { attribute: [{ name: 'plan', type: 'string', value: '={{ $json.plan }}' }] } },
		{ typeVersion: 2 },
	),
]);
// Static data of the workflow before any run (as another node, or the user, left it): does it survive a run on a worker?
deltaWorkflow.staticData = { global: { keptBeforeRun1: true } };
const DELTA_NODE_ID = deltaWorkflow.nodes.find((node) => node.name === 'Audience')?.id as string;

/** Mirror the Input of the webhook body's `from`..DELTA_MEMBERS members. */
const mirrorWorkflow = webhookWorkflow(
	'scaleMirror',
	'mirror',
	`const plans = ${JSON.stringify(PLANS)};
const from = $('Webhook').first().json.body.from;
return Array.from({ length: ${DELTA_MEMBERS} - from }, (_, k) => ({ json: { id: 'mirror-' + (from + k), plan: plans[(from + k) % 3] } }));`,
	[audienceNode('batch', 'update', { sendMode: 'mirror', audience: byName('scale_mirror') }, { typeVersion: 2 })],
);

const workflows = [
	webhookWorkflow('scaleFanOut', 'fan-out', FAN_OUT_CODE, [
		batchNode('Update', 'update', { audience: byName('scale_union'), options: { outputMode: 'perRequest' } }),
		batchNode('Check Indexing', 'checkIndexing', { options: { waitUntilDone: true, pollInterval: 0.5, waitTimeout: 900 } }),
	]),
	// The file comes in with the request: the main instance stores it (binary data mode "database"), a worker uploads it.
	webhookWorkflow('scaleCsvIn', 'csv-in', null, [replaceStaticFromFile]),
	// The file is made on the worker: Code -> Convert to File (CSV) -> Replace Static.
	webhookWorkflow('scaleCsvMade', 'csv-made', `return ${JSON.stringify(MADE_ROWS)}.map((json) => ({ json }));`, [
		{ name: 'Convert to File', type: 'n8n-nodes-base.convertToFile', typeVersion: 1.1, parameters: { operation: 'csv', binaryPropertyName: 'data' } },
		replaceStaticFromFile,
	]),
	deltaWorkflow,
	mirrorWorkflow,
];

const finished = (execution: ScaleOutExecution) => !['new', 'running', 'waiting'].includes(execution.status);
const count = (n: number) => n.toLocaleString('en-US');
const seconds = (ms: number) => `${(ms / 1000).toFixed(1)} s`;
type Item = { json: Record<string, any>; pairedItem?: any };
const output = (execution: ScaleOutExecution, node: string, index = 0): Item[] => execution.runData[node]?.[0]?.data?.main[index] ?? [];

describe('queue mode: a main instance and 2 workers on PostgreSQL and Redis', () => {
	let fixture: ScaleOutFixture;
	const sandbox = () => fixture.sandbox;
	const cluster = () => fixture.cluster;

	beforeAll(async () => {
		fixture = await startScaleOutE2e({ workflows, publish: workflows.map((w) => w.id), indexingDelayMs: 100 });
		console.log(`scale-out start-up (workers.test.ts): ${fixture.cluster.startupFigures()}`);
	}, 20 * 60_000);
	afterAll(async () => await stopScaleOutE2e(fixture));

	/** Where a failure's message should show what n8n printed. */
	const withLogs = (what: string) => `${what}\n${cluster().logTails()}`;
	const lastSeq = () => sandbox().requests().at(-1)?.seq ?? 0;

	/** POSTs to a webhook and waits for the one execution it starts to finish; returns it with its run data. */
	async function runOnce(workflowId: string, path: string, body: unknown, file?: { file: string; fileName: string }): Promise<ScaleOutExecution> {
		const before = (await cluster().executions(workflowId)).length;
		const answer = await cluster().webhook(path, body, file);
		expect(answer.status).toBe(200);
		const list = await cluster().waitForExecutions(workflowId, (l) => l.length > before && l.slice(before).every(finished), 10 * 60_000);
		if (!(list.length === before + 1 && finished(list[before]))) throw new Error(withLogs(`${workflowId}: no finished execution: ${JSON.stringify(list)}`));
		const [execution] = (await cluster().executions(workflowId, { data: true })).slice(before);
		if (execution.status !== 'success') throw new Error(withLogs(`${workflowId}: execution ${execution.id} ended ${execution.status}: ${JSON.stringify(execution.error)}`));
		await sandbox().whenIdle();
		return execution;
	}

	it(`${RUNS} executions started together, ${count(PER_RUN)} members each: spread over both workers, every token APPLIED, the audience holds their union`, async () => {
		await createBatchAudience(sandbox(), 'scale_union');
		const seq = lastSeq();
		const started = Date.now();
		const answers = await Promise.all(range(RUNS).map((i) => cluster().webhook('fan-out', { run: `r${i}` })));
		expect(answers.map((a) => a.status)).toEqual(Array(RUNS).fill(200));
		const list = await cluster().waitForExecutions('scaleFanOut', (l) => l.length >= RUNS && l.every(finished), 20 * 60_000);
		const elapsed = Date.now() - started;
		if (!(list.length === RUNS && list.every((e) => e.status === 'success'))) throw new Error(withLogs(`fan-out executions: ${JSON.stringify(list)}`));
		await sandbox().whenIdle();

		// Each execution was taken by exactly one worker, and both workers took some (a worker runs at
		// most 5 at once, and each execution lasts seconds: the 6 are queued well within that).
		const workerOf = cluster().workerOfExecutions();
		const ranBy = list.map((e) => workerOf.get(e.id) ?? []);
		expect(ranBy.map((workers) => workers.length)).toEqual(Array(RUNS).fill(1));
		expect(new Set(ranBy.map(([worker]) => worker))).toEqual(new Set([0, 1]));

		// Each execution: 10 requests of 10,000 accepted, every input item paired once, every token APPLIED.
		const executions = await cluster().executions('scaleFanOut', { data: true });
		const tokens: string[] = [];
		const runs: string[] = [];
		for (const execution of executions) {
			expect(execution.mode).toBe('webhook');
			runs.push(output(execution, 'Webhook')[0].json.body.run);
			expect(output(execution, 'Items')).toHaveLength(PER_RUN);
			const updates = output(execution, 'Update');
			expect(updates.map((u) => [u.json.audience, u.json.ids, u.json.outcome])).toEqual(Array(10).fill(['scale_union', 10_000, 'accepted']));
			expect(pairedIndexes(updates)).toEqual(range(PER_RUN));
			const checks = output(execution, 'Check Indexing');
			expect(checks.map((c) => [c.json.indexingToken, c.json.indexingState, c.json.done])).toEqual(updates.map((u) => [u.json.indexingToken, 'APPLIED', true]));
			expect(checks.map((c) => c.pairedItem)).toEqual(range(10).map((item) => ({ item })));
			tokens.push(...updates.map((u) => u.json.indexingToken));
		}
		expect(runs.sort()).toEqual(range(RUNS).map((i) => `r${i}`));
		expect(new Set(tokens).size).toBe(RUNS * 10);

		// The sandbox received 60 requests of 10,000 and holds exactly the union: 600,000 members r<run>-<i>.
		const writes = sandbox()
			.requests()
			.filter((r) => r.seq > seq && r.api === 'batch' && r.route === 'update');
		expect(writes.map((r) => [r.status, r.ids])).toEqual(Array(RUNS * 10).fill([202, 10_000]));
		const members = Object.keys(sandbox().state().batch.audiences.scale_union.members);
		expect(members).toHaveLength(RUNS * PER_RUN);
		const strangers = members.filter((id) => {
			const match = /^r(\d+)-(\d+)$/.exec(id);
			return !match || Number(match[1]) >= RUNS || Number(match[2]) >= PER_RUN;
		});
		expect(strangers.slice(0, 5)).toEqual([]);

		// n8n itself keeps no trace of the worker with the execution: no column for it, no metadata.
		const columns = await cluster().query(
			`SELECT table_name AS t, string_agg(column_name, ',' ORDER BY ordinal_position) AS c FROM information_schema.columns
			 WHERE table_schema = 'public' AND table_name IN ('execution_entity', 'execution_data', 'execution_metadata') GROUP BY table_name ORDER BY table_name`,
		);
		const [metadata] = await cluster().query(`SELECT count(*)::int AS n FROM execution_metadata WHERE "executionId" = ANY($1::int[])`, [list.map((e) => Number(e.id))]);
		console.log(
			`scale-out fan-out: where n8n records an execution: ${columns.map((row) => `${row.t}(${row.c})`).join(', ')}; execution_metadata rows for these executions: ${metadata.n}`,
		);

		const perWorker = [0, 1].map((w) => list.filter((_, k) => ranBy[k][0] === w).map((e) => e.id));
		const spans = executions.map((e) => (e.stoppedAt && e.startedAt ? e.stoppedAt.getTime() - e.startedAt.getTime() : NaN));
		console.log(
			`scale-out fan-out: ${RUNS} executions × ${count(PER_RUN)} members, all done ${seconds(elapsed)} after the ${RUNS} POSTs; worker 1 ran executions ${perWorker[0].join(', ')} (${perWorker[0].length}), worker 2 ran ${perWorker[1].join(', ')} (${perWorker[1].length}); each ${spans.map(seconds).join(', ')} (n8n's startedAt → stoppedAt); ${tokens.length} tokens, all APPLIED; the sandbox got ${writes.length} update requests (202, 10,000 ids each) and audience scale_union holds ${count(members.length)} members`,
		);
	}, 25 * 60_000);

	it('CommBox Replace Static from a CSV file: posted to the webhook (stored by main, uploaded by a worker), and made on a worker by Convert to File', async () => {
		// The file comes in with the request.
		let seq = lastSeq();
		const incoming = await runOnce('scaleCsvIn', 'csv-in', undefined, { file: CSV_FILE, fileName: 'contacts.csv' });
		const binary = output(incoming, 'Webhook')[0] as Item & { binary?: Record<string, { fileName?: string; id?: string }> };
		const [summary] = output(incoming, 'Audience');
		expect(summary.json).toMatchObject({ source: 'binary', format: 'csv', rows: CSV_ROWS.length, columns: ['phone1', 'name'], status: 200 });
		expect(summary.pairedItem).toEqual([{ item: 0 }]);
		const puts = () =>
			sandbox()
				.requests()
				.filter((r) => r.seq > seq && r.api === 'commBox' && r.method === 'PUT');
		expect(puts().map((r) => [r.path, r.status, r.ids])).toEqual([['/Audiences/1001', 200, CSV_ROWS.length]]);
		let audience = sandbox().state().commBox.audiences['1001'];
		expect(audience.rows).toEqual(CSV_ROWS);
		expect(audience.lastUpload).toMatchObject({ fileName: 'contacts.csv', contentType: 'text/csv' });
		const incomingWorker = cluster().workerOfExecutions().get(incoming.id);
		expect(incomingWorker).toHaveLength(1);

		// The file is made on the worker.
		seq = lastSeq();
		const made = await runOnce('scaleCsvMade', 'csv-made', {});
		expect(output(made, 'Audience')[0].json).toMatchObject({ source: 'binary', format: 'csv', rows: MADE_ROWS.length, status: 200 });
		expect(puts().map((r) => [r.path, r.status, r.ids])).toEqual([['/Audiences/1001', 200, MADE_ROWS.length]]);
		audience = sandbox().state().commBox.audiences['1001'];
		expect(audience.rows).toEqual(MADE_ROWS);
		const madeWorker = cluster().workerOfExecutions().get(made.id);
		expect(madeWorker).toHaveLength(1);

		const binaryTables = await cluster().query(`SELECT table_name AS t FROM information_schema.tables WHERE table_schema = 'public' AND table_name ILIKE '%binary%'`);
		const stored: string[] = [];
		for (const { t } of binaryTables) stored.push(`${t}: ${(await cluster().query(`SELECT count(*)::int AS n FROM "${t}"`))[0].n} rows`);
		console.log(
			`scale-out CommBox from a file: binary data in PostgreSQL (mode "database"): ${stored.join(', ') || 'no binary table'}`,
		);
		console.log(
			`scale-out CommBox from a file: incoming contacts.csv (${count(CSV_FILE.length)} bytes, ${CSV_ROWS.length} rows; binary id ${binary.binary?.data?.id ?? '?'}) uploaded by worker ${(incomingWorker?.[0] ?? 0) + 1} in execution ${incoming.id}; Convert to File's ${MADE_ROWS.length} rows uploaded by worker ${(madeWorker?.[0] ?? 0) + 1} in execution ${made.id}; audience 1001 holds each file's rows in turn`,
		);
	}, 15 * 60_000);

	it('delta sync (Only New and Changed Members) across runs executed by workers: what n8n gives the worker, what the node sends and says', async () => {
		await createBatchAudience(sandbox(), 'scale_delta');
		const writesSince = (seq: number) =>
			sandbox()
				.requests()
				.filter((r) => r.seq > seq && r.api === 'batch' && r.route === 'update');
		const hints = (execution: ScaleOutExecution) =>
			((execution.runData.Audience?.[0] as { hints?: Array<{ message: string }> } | undefined)?.hints ?? []).map((h) => h.message);
		const trackedMembers = (staticData: string | null) => JSON.parse(staticData ?? '{}')?.global?.audienceSync?.[DELTA_NODE_ID]?.scale_delta?.members;

		const before = await cluster().staticData('scaleDelta');
		const figures: string[] = [`static data before run 1: ${before}`];
		for (const run of [1, 2, 3]) {
			const seq = lastSeq();
			const execution = await runOnce('scaleDelta', 'delta', { run });
			const sent = writesSince(seq).reduce((sum, r) => sum + (r.status === 202 ? r.ids : 0), 0);
			const items = output(execution, 'Audience');
			expect(items).toHaveLength(DELTA_MEMBERS);
			expect(pairedIndexes(items)).toEqual(range(DELTA_MEMBERS));
			const byChange: Record<string, number> = {};
			for (const item of items) byChange[`${item.json.outcome}/${item.json.change}`] = (byChange[`${item.json.outcome}/${item.json.change}`] ?? 0) + 1;

			// The node's contract, whatever n8n gave it: it says what it sent, and the audience holds the input.
			const [banner] = hints(execution).filter((h) => h.startsWith('Only new and changed members'));
			const said = /^Only new and changed members: ([\d,]+) new, ([\d,]+) changed, ([\d,]+) unchanged \(not sent\)/.exec(banner ?? '');
			expect(said).not.toBeNull();
			const [newCount, changedCount, unchangedCount] = (said as RegExpExecArray).slice(1, 4).map((n) => Number(n.replace(/,/g, '')));
			expect(newCount + changedCount).toBe(sent);
			expect(unchangedCount).toBe(DELTA_MEMBERS - sent);
			expect((byChange['accepted/new'] ?? 0) + (byChange['accepted/changed'] ?? 0)).toBe(sent);
			expect(byChange['unchanged/unchanged'] ?? 0).toBe(DELTA_MEMBERS - sent);
			const firstRun = banner.includes('(first run: nothing is kept from earlier runs of this node for this audience)');
			if (firstRun) expect(sent).toBe(DELTA_MEMBERS);
			const held = sandbox().state().batch.audiences.scale_delta.members;
			expect(Object.keys(held)).toHaveLength(DELTA_MEMBERS);
			expect(DELTA_INPUT.filter((c) => held[c.id]?.plan !== c.plan).slice(0, 5)).toEqual([]);

			// What the worker saved: the node's state in workflow_entity."staticData".
			const saved = await cluster().staticData('scaleDelta');
			expect(trackedMembers(saved)).toBe(DELTA_MEMBERS);
			const worker = cluster().workerOfExecutions().get(execution.id)?.[0];
			figures.push(
				`run ${run} (execution ${execution.id}, worker ${(worker ?? -1) + 1}): sent ${count(sent)} ids in ${writesSince(seq).length} requests; banner "${banner}"; outcomes ${JSON.stringify(byChange)}; staticData after: ${count(Buffer.byteLength(saved ?? ''))} bytes, keys ${JSON.stringify(Object.keys(JSON.parse(saved ?? '{}').global ?? {}))}, ${trackedMembers(saved)} members tracked`,
			);
		}
		for (const figure of figures) console.log(`scale-out delta sync: ${figure}`);
	}, 20 * 60_000);

	it('Mirror the Input across runs executed by workers: the audience holds exactly each run\'s input, the banner says how', async () => {
		await createBatchAudience(sandbox(), 'scale_mirror');
		const figures: string[] = [];
		for (const [run, from] of [
			[1, 0],
			[2, 1_000],
		]) {
			const seq = lastSeq();
			const execution = await runOnce('scaleMirror', 'mirror', { from });
			const writes = sandbox()
				.requests()
				.filter((r) => r.seq > seq && r.api === 'batch' && (r.route === 'update' || r.route === 'replace'));
			expect(writes.every((r) => r.status === 202)).toBe(true);
			const hints = ((execution.runData.Audience?.[0] as { hints?: Array<{ message: string }> } | undefined)?.hints ?? []).map((h) => h.message);
			const [banner] = hints.filter((h) => h.startsWith('Mirror the input'));
			expect(banner).toBeDefined();
			const replaced = writes.some((r) => r.route === 'replace');
			// It replaced the audience exactly when its banner says so.
			expect(banner.includes('was replaced by the input')).toBe(replaced);
			const expected = range(DELTA_MEMBERS - from).map((k) => `mirror-${from + k}`);
			const held = sandbox().state().batch.audiences.scale_mirror.members;
			expect(Object.keys(held)).toHaveLength(expected.length);
			expect(expected.filter((id) => !held[id]).slice(0, 5)).toEqual([]);
			const worker = cluster().workerOfExecutions().get(execution.id)?.[0];
			figures.push(
				`run ${run} (execution ${execution.id}, worker ${(worker ?? -1) + 1}, input ${count(expected.length)}): ${writes.map((r) => `${r.route} ${count(r.ids)}`).join(', ')}; banner "${banner}"; audience holds ${count(Object.keys(held).length)}`,
			);
		}
		for (const figure of figures) console.log(`scale-out Mirror: ${figure}`);
	}, 20 * 60_000);
});
