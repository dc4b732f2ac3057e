import { readFileSync } from 'fs';
import { join } from 'path';
import { batchCall, createBatchAudience, pollUntil } from '../../harness/fixture';
import type { WorkflowJson } from '../../harness/n8n';
import { type ScaleOutExecution, type ScaleOutFixture, startScaleOutE2e, stopScaleOutE2e } from '../../harness/scaleOut';
import { byName } from '../../harness/workflows';

/**
 * The Audience Trigger in n8n 2.40.7's queue mode (a main instance, 2 workers, PostgreSQL, Redis):
 * the main instance polls (on activation, then every minute: n8n allows no shorter interval) and
 * keeps the trigger's state in the workflow's static data; a worker runs each execution. The
 * notify-when-applied example, watching one audience.
 */
const example: WorkflowJson = JSON.parse(readFileSync(join(__dirname, '../../examples/notify-when-applied.json'), 'utf8'));
const trigger = example.nodes[0];
const workflow: WorkflowJson = {
	...example,
	nodes: [
		{ ...trigger, parameters: { ...(trigger.parameters as object), watch: 'selected', batchAudiences: { audience: [{ name: byName('watched') }] } } },
		...example.nodes.slice(1),
	],
};
const WORKFLOW_ID = workflow.id;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const seconds = (ms: number) => `${(ms / 1000).toFixed(1)} s`;
const finished = (execution: ScaleOutExecution) => !['new', 'running', 'waiting'].includes(execution.status);

/** Polls every 500 ms (see pollUntil). */
const waitFor = <T>(read: () => T | Promise<T>, done: (value: T) => boolean, timeoutMs: number) => pollUntil(read, done, timeoutMs, 500);

describe('Audience Trigger in queue mode', () => {
	let fixture: ScaleOutFixture;

	beforeAll(async () => {
		fixture = await startScaleOutE2e({
			workflows: [workflow],
			publish: [WORKFLOW_ID],
			prepare: (sandbox) => createBatchAudience(sandbox, 'watched'),
			indexingDelayMs: 200,
		});
		console.log(`scale-out start-up (audienceTrigger.test.ts): ${fixture.cluster.startupFigures()}`);
	}, 20 * 60_000);
	afterAll(async () => await stopScaleOutE2e(fixture));

	it('fires exactly once per applied change, run by a worker, and across a restart of the main instance', async () => {
		const { sandbox, cluster } = fixture;
		const polls = () => sandbox.requests().filter((r) => r.route === 'list').length;
		const fail = (what: string) => new Error(`${what}\n${cluster.logTails()}`);
		const executions = () => cluster.executions(WORKFLOW_ID);
		const waitForFinished = async (n: number) => {
			const list = await cluster.waitForExecutions(WORKFLOW_ID, (l) => l.filter(finished).length >= n, 180_000);
			if (list.filter(finished).length < n) throw fail(`expected ${n} finished executions, got ${JSON.stringify(list)}`);
			return list;
		};

		// Activation polls once and records the baseline (no execution).
		if ((await waitFor(polls, (n) => n > 0, 120_000)) === 0) throw fail('the trigger never polled');

		// Change A, applied: the next poll (at most a minute later) starts one execution.
		const changedA = Date.now();
		await batchCall(sandbox, 'update', { name: 'watched', ids: [{ action: 'add', id: 'u-1' }] });
		await sandbox.whenIdle();
		const updatedA = sandbox.state().batch.audiences.watched.updated;
		await waitForFinished(1);
		const firedA = Date.now() - changedA;

		// The main instance stops; change B is applied meanwhile; the main instance starts again and
		// polls on activation: one execution for B, none for A again.
		const restart = Date.now();
		await cluster.stopMain();
		await batchCall(sandbox, 'update', { name: 'watched', ids: [{ action: 'add', id: 'u-2' }] });
		await sandbox.whenIdle();
		const updatedB = sandbox.state().batch.audiences.watched.updated;
		await cluster.startMain();
		const restarted = Date.now() - restart;
		await waitForFinished(2);
		const firedB = Date.now() - restart;

		// One more poll after that: nothing new.
		const pollsSoFar = polls();
		if ((await waitFor(polls, (n) => n > pollsSoFar, 90_000)) === pollsSoFar) throw fail('no poll after the restart');
		await sleep(5_000);
		expect((await executions()).length).toBe(2);

		const list = await cluster.executions(WORKFLOW_ID, { data: true });
		expect(list.map((e) => [e.mode, e.status])).toEqual([
			['trigger', 'success'],
			['trigger', 'success'],
		]);
		const emitted = list.map((e) => (e.runData['Audience applied']?.[0]?.data?.main[0] ?? []).map((item) => item.json));
		expect(emitted.map((items) => items.map((json) => [json.platform, json.name, json.indexingState, json.nb_ids, json.updated]))).toEqual([
			[['batch', 'watched', 'APPLIED', 1, updatedA]],
			[['batch', 'watched', 'APPLIED', 2, updatedB]],
		]);
		const notes = list.map((e) => e.runData['Compose notification']?.[0]?.data?.main[0]?.[0]?.json.text);
		expect(notes).toEqual([`Audience watched is ready: 1 members (applied ${updatedA})`, `Audience watched is ready: 2 members (applied ${updatedB})`]);
		const workerOf = cluster.workerOfExecutions();
		const ranBy = list.map((e) => workerOf.get(e.id) ?? []);
		expect(ranBy.map((workers) => workers.length)).toEqual([1, 1]);
		const saved = await cluster.staticData(WORKFLOW_ID);

		console.log(
			`scale-out Audience Trigger: ${polls()} polls in all; change A fired execution ${list[0].id} on worker ${ranBy[0][0] + 1} ${seconds(firedA)} after it was written; main restarted in ${seconds(restarted)} (stop + start), change B (made while it was down) fired execution ${list[1].id} on worker ${ranBy[1][0] + 1} ${seconds(firedB)} after the stop; the poll after it fired nothing; 2 executions in all; the trigger's state in workflow_entity.staticData: ${saved}`,
		);
	}, 15 * 60_000);
});
