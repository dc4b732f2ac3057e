/**
 * What the browser tests do in n8n's editor, written once: open a workflow and its nodes, search the
 * nodes panel, and run the flagship example from the editor.
 */
import { readFileSync } from 'fs';
import { join } from 'path';
import type { Locator, Page } from 'playwright-core';
import type { WorkflowJson } from '../../harness/n8n';
import type { Sandbox } from '../../sandbox';

/** The Audience node's description in the nodes panel. */
export const APP_DESCRIPTION = 'Sync audiences to Batch.com and CommBox in the fewest API requests, with every item accounted for';

export const canvasNode = (page: Page, name: string) => page.locator(`[data-test-id="canvas-node"][data-node-name="${name}"]`);

export async function openWorkflow(page: Page, editor: string, id: string): Promise<void> {
	await page.goto(`${editor}/workflow/${id}`, { waitUntil: 'domcontentloaded' });
	await page.getByTestId('canvas-node').first().waitFor();
}

/** Opens the panel of the node `name`, on the canvas or within another view (an execution's preview). */
export async function openNode(page: Page, name: string, within: Page | Locator = page): Promise<Locator> {
	await within.locator(`[data-test-id="canvas-node"][data-node-name="${name}"]`).dblclick();
	const ndv = page.getByTestId('ndv');
	await ndv.getByTestId('node-parameters').waitFor();
	return ndv;
}

export async function closeNode(page: Page): Promise<void> {
	await page.getByTestId('ndv-close-button').click();
	await page.getByTestId('ndv').waitFor({ state: 'hidden' });
}

/** A pattern matching exactly `text`. */
export const exactly = (text: string) => new RegExp(`^${text.replace(/[.*+?^$()|[\]\\{}]/g, '\\$&')}$`);

/** The entry of the nodes panel (n8n's node creator) named exactly `name`. */
export const nodesPanelEntry = (page: Page, name: string) =>
	page.getByTestId('node-creator').getByTestId('node-creator-item-name').filter({ hasText: exactly(name) }).first();

/** Types `query` in the nodes panel's search as a user does, and returns the entry `name` it finds. */
export async function searchNodes(page: Page, query: string, name: string): Promise<Locator> {
	const search = page.getByPlaceholder('Search nodes...');
	const entry = nodesPanelEntry(page, name);
	// Emptied first, so the entry found below is the answer to this query, not to the previous one.
	await search.fill('');
	await entry.waitFor({ state: 'hidden' });
	await search.fill(query);
	await entry.waitFor();
	return entry;
}

/** The description the nodes panel shows under its entry `entry`. */
export async function entryDescription(entry: Locator): Promise<string | undefined> {
	return await entry.evaluate(
		(name) =>
			(name.closest(':has([data-test-id="node-creator-item-description"])')?.querySelector('[data-test-id="node-creator-item-description"]') as unknown as { innerText: string } | null)
				?.innerText,
	);
}

/** The flagship example, and what a run of it leaves. */
export const flagship = JSON.parse(readFileSync(join(__dirname, '../../examples/crm-contacts-to-batch-and-commbox.json'), 'utf8')) as WorkflowJson;
const FLAGSHIP_CONTACTS = 5000;
const FLAGSHIP_SUMMARY = '5,000 items → 1 request: 5,000 ids accepted, 0 duplicates collapsed, 0 invalid';

/**
 * Runs the flagship from the editor (Execute workflow) on an emptied sandbox and checks what it left:
 * Batch's audience holds the 5,000 contacts, CommBox's the 5,000 rows, and the Batch node's panel
 * shows the summary line. Screenshots are named after `shotPrefix`.
 */
export async function runFlagship(page: Page, editor: string, sandbox: Sandbox, shotPrefix: string, shot: (name: string) => Promise<unknown>): Promise<void> {
	sandbox.reset();
	await openWorkflow(page, editor, flagship.id);
	await page.getByTestId('execute-workflow-button').click();
	const replace = canvasNode(page, 'Replace CommBox static audience');
	await replace.locator('[data-test-id="canvas-node-status-success"]').or(replace.getByText('1 item')).first().waitFor({ timeout: 180_000 });
	await sandbox.whenIdle();
	expect(sandbox.state().batch.audiences.sandbox_audience.nb_ids).toBe(FLAGSHIP_CONTACTS);
	expect(sandbox.state().commBox.audiences['1001'].rows).toHaveLength(FLAGSHIP_CONTACTS);
	await shot(`${shotPrefix}-executed`);
	const ndv = await openNode(page, 'Sync to Batch audience');
	await ndv.getByText(FLAGSHIP_SUMMARY).waitFor();
	await shot(`${shotPrefix}-summary-hint`);
	await closeNode(page);
}
