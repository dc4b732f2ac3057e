import { readFileSync } from 'fs';
import { join } from 'path';
import { startSandbox, type Sandbox } from '../../sandbox';
import { batchCall, createBatchAudience } from '../../harness/fixture';
import { LocalN8n, type WorkflowJson } from '../../harness/n8n';
import { sandboxCredentials } from '../../harness/workflows';

/**
 * The Audience Trigger in a real n8n under `n8n start`, running the notify-when-applied example: n8n
 * polls once when the workflow is activated (the baseline), then every minute; an applied update
 * starts exactly one execution.
 */
const workflow: WorkflowJson = JSON.parse(readFileSync(join(__dirname, '../../examples/notify-when-applied.json'), 'utf8'));
const WORKFLOW_ID = workflow.id;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function waitFor<T>(read: () => T, done: (value: T) => boolean, timeoutMs: number): Promise<T> {
	const deadline = Date.now() + timeoutMs;
	let value = read();
	while (!done(value) && Date.now() < deadline) {
		await sleep(2_000);
		value = read();
	}
	return value;
}

describe('Audience Trigger in a running n8n', () => {
	let sandbox: Sandbox;
	let n8n: LocalN8n;

	beforeAll(async () => {
		sandbox = await startSandbox({ port: 0, indexingDelayMs: 200 });
		await createBatchAudience(sandbox, 'watched');
		n8n = new LocalN8n();
		await n8n.importCredentials(sandboxCredentials(sandbox.url));
		await n8n.importWorkflows([workflow]);
		await n8n.publish(WORKFLOW_ID);
		await n8n.start();
	}, 20 * 60_000);

	afterAll(async () => {
		await n8n?.stop();
		n8n?.dispose();
		await sandbox?.stop();
	});

	it('starts exactly one execution for an applied update, after a silent baseline', async () => {
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
