/**
 * The n8n editor (`n8n start` with the built package installed as users install it, and the
 * sandbox) driven in Debian's Chromium, the way a marketer meets the nodes: node search, the panel
 * of every operation against the README, the audience lists, the credentials' Test, running the
 * flagship example. One n8n for the whole file, one page reused; screenshots go to .tmp/browser/.
 */
import { readFileSync } from 'fs';
import { join } from 'path';
import type { Browser, Locator, Page } from 'playwright-core';

/** The DOM properties read in the page (the tests compile without the DOM library). */
type Shown = { innerText: string; offsetParent: unknown };
import { LocalN8n, type WorkflowJson } from '../../harness/n8n';
import { AUDIENCE, AUDIENCE_TRIGGER, CREDENTIAL_REFS, sandboxCredentials } from '../../harness/workflows';
import { type Sandbox, startSandbox } from '../../sandbox';
import { launchChromium, screenshotPath } from './chromium';
import { readmePanels } from './readme';

jest.setTimeout(90_000);

const OWNER = { email: 'owner@example.com', firstName: 'Sandbox', lastName: 'Owner', password: 'Sandbox-Passw0rd1' };
const REFUSED_NOTICE = 'This Base URL is refused: it must start with https://';
const APP_DESCRIPTION = 'Sync audiences to Batch.com and CommBox in the fewest API requests, with every item accounted for';
const PLATFORMS: Record<string, keyof typeof CREDENTIAL_REFS> = {
	Batch: 'batch',
	'Batch Custom Audience (Legacy)': 'batchCustomAudience',
	CommBox: 'commBox',
};
const flagship = JSON.parse(readFileSync(join(__dirname, '../../examples/crm-contacts-to-batch-and-commbox.json'), 'utf8')) as WorkflowJson;
const panels = readmePanels();
const nodeName = (row: { platform: string; operation: string }) => `${row.platform} · ${row.operation}`;

/** One Audience node per README row, named like the row, with only Platform and Operation set. */
const operationValue = (label: string) => label.replace(/ (\w)/g, (_, c: string) => c.toUpperCase()).replace(/^\w/, (c) => c.toLowerCase());
const panelsWorkflow: WorkflowJson = {
	id: 'browserPanels01',
	name: 'Panels',
	nodes: panels.map((row, i) => ({
		id: `panel-${i}`,
		name: nodeName(row),
		type: AUDIENCE,
		typeVersion: 1,
		position: [(i % 5) * 300, Math.floor(i / 5) * 240],
		parameters: { resource: PLATFORMS[row.platform], operation: operationValue(row.operation) },
		credentials: CREDENTIAL_REFS[PLATFORMS[row.platform]],
	})),
	connections: {},
};
/** The trigger as a new node is (version 2), and as a workflow saved with version 1 has it. */
const TRIGGERS = { 'Trigger v2': { typeVersion: 2, platform: 'batch' }, 'Trigger v1': { typeVersion: 1, resource: 'batchCustomAudience' } };
panelsWorkflow.nodes.push(
	...Object.entries(TRIGGERS).map(([name, { typeVersion, ...parameters }], i) => ({
		id: `trigger-${i}`,
		name,
		type: AUDIENCE_TRIGGER,
		typeVersion,
		position: [1500, i * 240],
		parameters: { ...parameters, watch: 'all' },
		credentials: CREDENTIAL_REFS[i === 0 ? 'batch' : 'batchCustomAudience'],
	})),
);

let sandbox: Sandbox;
let n8n: LocalN8n;
let browser: Browser;
let page: Page;
let editor: string;
/** Console errors of the page, checked at the end for any that comes from the package. */
const consoleErrors: string[] = [];

beforeAll(async () => {
	sandbox = await startSandbox({ port: 0, indexingDelayMs: 200 });
	n8n = new LocalN8n(undefined, 'community');
	await n8n.importCredentials(sandboxCredentials(sandbox.url));
	await n8n.importWorkflows([flagship, panelsWorkflow]);
	[browser] = await Promise.all([launchChromium(), n8n.start()]);
	editor = `http://localhost:${n8n.port}`;
	page = await browser.newPage({ viewport: { width: 1440, height: 900 } });
	page.setDefaultTimeout(30_000);
	page.setDefaultNavigationTimeout(120_000);
	page.on('dialog', (dialog) => void dialog.accept());
	page.on('console', (message) => {
		if (message.type() === 'error') consoleErrors.push(message.text());
	});
	page.on('pageerror', (error) => consoleErrors.push(String(error.stack ?? error.message)));
	// A fresh n8n asks for its owner account: the form's own REST call, which also logs the page in.
	// n8n serves its editor a moment before its REST routes: ask until the route exists.
	let setup = await page.request.post(`${editor}/rest/owner/setup`, { data: OWNER });
	for (let attempt = 0; setup.status() === 404 && attempt < 60; attempt++) {
		await page.waitForTimeout(1000);
		setup = await page.request.post(`${editor}/rest/owner/setup`, { data: OWNER });
	}
	expect(setup.status()).toBe(200);
}, 8 * 60_000);

afterAll(async () => {
	await browser?.close();
	await n8n?.stop();
	n8n?.dispose();
	await sandbox?.stop();
});

// A failed test must not leave a panel or a menu open over the next test's canvas.
afterEach(async () => {
	if (!(await page.getByTestId('ndv').isVisible())) return;
	await page.keyboard.press('Escape');
	if (await page.getByTestId('ndv').isVisible()) await closeNode();
});

const shot = async (name: string) => await page.screenshot({ path: screenshotPath(name) });
const canvasNode = (name: string) => page.locator(`[data-test-id="canvas-node"][data-node-name="${name}"]`);

async function openWorkflow(id: string): Promise<void> {
	await page.goto(`${editor}/workflow/${id}`, { waitUntil: 'domcontentloaded' });
	await page.getByTestId('canvas-node').first().waitFor();
}

async function openNode(name: string): Promise<Locator> {
	await canvasNode(name).dblclick();
	const ndv = page.getByTestId('ndv');
	await ndv.getByTestId('node-parameters').waitFor();
	return ndv;
}

async function closeNode(): Promise<void> {
	await page.getByTestId('ndv-close-button').click();
	await page.getByTestId('ndv').waitFor({ state: 'hidden' });
}

/** The labels of the parameters the panel shows, top level only, in order (credential excluded). */
async function parameterLabels(ndv: Locator): Promise<string[]> {
	return await ndv.getByTestId('node-parameters').evaluate((root) =>
		[...root.querySelectorAll('[data-test-id="parameter-item"]')]
			.filter((item) => !item.parentElement?.closest('[data-test-id="parameter-item"]') && (item as unknown as Shown).offsetParent !== null)
			.map((item) => (item.querySelector('label.n8n-input-label[for]') as unknown as Shown | null)?.innerText.trim().split('\n')[0] ?? ''),
	);
}

/** Chooses an option of a top-level options parameter. */
async function choose(ndv: Locator, parameter: string, option: string): Promise<void> {
	await ndv.getByTestId(`parameter-input-${parameter}`).click();
	// An option's accessible name also holds its description: match its title.
	await page.getByRole('option').filter({ has: page.getByText(option, { exact: true }) }).first().click();
}

describe('node search', () => {
	it.each(['Audience', 'Batch', 'CommBox'])('"%s" finds the Audience node with its description', async (query) => {
		// One new workflow and one open node panel for the three searches: only the query changes.
		if (!(await page.getByTestId('node-creator').isVisible())) {
			await page.goto(`${editor}/workflow/new`, { waitUntil: 'domcontentloaded' });
			await page.getByTestId('canvas-add-button').click();
		}
		const entry = page.getByTestId('node-creator').getByTestId('node-creator-item-name').filter({ hasText: /^Audience$/ });
		// Emptied first, so the entry found below is the answer to this query, not to the previous one.
		await page.getByPlaceholder('Search nodes...').fill('');
		await entry.first().waitFor({ state: 'hidden' });
		await page.getByPlaceholder('Search nodes...').fill(query);
		await entry.first().waitFor();
		const description = await entry
			.first()
			.evaluate((name) => (name.closest(':has([data-test-id="node-creator-item-description"])')?.querySelector('[data-test-id="node-creator-item-description"]') as unknown as Shown | null)?.innerText);
		expect(description).toBe(APP_DESCRIPTION);
		await shot(`search-${query}`);
	});

	it('the Audience entry lists the trigger as "When audience indexing finishes", and the 15 operations', async () => {
		await page.getByTestId('node-creator').getByTestId('node-creator-item-name').filter({ hasText: /^Audience$/ }).first().click();
		const creator = page.getByTestId('node-creator');
		await creator.getByText('When audience indexing finishes', { exact: true }).waitFor();
		await expect(creator.getByText('On new Audience event').count()).resolves.toBe(0);
		// Every operation of the three platforms: 7 + 5 + 3.
		await creator.getByText('Actions (15)').waitFor();
		await shot('search-audience-actions');
	});
});

describe('panels', () => {
	beforeAll(async () => {
		await openWorkflow(panelsWorkflow.id);
		await shot('panels-canvas');
	});

	it('the canvas subtitles name the operation and platform', async () => {
		for (const row of panels) {
			await expect(canvasNode(nodeName(row)).innerText()).resolves.toContain(`${row.operation} · ${row.platform}`);
		}
	});

	it.each(panels.map((row) => [nodeName(row), row.fields] as const))('%s shows exactly the README fields', async (name, fields) => {
		const ndv = await openNode(name);
		expect(await parameterLabels(ndv)).toEqual(['Platform', 'Operation', ...fields]);
		await shot(`panel-${name.replace(/[^A-Za-z]+/g, '-')}`);
		await closeNode();
	});

	it.each([
		['Batch · Update', () => Object.keys(sandbox.state().batch.audiences)],
		['Batch Custom Audience (Legacy) · Update', () => Object.keys(sandbox.state().customAudience.audiences)],
		// Only Static audiences can be replaced; they are listed as "name (id)".
		['CommBox · Replace Static', () => Object.values(sandbox.state().commBox.audiences).filter((a) => a.type === 'Static').map((a) => `(${a.id})`)],
	])('%s: "From List" lists the sandbox\'s audiences', async (name, expected) => {
		const ndv = await openNode(name);
		await ndv.getByTestId('rlc-input').first().click();
		const items = page.getByTestId('rlc-item');
		await items.first().waitFor();
		const listed = (await items.allInnerTexts()).map((text) => text.trim());
		expect(listed).toHaveLength(expected().length);
		for (const audience of expected()) expect(listed.some((text) => text.includes(audience))).toBe(true);
		await shot(`from-list-${name.replace(/[^A-Za-z]+/g, '-')}`);
		await page.keyboard.press('Escape');
		await closeNode();
	});

	it('Action Remove hides the attributes; waiting options appear once waiting is on', async () => {
		const ndv = await openNode('Batch · Update');
		await choose(ndv, 'action', 'Remove');
		expect(await parameterLabels(ndv)).toEqual(['Platform', 'Operation', 'Audience', 'Action', 'Custom User ID', 'Options']);
		await ndv.getByTestId('collection-parameter-add').click();
		const offered = async () => (await page.getByTestId('collection-parameter-option').allInnerTexts()).map((t) => t.trim());
		expect(await offered()).not.toContain('Poll Interval (Seconds)');
		await page.getByTestId('collection-parameter-option').filter({ hasText: 'Wait for Indexing' }).click();
		// Added switched off: still nothing to tune. Switched on: the wait's own options.
		await ndv.getByTestId('collection-parameter-add').click();
		expect(await offered()).not.toContain('Poll Interval (Seconds)');
		await page.keyboard.press('Escape');
		await ndv.getByTestId('parameter-input-waitForIndexing').locator('[role="switch"], .el-switch, input').first().click();
		await ndv.getByTestId('collection-parameter-add').click();
		expect(await offered()).toEqual(expect.arrayContaining(['Poll Interval (Seconds)', 'Wait Timeout (Seconds)']));
		await page.keyboard.press('Escape');
		await shot('update-remove-waiting');
		await closeNode();
	});

	it.each(Object.entries(TRIGGERS))(
		'%s: Event, Platform, Watch; Platform offers the two Batch APIs and no "Custom API Call"',
		async (name, { typeVersion }) => {
			const ndv = await openNode(name);
			// Poll Times is n8n's own, on every polling trigger.
			expect(await parameterLabels(ndv)).toEqual(['Poll Times', 'Event', 'Platform', 'Watch']);
			await ndv.getByTestId(`parameter-input-${typeVersion === 2 ? 'platform' : 'resource'}`).click();
			const options = page.getByRole('option');
			await options.first().waitFor();
			const titles = (await options.allInnerTexts()).map((text) => text.trim().split('\n')[0]);
			expect(titles).toEqual(['Batch', 'Batch Custom Audience (Legacy)']);
			await shot(`trigger-platform-${name.replace(/[^A-Za-z0-9]+/g, '-')}`);
			await page.keyboard.press('Escape');
			await closeNode();
		},
	);

	it('Check Indexing starts with Audience {{ $json.audience }}; switched to from another operation, it keeps the value and says how to chain', async () => {
		const audienceShown = async (ndv: Locator) => {
			const audience = ndv.locator('[data-test-id="parameter-item"]:has(label[for="audience"])');
			const inputs = await audience.locator('input').evaluateAll((all) => all.map((input) => (input as unknown as { value: string }).value).join(' '));
			return `${await audience.innerText()} ${inputs}`;
		};
		let ndv = await openNode('Batch · Check Indexing');
		expect(await audienceShown(ndv)).toContain('{{ $json.audience }}');
		await closeNode();

		// n8n 2.40.7 keeps a parameter's value when Operation changes, even across separate definitions.
		ndv = await openNode('Batch · Replace');
		await ndv.getByTestId('rlc-input').first().click();
		await page.getByTestId('rlc-item').filter({ hasText: 'sandbox_audience' }).click();
		await choose(ndv, 'operation', 'Check Indexing');
		await ndv.getByTestId('parameter-input-indexingToken').waitFor();
		const shown = await audienceShown(ndv);
		expect(shown).toContain('sandbox_audience');
		expect(shown).toContain('keep {{ $json.audience }} (the default)');
		await shot('operation-switch-check-indexing');
		await closeNode();
	});
});

describe('credentials created in the editor', () => {
	const cases = [
		{ node: 'Batch · Get', title: 'Batch API', fields: { restApiKey: 'sandbox-rest-key', projectKey: 'project_sandbox' }, testPath: '/2.11/audiences/list?limit=1' },
		{ node: 'Batch Custom Audience (Legacy) · Get Many', title: 'Batch Custom Audience API', fields: { restApiKey: 'sandbox-rest-key', appApiKey: 'sandbox-app-key' }, testPath: '/1.1/***/custom-audience?limit=1' },
		{ node: 'CommBox · Get Many', title: 'CommBox API', fields: { apiKey: 'sandbox-commbox-key' }, testPath: '/audiences' },
	];

	it.each(cases)('$title: Test succeeds against the sandbox; the form explains a refused Base URL', async ({ node, fields, testPath }) => {
		await openWorkflow(panelsWorkflow.id);
		await openNode(node);
		await page.getByTestId('node-credentials-select').click();
		await page.getByTestId('node-credentials-select-item-new').click();
		const dialog = page.getByTestId('credential-edit-dialog');
		const input = (name: string) => dialog.getByTestId(name).locator('input').first();
		const notice = dialog.getByText(REFUSED_NOTICE, { exact: false });
		const shotOfCredential = async (state: string) => await shot(`credential-${node.split(' · ')[0].replace(/[^A-Za-z]+/g, '-')}-${state}`);
		for (const [name, value] of Object.entries({ ...fields, baseUrl: sandbox.url })) await input(name).fill(value);
		expect(await notice.count()).toBe(0);
		// n8n asks its server for the new credential's name after the dialog opens and shows it in the
		// header once it arrives; a Save before then is refused ("String must contain at least 1 character(s)").
		await page.getByTestId('credential-name').waitFor();
		const before = sandbox.requests().length;
		await page.getByTestId('credential-save-button').click();
		// Created from a node, the dialog closes as soon as the test succeeded (it stays open on a failure).
		const requestsSinceSave = () => sandbox.requests().slice(before).map((r) => `${r.method} ${r.path} ${r.status}`);
		await dialog.waitFor({ state: 'hidden' }).catch(async (error: Error) => {
			// Say what the dialog and n8n's notifications showed, and what reached the sandbox.
			await shotOfCredential('still-open');
			const notifications = await page.getByRole('alert').allInnerTexts();
			throw new Error(
				`${error.message}\nThe dialog stayed open, showing: ${await dialog.innerText()}\nNotifications: ${JSON.stringify(notifications)}\nSandbox requests since Save: ${JSON.stringify(requestsSinceSave())}`,
			);
		});
		expect(requestsSinceSave()).toEqual([`GET ${testPath} 200`]);
		await shotOfCredential('ok');

		await page.getByTestId('credential-edit-button').click();
		// The form says why as the URL is typed (and no more once it is allowed); Test then cannot
		// connect, and nothing was sent anywhere.
		await input('baseUrl').fill('http://example.com');
		await notice.waitFor();
		await input('baseUrl').fill(sandbox.url);
		await notice.waitFor({ state: 'hidden' });
		await input('baseUrl').fill('http://example.com');
		// The notice follows the form's data: once it shows, Save tests this URL.
		await notice.waitFor();
		await page.getByTestId('credential-save-button').click();
		await dialog.getByText('Couldn’t connect with these settings').waitFor();
		await notice.waitFor();
		// The refused URL's test goes to a .invalid host. The sandbox saw only tests of the saved,
		// allowed credential (reopening the dialog may retest it, arriving at any moment).
		expect(new Set(requestsSinceSave())).toEqual(new Set([`GET ${testPath} 200`]));
		await shotOfCredential('refused');
		await page.keyboard.press('Escape');
		await dialog.waitFor({ state: 'hidden' });
	});
});

describe('the flagship example run from the editor', () => {
	it('executes: Batch holds the 5,000 contacts, CommBox the 5,000 rows, and the summary line shows', async () => {
		sandbox.reset();
		await openWorkflow(flagship.id);
		await page.getByTestId('execute-workflow-button').click();
		const replace = canvasNode('Replace CommBox static audience');
		await replace.locator('[data-test-id="canvas-node-status-success"]').or(replace.getByText('1 item')).first().waitFor({ timeout: 180_000 });
		await sandbox.whenIdle();
		expect(sandbox.state().batch.audiences.sandbox_audience.nb_ids).toBe(5000);
		expect(sandbox.state().commBox.audiences['1001'].rows).toHaveLength(5000);
		await shot('flagship-executed');

		const ndv = await openNode('Sync to Batch audience');
		await ndv.getByText('5,000 items → 1 request: 5,000 ids accepted, 0 duplicates collapsed, 0 invalid').waitFor();
		await shot('flagship-summary-hint');
		await closeNode();
	});
});

it('no browser console error comes from the package', () => {
	const fromPackage = consoleErrors.filter((text) => /audience-sync|CUSTOM\.audience|audienceTrigger|Audience\.node/i.test(text));
	expect(fromPackage).toEqual([]);
});
