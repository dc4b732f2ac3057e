/**
 * The n8n editor (`n8n start`, the built package, the sandbox) driven in Debian's Chromium, the way
 * a marketer meets the nodes: node search, the panel of every operation against the README, the
 * audience list, the credentials' Test, running the flagship example. One n8n for the whole file,
 * one page reused; screenshots go to .tmp/browser/.
 */
import { readFileSync } from 'fs';
import { join } from 'path';
import type { Browser, Locator, Page } from 'playwright-core';
import { LocalN8n, type WorkflowJson } from '../../harness/n8n';
import { AUDIENCE, CREDENTIAL_REFS, sandboxCredentials } from '../../harness/workflows';
import { type Sandbox, startSandbox } from '../../sandbox';
import { launchChromium, screenshotPath } from './chromium';
import { readmePanels } from './readme';

const OWNER = { email: 'owner@example.com', firstName: 'Sandbox', lastName: 'Owner', password: 'Sandbox-Passw0rd1' };
const APP_DESCRIPTION = 'Sync audiences to Batch.com and CommBox in the fewest API requests, with every item accounted for';
const PLATFORMS: Record<string, keyof typeof CREDENTIAL_REFS> = {
	Batch: 'batch',
	'Batch Custom Audience (Legacy)': 'batchCustomAudience',
	CommBox: 'commBox',
};
const flagship = JSON.parse(readFileSync(join(__dirname, '../../examples/crm-contacts-to-batch-and-commbox.json'), 'utf8')) as WorkflowJson;
const panels = readmePanels();

/** One Audience node per README row, named like the row, with only Platform and Operation set. */
const camel = (label: string) => label.replace(/ (\w)/g, (_, c: string) => c.toUpperCase()).replace(/^\w/, (c) => c.toLowerCase());
const panelsWorkflow: WorkflowJson = {
	id: 'browserPanels01',
	name: 'Panels',
	nodes: panels.map((row, i) => ({
		id: `panel-${i}`,
		name: `${row.platform} · ${row.operation}`,
		type: AUDIENCE,
		typeVersion: 1,
		position: [(i % 5) * 260, Math.floor(i / 5) * 220],
		parameters: { resource: PLATFORMS[row.platform], operation: camel(row.operation) },
		credentials: CREDENTIAL_REFS[PLATFORMS[row.platform]],
	})),
	connections: {},
};

let sandbox: Sandbox;
let n8n: LocalN8n;
let browser: Browser;
let page: Page;
let editor: string;
/** Console errors of the page, checked at the end for any that comes from the package. */
const consoleErrors: string[] = [];

beforeAll(async () => {
	sandbox = await startSandbox({ port: 0, indexingDelayMs: 200 });
	n8n = new LocalN8n();
	await n8n.importCredentials(sandboxCredentials(sandbox.url));
	await n8n.importWorkflows([flagship, panelsWorkflow]);
	[browser] = await Promise.all([launchChromium(), n8n.start()]);
	editor = `http://localhost:${n8n.port}`;
	page = await browser.newPage({ viewport: { width: 1440, height: 900 } });
	page.setDefaultTimeout(30_000);
	page.on('console', (message) => {
		if (message.type() === 'error') consoleErrors.push(message.text());
	});
	page.on('pageerror', (error) => consoleErrors.push(String(error.stack ?? error.message)));
	// A fresh n8n asks for its owner account; the REST call is the form's, and logs the page in.
	const setup = await page.request.post(`${editor}/rest/owner/setup`, { data: OWNER });
	expect(setup.status()).toBe(200);
}, 6 * 60_000);

afterAll(async () => {
	await browser?.close();
	await n8n?.stop();
	n8n?.dispose();
	await sandbox?.stop();
});

const shot = async (name: string) => await page.screenshot({ path: screenshotPath(name) });

async function openWorkflow(id: string): Promise<void> {
	await page.goto(`${editor}/workflow/${id}`);
	await page.getByTestId('canvas-node').first().waitFor();
}

async function openNode(name: string): Promise<Locator> {
	await page.locator(`[data-test-id="canvas-node"][data-node-name="${name}"]`).dblclick();
	const ndv = page.getByTestId('ndv');
	await ndv.waitFor();
	return ndv;
}

async function closeNode(): Promise<void> {
	await page.getByTestId('ndv-close-button').click();
	await page.getByTestId('ndv').waitFor({ state: 'hidden' });
}

/** The labels of the parameters the panel shows, in order (the credential field excluded). */
async function parameterLabels(ndv: Locator): Promise<string[]> {
	const items = ndv.getByTestId('node-parameters').locator(':scope > div > [data-test-id="parameter-item"], :scope [data-test-id="parameter-item"]');
	await items.first().waitFor();
	const labels = await ndv.getByTestId('node-parameters').locator('[data-test-id="parameter-item"] .n8n-input-label__label, [data-test-id="parameter-item"] label').allInnerTexts();
	return labels.map((label) => label.trim()).filter(Boolean);
}

describe('node search', () => {
	it.each(['Audience', 'Batch', 'CommBox'])('"%s" finds the Audience node with its description', async (query) => {
		await page.goto(`${editor}/workflow/new`);
		await page.getByTestId('canvas-plus-button').click();
		await page.getByTestId('node-creator-search-bar').locator('input').fill(query);
		const entry = page.getByTestId('node-creator').locator('[data-test-id="node-creator-item-name"]', { hasText: /^Audience$/ });
		await entry.first().waitFor();
		const description = entry.first().locator('xpath=ancestor::*[.//*[@data-test-id="node-creator-item-description"]][1]').getByTestId('node-creator-item-description');
		expect(await description.innerText()).toBe(APP_DESCRIPTION);
		await shot(`search-${query}`);
	});

	it('the Audience entry lists the actions and the trigger "When audience indexing finishes"', async () => {
		await page.getByTestId('node-creator').locator('[data-test-id="node-creator-item-name"]', { hasText: /^Audience$/ }).first().click();
		const creator = page.getByTestId('node-creator');
		await creator.getByText('When audience indexing finishes').waitFor();
		for (const action of ['Update audience members', 'Replace a static audience', 'Check indexing of an audience write']) {
			await expect(creator.getByText(action, { exact: true }).count()).resolves.toBeGreaterThan(0);
		}
		await shot('search-actions');
	});
});

describe('the panel of each operation shows exactly the README fields', () => {
	beforeAll(async () => {
		await openWorkflow(panelsWorkflow.id);
		await shot('panels-canvas');
	});

	it.each(panels.map((row) => [`${row.platform} · ${row.operation}`, row.fields] as const))('%s', async (name, fields) => {
		const ndv = await openNode(name);
		const labels = await parameterLabels(ndv);
		expect(labels).toEqual(['Platform', 'Operation', ...fields]);
		await shot(`panel-${name.replace(/[^A-Za-z]+/g, '-')}`);
		await closeNode();
	});

	it('the canvas subtitles use the operation and platform labels', async () => {
		for (const row of panels) {
			const node = page.locator(`[data-test-id="canvas-node"][data-node-name="${row.platform} · ${row.operation}"]`);
			await expect(node.innerText()).resolves.toContain(`${row.operation} · ${row.platform}`);
		}
	});
});
