import { createBatchAudience, pairedIndexes, range } from '../../harness/fixture';
import { type ScaleOutExecution, type ScaleOutFixture, startScaleOutE2e, stopScaleOutE2e } from '../../harness/scaleOut';
import { audienceNode, byName, webhookWorkflow } from '../../harness/workflows';

/**
 * A worker killed (SIGKILL, with its task runner) in the middle of a 100,000-member sync, in n8n
 * 2.40.7's queue mode (a main instance, 2 workers, PostgreSQL, Redis): what n8n records, what the
 * API received, and that running the workflow again completes the audience. The sandbox answers
 * each update 5 s late, so the kill lands while the sync is under way: once the first requests are
 * answered, at most 4 more are in flight (Requests in Flight: 4), so the audience can hold at most
 * 80,000 of the 100,000 then.
 */
const MEMBERS = 100_000;
const workflow = webhookWorkflow('scaleCrash', 'crash', `return Array.from({ length: ${MEMBERS} }, (_, i) => ({ json: { id: 'k-' + i } }));`, [
	audienceNode('batch', 'update', { audience: byName('scale_crash'), options: { outputMode: 'perRequest' } }, { typeVersion: 2 }),
]);

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const seconds = (ms: number) => `${(ms / 1000).toFixed(1)} s`;
const count = (n: number) => n.toLocaleString('en-US');
const finished = (execution: ScaleOutExecution) => !['new', 'running', 'waiting'].includes(execution.status);

describe('a worker killed in the middle of a sync', () => {
	let fixture: ScaleOutFixture;

	beforeAll(async () => {
		fixture = await startScaleOutE2e({
			workflows: [workflow],
			publish: [workflow.id],
			indexingDelayMs: 100,
			// A dead worker's job is found stalled once its lock expires: 30 s here instead of n8n's 60 s,
			// looked for every 10 s instead of 30 s (with n8n's defaults, "error" came 114 s after the kill).
			env: { QUEUE_WORKER_LOCK_DURATION: '30000', QUEUE_WORKER_LOCK_RENEW_TIME: '5000', QUEUE_WORKER_STALLED_INTERVAL: '10000' },
		});
		console.log(`scale-out start-up (workerCrash.test.ts): ${fixture.cluster.startupFigures()}`);
	}, 20 * 60_000);
	afterAll(async () => await stopScaleOutE2e(fixture));

	it('n8n records the execution as not successful, the audience holds part of it, and a new run completes it', async () => {
		const { sandbox, cluster } = fixture;
		const fail = (what: string) => new Error(`${what}\n${cluster.logTails()}`);
		const updatesSince = (seq: number) => sandbox.requests().filter((r) => r.seq > seq && r.api === 'batch' && r.route === 'update');
		const held = () => Object.keys(sandbox.state().batch.audiences.scale_crash.members);
		await createBatchAudience(sandbox, 'scale_crash');
		sandbox.setFaults({ rules: [{ api: 'batch', route: 'update', kind: 'latency', latencyMs: 5_000 }] });

		// Run 1: killed once the first request was answered.
		const seq = sandbox.requests().at(-1)?.seq ?? 0;
		expect((await cluster.webhook('crash', {})).status).toBe(200);
		const [started] = await cluster.waitForExecutions(workflow.id, (l) => l.length > 0, 120_000);
		if (!started) throw fail('no execution');
		const worker = await cluster.waitForWorkerOf(started.id, 120_000);
		const deadline = Date.now() + 10 * 60_000;
		while (!updatesSince(seq).some((r) => r.status === 202) && Date.now() < deadline) await sleep(100);
		if (!updatesSince(seq).some((r) => r.status === 202)) throw fail('the sync never got a request answered');
		const answeredAtKill = updatesSince(seq).filter((r) => r.status === 202).length;
		await cluster.killWorker(worker);
		const killedAt = Date.now();
		const statusAtKill = (await cluster.executions(workflow.id))[0].status;

		// What n8n records once it notices (the job's lock expires and the other worker finds it stalled).
		const [recorded] = await cluster.waitForExecutions(workflow.id, (l) => finished(l[0]), 10 * 60_000);
		const noticed = Date.now() - killedAt;
		if (!finished(recorded)) throw fail(`execution ${recorded.id} still ${recorded.status}`);
		expect(recorded.status).not.toBe('success');
		const [crashed] = await cluster.executions(workflow.id, { data: true });
		await sandbox.whenIdle();
		const partial = held();
		const answered = updatesSince(seq);
		// Part of the audience, whole requests of 10,000 (each request is applied or not), every id one of the input's.
		expect(partial.length).toBeGreaterThan(0);
		expect(partial.length).toBeLessThan(MEMBERS);
		expect(partial.length % 10_000).toBe(0);
		expect(partial.filter((id) => !/^k-\d+$/.test(id) || Number(id.slice(2)) >= MEMBERS).slice(0, 5)).toEqual([]);

		// The operator restarts the worker; the workflow runs again, without the latency.
		await cluster.startWorker(worker);
		sandbox.setFaults({ rules: [] });
		const seq2 = sandbox.requests().at(-1)?.seq ?? 0;
		expect((await cluster.webhook('crash', {})).status).toBe(200);
		const list = await cluster.waitForExecutions(workflow.id, (l) => l.length === 2 && finished(l[1]), 10 * 60_000);
		if (!(list.length === 2 && list[1].status === 'success')) throw fail(`run 2: ${JSON.stringify(list)}`);
		await sandbox.whenIdle();
		const [, second] = await cluster.executions(workflow.id, { data: true });
		const requests = second.runData.Audience?.[0]?.data?.main[0] ?? [];
		expect(requests.map((r) => [r.json.ids, r.json.outcome])).toEqual(Array(10).fill([10_000, 'accepted']));
		expect(pairedIndexes(requests)).toEqual(range(MEMBERS));
		expect(updatesSince(seq2).map((r) => [r.status, r.ids])).toEqual(Array(10).fill([202, 10_000]));
		const complete = held();
		expect(complete).toHaveLength(MEMBERS);
		expect(complete.filter((id) => !/^k-\d+$/.test(id) || Number(id.slice(2)) >= MEMBERS).slice(0, 5)).toEqual([]);

		// The contract: no execution says success while members are missing.
		expect((await cluster.executions(workflow.id)).filter((e) => e.status === 'success').map((e) => e.id)).toEqual([second.id]);
		const secondWorker = cluster.workerOfExecutions().get(second.id)?.[0];

		console.log(
			`scale-out worker crash: worker ${worker + 1} killed (SIGKILL) during execution ${crashed.id} once ${answeredAtKill} of its update requests were answered (the sandbox answered ${answered.length} in all, those in flight included: ${count(answered.reduce((s, r) => s + r.ids, 0))} ids); n8n's status was "${statusAtKill}" at the kill and "${recorded.status}" ${seconds(noticed)} later (error: ${JSON.stringify(crashed.error?.message ?? null)}, nodes with run data: ${JSON.stringify(Object.keys(crashed.runData))}); the sandbox held ${count(partial.length)} of ${count(MEMBERS)}; run 2 (execution ${second.id}, worker ${(secondWorker ?? -1) + 1}) sent 10 requests of 10,000, all accepted: the audience holds ${count(complete.length)}`,
		);
	}, 25 * 60_000);
});
