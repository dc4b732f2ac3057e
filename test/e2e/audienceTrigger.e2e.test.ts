import { readFileSync } from 'fs';
import { join } from 'path';
import { batchCall, createBatchAudience, type E2eFixture, pollUntil, startServedE2e, stopServedE2e } from '../../harness/fixture';
import type { LocalN8n, WorkflowJson } from '../../harness/n8n';

/**
 * The Audience Trigger in a real n8n under `n8n start`, running the notify-when-applied example: n8n
 * polls once when the workflow is activated (the baseline), then every minute; an applied update
 * starts exactly one execution.
 */
const workflow: WorkflowJson = JSON.parse(readFileSync(join(__dirname, '../../examples/notify-when-applied.json'), 'utf8'));
const WORKFLOW_ID = workflow.id;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Polls every 2000 ms (see pollUntil). */
const waitFor = <T>(read: () => T | Promise<T>, done: (value: T) => boolean, timeoutMs: number) => pollUntil(read, done, timeoutMs, 2_000);

describe('Audience Trigger in a running n8n', () => {
	let served: E2eFixture;

	beforeAll(async () => {
		served = await startServedE2e({
			workflows: [workflow],
			publish: [WORKFLOW_ID],
			prepare: (sandbox) => createBatchAudience(sandbox, 'watched'),
		});
	}, 20 * 60_000);

	afterAll(async () => await stopServedE2e(served));

	it('starts exactly one execution for an applied update, after a silent baseline', async () => {
		const { sandbox, n8n } = served;
		// Activation polls once and records the baseline: no execution.
		await waitFor(() => sandbox.requests().filter((r) => r.route === 'list').length, (n) => n > 0, 60_000);
		await sleep(3_000);
		expect(n8n.executions(WORKFLOW_ID)).toHaveLength(0);

		await batchCall(sandbox, 'update', { name: 'watched', ids: [{ action: 'add', id: 'u-1' }] });
		await sandbox.whenIdle();
		const finished = (list: ReturnType<LocalN8n['executions']>) => list.filter((e) => !['new', 'running'].includes(e.status));
		const executions = finished(await waitFor(() => n8n.executions(WORKFLOW_ID), (list) => finished(list).length > 0, 150_000));
		expect(executions).toHaveLength(1);
		expect(executions[0].status).toBe('success');
		const [emitted] = executions[0].runData['Audience applied'][0].data?.main[0] ?? [];
		expect(emitted.json).toMatchObject({ platform: 'batch', name: 'watched', indexingState: 'APPLIED', nb_ids: 1 });
		expect(emitted.json.updated).toBe(sandbox.state().batch.audiences.watched.updated);
		const [notification] = executions[0].runData['Compose notification'][0].data?.main[0] ?? [];
		expect(notification.json.text).toBe(`Audience watched is ready: 1 members (applied ${emitted.json.updated})`);

		// The next poll (at most a minute later) sees nothing new.
		const pollsSoFar = sandbox.requests().filter((r) => r.route === 'list').length;
		await waitFor(() => sandbox.requests().filter((r) => r.route === 'list').length, (n) => n > pollsSoFar, 90_000);
		await sleep(3_000);
		expect(n8n.executions(WORKFLOW_ID)).toHaveLength(1);
	}, 6 * 60_000);
});
