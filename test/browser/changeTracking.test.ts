/**
 * Change tracking ("Send: Only New and Changed Members") in a published workflow edited in the
 * editor, in Chromium against `n8n start`: what earlier production runs sent is kept in the
 * workflow's static data, and n8n 2.40.7's editor does not send static data when it saves a
 * workflow, so saving an edit keeps it; a run started from the editor says that n8n keeps nothing of
 * it, and the next production run sends its changes again. Webhook → Code (30 contacts) → Audience
 * (Batch Update). One n8n, one page; the steps run in order, each from where the previous one left
 * the workflow. Screenshots go to .tmp/browser/tracking-*.png.
 */
import type { Browser, Locator, Page } from 'playwright-core';
import { type E2eFixture, startServedE2e, stopServedE2e } from '../../harness/fixture';
import type { NodeRun, WorkflowJson } from '../../harness/n8n';
import { AUDIENCE, byName, CREDENTIAL_REFS } from '../../harness/workflows';
import { launchChromium, openEditor, screenshotPath } from './chromium';
import * as actions from './editorActions';

const WORKFLOW_ID = 'browserTracking1';
const WEBHOOK_PATH = 'crm-contacts-changed';
const CODE_NODE = 'Contacts';
const SYNC_NODE = 'Sync to Batch';

/** 30 contacts `{ id, plan }`: those listed in `pro` on the pro plan, the others free. */
const contactsCode = (pro: string[], comment?: string) =>
	[
		...(comment ? [comment] : []),
		`const pro = ${JSON.stringify(pro).replace(/"/g, "'").replace(/,/g, ', ')};`,
		'return Array.from({ length: 30 }, (_, i) => {',
		"  const id = 'contact_' + String(i).padStart(2, '0');",
		"  return { json: { id, plan: pro.includes(id) ? 'pro' : 'free' } };",
		'});',
	].join('\n');
const COMMENT = '// The contacts of the CRM export';
const UPGRADED = ['contact_00', 'contact_01', 'contact_02'];

const workflow: WorkflowJson = {
	id: WORKFLOW_ID,
	name: 'CRM contacts to Batch (only changes)',
	nodes: [
		{
			id: 'tracking-webhook',
			name: 'CRM contacts changed',
			type: 'n8n-nodes-base.webhook',
			typeVersion: 2,
			position: [0, 0],
			webhookId: '6c1f0a3e-2b4d-4e8f-9a1c-7d5e3b2a1f09',
			// Answers once the last node finished: the caller knows the run is over.
			parameters: { httpMethod: 'POST', path: WEBHOOK_PATH, responseMode: 'lastNode', options: {} },
		},
		{ id: 'tracking-code', name: CODE_NODE, type: 'n8n-nodes-base.code', typeVersion: 2, position: [240, 0], parameters: { jsCode: contactsCode([]) } },
		{
			id: 'tracking-audience',
			name: SYNC_NODE,
			type: AUDIENCE,
			typeVersion: 2,
			position: [480, 0],
			credentials: CREDENTIAL_REFS.batch,
			parameters: {
				resource: 'batch',
				operation: 'update',
				sendMode: 'changes',
				audience: byName('sandbox_audience'),
				attributeMode: 'fields',
				attributes: { attribute: [{ name: 'plan', type: 'string', value: '={{ $json.plan }}' }] },
				options: {},
			},
		},
	],
	connections: {
		'CRM contacts changed': { main: [[{ node: CODE_NODE, type: 'main', index: 0 }]] },
		[CODE_NODE]: { main: [[{ node: SYNC_NODE, type: 'main', index: 0 }]] },
	},
	settings: { executionOrder: 'v1' },
};

let served: E2eFixture;
let browser: Browser;
let page: Page;
let editor: string;

beforeAll(async () => {
	[served, browser] = await Promise.all([startServedE2e({ workflows: [workflow], publish: [WORKFLOW_ID] }), launchChromium()]);
	({ page, editor } = await openEditor(browser, served.n8n.port, 60_000));
}, 20 * 60_000);

afterAll(async () => {
	await browser?.close();
	await stopServedE2e(served);
});

const shot = async (name: string) => await page.screenshot({ path: screenshotPath(`tracking-${name}`) });
const canvasNode = (name: string) => actions.canvasNode(page, name);
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** The ids count of each Batch update request the sandbox received, in arrival order. */
const updates = () => served.sandbox.requests().filter((request) => request.api === 'batch' && request.route === 'update').map((request) => request.ids);

type Execution = ReturnType<E2eFixture['n8n']['executions']>[number];
const finished = () => served.n8n.executions(WORKFLOW_ID).filter((execution) => !['new', 'running', 'waiting'].includes(execution.status));

/** Waits until n8n's database holds `count` finished executions of the workflow; returns the last one. */
async function finishedExecutions(count: number): Promise<Execution> {
	const deadline = Date.now() + 180_000;
	while (finished().length < count && Date.now() < deadline) await sleep(1000);
	const all = finished();
	expect(all).toHaveLength(count);
	return all[count - 1];
}

/**
 * POSTs a webhook URL of the workflow and expects n8n's 200 (with responseMode "lastNode", once
 * the run ended). A 404 means n8n has not registered the webhook yet (nothing ran): asked again.
 */
async function callWebhook(kind: 'webhook' | 'webhook-test'): Promise<void> {
	const deadline = Date.now() + 120_000;
	let status = 0;
	let body = '';
	while (Date.now() < deadline) {
		const response = await fetch(`http://127.0.0.1:${served.n8n.port}/${kind}/${WEBHOOK_PATH}`, {
			method: 'POST',
			headers: { 'Content-Type': 'application/json' },
			body: JSON.stringify({ source: 'crm' }),
		}).catch(() => undefined);
		status = response?.status ?? 0;
		body = (await response?.text()) ?? '';
		if (status !== 404 && status !== 0) break;
		await sleep(1000);
	}
	expect(`${status} ${status === 200 ? '' : body}`.trim()).toBe('200');
}

/** A production run: the production webhook called once, and its execution read from n8n's database. */
async function productionRun(count: number): Promise<NodeRun & { hints?: Array<{ message: string }> }> {
	await callWebhook('webhook');
	const execution = await finishedExecutions(count);
	expect([execution.mode, execution.status]).toEqual(['webhook', 'success']);
	await served.sandbox.whenIdle();
	return execution.runData[SYNC_NODE][0];
}
const outputOf = (run: NodeRun) => run.data?.main[0] ?? [];
const hintsOf = (run: NodeRun & { hints?: Array<{ message: string }> }) => (run.hints ?? []).map((hint) => hint.message);
const byOutcome = (run: NodeRun) => {
	const groups: Record<string, string[]> = {};
	for (const { json } of outputOf(run)) (groups[`${json.outcome} ${json.change}`] ??= []).push(json.id);
	return groups;
};
const contactIds = Array.from({ length: 30 }, (_, i) => `contact_${String(i).padStart(2, '0')}`);

const openNode = async (name: string, within?: Locator) => await actions.openNode(page, name, within);
const closeNode = async () => await actions.closeNode(page);
const openWorkflow = async () => await actions.openWorkflow(page, editor, WORKFLOW_ID);

/** The Code node's editor: the code it shows, and typing in it as a user does. */
const codeEditor = () => page.getByTestId('ndv').getByTestId('parameter-input-jsCode').locator('.cm-content');

describe('a published sync with "Only New and Changed Members", edited in the editor', () => {
	it('production run 1 (webhook) sends the 30 contacts in one request and tracks them', async () => {
		const run = await productionRun(1);
		expect(updates()).toEqual([30]);
		expect(byOutcome(run)).toEqual({ 'accepted new': contactIds });
		expect(hintsOf(run)).toContainEqual(
			expect.stringMatching(/^Only new and changed members: 30 new, 0 changed, 0 unchanged \(not sent\) · 30 members tracked \([\d.]+ (bytes|kB)\)\./),
		);
	}, 5 * 60_000);

	it('the Code node edited and saved in the editor: the editor, reopened, shows the edit, still to publish', async () => {
		await openWorkflow();
		await shot('01-opened');
		// Whichever saves it (Ctrl+S, or n8n 2.40.7's autosave a moment after the edit): the PATCH with the edit.
		const saved = page.waitForResponse(
			(response) =>
				response.request().method() === 'PATCH' &&
				response.url().endsWith(`/rest/workflows/${WORKFLOW_ID}`) &&
				(response.request().postData() ?? '').includes(COMMENT),
			{ timeout: 120_000 },
		);
		await openNode(CODE_NODE);
		await codeEditor().click();
		await page.keyboard.press('ControlOrMeta+Home');
		// Typed as a paste (the code editor would otherwise indent on its own).
		await page.keyboard.insertText(`${COMMENT}\n`);
		await expect(codeEditor().innerText()).resolves.toContain(COMMENT);
		await shot('02-code-edited');
		await closeNode();
		await page.keyboard.press('ControlOrMeta+s');
		expect((await saved).status()).toBe(200);

		// Reopened, the editor shows the saved edit, and a published workflow with changes to publish.
		await openWorkflow();
		await page.getByTestId('workflow-open-publish-modal-button').getByText('Publish', { exact: true }).waitFor();
		await openNode(CODE_NODE);
		await expect(codeEditor().innerText()).resolves.toContain(COMMENT);
		await shot('03-saved-reopened');
		await closeNode();
	}, 5 * 60_000);

	it('production run 2 after the save: nothing sent, the 30 contacts unchanged, as the Executions tab shows', async () => {
		const run = await productionRun(2);
		// The state kept through the save: no new request.
		expect(updates()).toEqual([30]);
		expect(byOutcome(run)).toEqual({ 'unchanged unchanged': contactIds });
		const tracked = /^Only new and changed members: 0 new, 0 changed, 30 unchanged \(not sent\) · 30 members tracked \([\d.]+ (bytes|kB)\)\.$/;
		expect(hintsOf(run)).toContainEqual(expect.stringMatching(tracked));

		// The run in the editor's Executions tab: the banner above the node's output.
		const execution = finished()[1];
		await page.goto(`${editor}/workflow/${WORKFLOW_ID}/executions/${execution.id}`, { waitUntil: 'domcontentloaded' });
		await openNode(SYNC_NODE, page.getByTestId('execution-preview-host'));
		await page.getByTestId('ndv').getByTestId('output-panel').getByText(tracked).waitFor();
		await shot('04-run-2-in-executions');
		await closeNode();
	}, 5 * 60_000);

	it('a run from the editor (test URL) with 3 contacts upgraded sends the 3 and warns that n8n keeps nothing of it', async () => {
		await openWorkflow();
		await openNode(CODE_NODE);
		await codeEditor().click();
		await page.keyboard.press('ControlOrMeta+a');
		await page.keyboard.press('Delete');
		await page.keyboard.insertText(contactsCode(UPGRADED, COMMENT));
		await expect(codeEditor().innerText()).resolves.toContain(`const pro = ['contact_00', 'contact_01', 'contact_02'];`);
		await shot('05-three-upgraded');
		await closeNode();

		// With a Webhook trigger, "Execute workflow" waits for a call to the test URL.
		await page.getByTestId('execute-workflow-button').click();
		await page.getByText('Waiting for you to call the Test URL').first().waitFor({ timeout: 120_000 });
		await shot('06-waiting-for-test-call');
		await callWebhook('webhook-test');
		await canvasNode(SYNC_NODE).locator('[data-test-id="canvas-node-status-success"]').waitFor({ timeout: 180_000 });
		await served.sandbox.whenIdle();
		expect(updates()).toEqual([30, 3]);

		await openNode(SYNC_NODE);
		const output = page.getByTestId('ndv').getByTestId('output-panel');
		await output.getByText('Only new and changed members: 0 new, 3 changed, 27 unchanged (not sent).', { exact: true }).waitFor();
		await output
			.getByText(
				'This run was started from the editor, and n8n does not keep what such runs send: the next run on the workflow\'s trigger or schedule compares with the last run of its own, so it sends this again.',
				{ exact: true },
			)
			.waitFor();
		await shot('07-editor-run-warning');
		await closeNode();
		const manual = await finishedExecutions(3);
		expect([manual.mode, manual.status]).toEqual(['manual', 'success']);
	}, 6 * 60_000);

	it('published from the editor, production run 3 sends the 3 upgraded contacts again: the editor run was not kept', async () => {
		// The webhook runs the published version: the edit goes live once published, as a user does.
		await page.getByTestId('workflow-open-publish-modal-button').click();
		await page.getByTestId('workflow-publish-button').click();
		await page.getByTestId('workflow-open-publish-modal-button').getByText('Published', { exact: true }).waitFor({ timeout: 120_000 });
		await shot('08-published');

		const run = await productionRun(4);
		expect(updates()).toEqual([30, 3, 3]);
		const unchanged = contactIds.filter((id) => !UPGRADED.includes(id));
		expect(byOutcome(run)).toEqual({ 'accepted changed': UPGRADED, 'unchanged unchanged': unchanged });
		expect(hintsOf(run)).toContainEqual(
			expect.stringMatching(/^Only new and changed members: 0 new, 3 changed, 27 unchanged \(not sent\) · 30 members tracked \([\d.]+ (bytes|kB)\)\.$/),
		);
		const members = served.sandbox.state().batch.audiences.sandbox_audience.members;
		expect(contactIds.map((id) => `${id} ${members[id]?.plan}`)).toEqual(contactIds.map((id) => `${id} ${UPGRADED.includes(id) ? 'pro' : 'free'}`));
	}, 5 * 60_000);
});
