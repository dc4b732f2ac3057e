/**
 * The n8n editor (`n8n start` with the built package installed as users install it, and the
 * sandbox) driven in Chromium, the way a marketer meets the nodes: node search, the panel
 * of every operation against the README, the Operation lists, the audience lists, the credentials'
 * Test, running the flagship example, a sync built from an empty workflow in the panels and run, and
 * the trigger's audience list per platform. One n8n for the whole file, one page reused; screenshots
 * go to .tmp/browser/.
 */
import type { Browser, Locator, Page } from 'playwright-core';

/** The DOM properties read in the page (the tests compile without the DOM library). */
type Shown = { innerText: string; offsetParent: unknown };
import { LocalN8n, type WorkflowJson } from '../../harness/n8n';
import { AUDIENCE, AUDIENCE_TRIGGER, CREDENTIAL_REFS, sandboxCredentials } from '../../harness/workflows';
import { type Sandbox, startSandbox } from '../../sandbox';
import { launchChromium, openEditor, screenshotPath } from './chromium';
import * as actions from './editorActions';
import { APP_DESCRIPTION, flagship } from './editorActions';
import { readmePanels } from './readme';

jest.setTimeout(90_000);

const REFUSED_NOTICE = 'This Base URL is refused: it must start with https://';
const PLATFORMS: Record<string, keyof typeof CREDENTIAL_REFS> = {
	Batch: 'batch',
	'Batch Custom Audience (Legacy)': 'batchCustomAudience',
	CommBox: 'commBox',
};
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
/** An Audience node as version 2 (new nodes) saves it, for the Operation list of each platform. */
const AUDIENCE_V2 = 'Audience v2';
panelsWorkflow.nodes.push({
	id: 'audience-v2',
	name: AUDIENCE_V2,
	type: AUDIENCE,
	typeVersion: 2,
	position: [1800, 0],
	parameters: { resource: 'batch', operation: 'update' },
	credentials: CREDENTIAL_REFS.batch,
});
/** The trigger as workflows saved with version 2 and with version 1 have it (version 3 is built from the nodes panel below). */
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
	({ page, editor } = await openEditor(browser, n8n.port, 30_000));
	page.on('console', (message) => {
		if (message.type() === 'error') consoleErrors.push(message.text());
	});
	page.on('pageerror', (error) => consoleErrors.push(String(error.stack ?? error.message)));
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
const canvasNode = (name: string) => actions.canvasNode(page, name);
const openWorkflow = async (id: string) => await actions.openWorkflow(page, editor, id);
const openNode = async (name: string) => await actions.openNode(page, name);
const closeNode = async () => await actions.closeNode(page);
const nodesPanelEntry = (name: string) => actions.nodesPanelEntry(page, name);
const searchNodes = async (query: string, name: string) => await actions.searchNodes(page, query, name);

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

/** The titles of the options a parameter's list offers (descriptions left out), shot while open if named; the list is closed again. */
async function listedOptions(ndv: Locator, parameter: string, shotName?: string): Promise<string[]> {
	await ndv.getByTestId(`parameter-input-${parameter}`).click();
	const options = page.getByRole('option');
	await options.first().waitFor();
	const titles = (await options.allInnerTexts()).map((text) => text.trim().split('\n')[0]);
	if (shotName) await shot(shotName);
	await page.keyboard.press('Escape');
	await options.first().waitFor({ state: 'hidden' });
	return titles;
}

describe('node search', () => {
	// The app's name, its platforms, and words a marketer looks for (the node's codex aliases).
	it.each(['Audience', 'Batch', 'CommBox', 'indexing', 'segment', 'contacts'])('"%s" finds the Audience node with its description', async (query) => {
		// One new workflow and one open node panel for the searches: only the query changes.
		if (!(await page.getByTestId('node-creator').isVisible())) {
			await page.goto(`${editor}/workflow/new`, { waitUntil: 'domcontentloaded' });
			await page.getByTestId('canvas-add-button').click();
		}
		const entry = await searchNodes(query, 'Audience');
		const description = await actions.entryDescription(entry);
		expect(description).toBe(APP_DESCRIPTION);
		await shot(`search-${query}`);
	});

	it('the Audience entry lists the trigger as "When audience indexing finishes", and the 15 operations', async () => {
		await nodesPanelEntry('Audience').click();
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
		expect(await parameterLabels(ndv)).toEqual(['Platform', 'Operation', 'Audience', 'Send', 'Action', 'Custom User ID', 'Options']);
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
			const shotName = `trigger-platform-${name.replace(/[^A-Za-z0-9]+/g, '-')}`;
			expect(await listedOptions(ndv, typeVersion === 2 ? 'platform' : 'resource', shotName)).toEqual(['Batch', 'Batch Custom Audience (Legacy)']);
			await closeNode();
		},
	);

	// n8n adds its "Custom API Call" to the Operation list of a node whose `version` is a number
	// equal to its defaultVersion; the Audience node's is [1, 2]: neither saved nor new nodes get it.
	it.each(
		Object.keys(PLATFORMS).flatMap((platform): Array<[string, number, string]> => [
			[platform, 1, nodeName(panels.find((row) => row.platform === platform)!)],
			[platform, 2, AUDIENCE_V2],
		]),
	)('%s: the Operation list of a version %d node offers the README operations and no "Custom API Call"', async (platform, version, node) => {
		const ndv = await openNode(node);
		if (version === 2) await choose(ndv, 'resource', platform);
		const shotName = `operations-${platform.replace(/[^A-Za-z]+/g, '-')}-v${version}`;
		const listed = await listedOptions(ndv, 'operation', shotName);
		expect(listed).not.toContain('Custom API Call');
		expect([...listed].sort()).toEqual(panels.filter((row) => row.platform === platform).map((row) => row.operation).sort());
		await closeNode();
	});

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
		await actions.runFlagship(page, editor, sandbox, 'flagship', shot);
	});
});

/** The names of the canvas's nodes, in the order n8n lists them. */
const canvasNodeNames = async () => await page.getByTestId('canvas-node').evaluateAll((nodes) => nodes.map((node) => (node as unknown as { dataset: { nodeName: string } }).dataset.nodeName));

/**
 * Adds a node the way a user does: the empty canvas's "+" for the first one, else the "+" after the
 * node `after` (which connects the new node to it); then the nodes panel's search, the entry, and
 * the action if any. Returns the name n8n gave the new node.
 */
async function addNode(step: { after?: string; query: string; entry: string; action?: string }): Promise<string> {
	const before = await canvasNodeNames();
	if (step.after) {
		// Each node lands to the right of the last one: the view is fitted first, as the user would scroll.
		await page.getByTestId('zoom-to-fit').click();
		await page.locator(`[data-test-id="canvas-node-output-handle"][data-node-name="${step.after}"]`).getByTestId('canvas-handle-plus').click();
	} else {
		await page.getByTestId('canvas-add-button').click();
	}
	await (await searchNodes(step.query, step.entry)).click();
	if (step.action) await page.getByTestId('node-creator').getByText(step.action, { exact: true }).click();
	await page.getByTestId('canvas-node').nth(before.length).waitFor();
	const added = (await canvasNodeNames()).filter((name) => !before.includes(name));
	expect(added).toHaveLength(1);
	return added[0];
}

/**
 * Adds an Audience node by the action the nodes panel lists it under (after the node `after`, if
 * any); resolves with its name once its panel shows the parameters.
 */
async function addAudienceNode(action: string, after?: string): Promise<string> {
	const name = await addNode({ after, query: 'Audience', entry: 'Audience', action });
	await page.getByTestId('ndv').getByTestId('node-parameters').waitFor();
	return name;
}

/** The value an input of the panel shows (the first input of the parameter). */
const shownValue = async (ndv: Locator, parameter: string) => await ndv.getByTestId(`parameter-input-${parameter}`).locator('input').first().inputValue();
const shownCredential = async () => await page.getByTestId('node-credentials-select').locator('input').first().inputValue();

/** Chooses a credential in the panel's Credential list by its name. */
async function chooseCredential(name: string): Promise<void> {
	await page.getByTestId('node-credentials-select').click();
	await page.getByRole('option').filter({ hasText: name }).first().click();
	await expect(shownCredential()).resolves.toBe(name);
}

/** The credentials the panel's Credential list offers, each as "name · type". */
async function offeredCredentials(): Promise<string[]> {
	await page.getByTestId('node-credentials-select').click();
	const options = page.getByRole('option');
	await options.first().waitFor();
	const offered = (await options.allInnerTexts()).map((text) => text.trim().split('\n').map((line) => line.trim()).filter(Boolean).join(' · '));
	await page.keyboard.press('Escape');
	await options.first().waitFor({ state: 'hidden' });
	return offered;
}

/** The panel shows the README's fields for this platform and operation, with them chosen. */
async function expectOperationPanel(ndv: Locator, platform: string, operation: string): Promise<void> {
	const row = panels.find((r) => r.platform === platform && r.operation === operation);
	if (!row) throw new Error(`The README panel table has no row ${platform} · ${operation}`);
	expect(await parameterLabels(ndv)).toEqual(['Platform', 'Operation', ...row.fields]);
	expect([await shownValue(ndv, 'resource'), await shownValue(ndv, 'operation')]).toEqual([platform, operation]);
}

/**
 * Adds an Audience node after the node `after` by its action in the nodes panel (a screenshot
 * `shotWhenAdded` of it as added, if named), checks that its panel is the README's for the
 * `panel` platform and operation, and chooses the credential. Resolves with the node's name.
 */
async function addOperation(step: { after: string; action: string; shotWhenAdded?: string; panel: [string, string]; credential: string }): Promise<string> {
	const name = await addAudienceNode(step.action, step.after);
	if (step.shotWhenAdded) await shot(step.shotWhenAdded);
	await expectOperationPanel(page.getByTestId('ndv'), ...step.panel);
	await chooseCredential(step.credential);
	return name;
}

/** Picks an audience in the panel's Audience "From List". */
async function pickAudience(ndv: Locator, listed: string): Promise<void> {
	await ndv.getByTestId('rlc-input').first().click();
	await page.getByTestId('rlc-item').filter({ hasText: listed }).first().click();
	await expect(ndv.getByTestId('rlc-input').first().inputValue()).resolves.toContain(listed);
}

describe('a marketer builds a sync from an empty workflow', () => {
	/** 50 contacts; their phones written in five ways, all of them French mobile numbers 06 12 34 56 NN. */
	const CONTACTS_CODE = [
		"const phones = [(nn) => '+33 6 12 34 56 ' + nn, (nn) => '+336123456' + nn, (nn) => '0033 6 12 34 56 ' + nn, (nn) => '+33 6-12-34-56-' + nn, (nn) => '+33.6.12.34.56.' + nn];",
		'return Array.from({ length: 50 }, (_, i) => {',
		"  const nn = String(i).padStart(2, '0');",
		"  return { json: { id: 'contact_' + nn, email: 'contact' + nn + '@example.com', phone: phones[i % phones.length](nn) } };",
		'});',
	].join('\n');
	const contactIds = Array.from({ length: 50 }, (_, i) => `contact_${String(i).padStart(2, '0')}`);
	const phone1s = Array.from({ length: 50 }, (_, i) => `336123456${String(i).padStart(2, '0')}`);

	it(
		'Manual Trigger → Code → Batch Update → Check Indexing (Wait Until Done) → CommBox Replace Static, built in the panels, runs: 50 members, 50 rows, the banners',
		async () => {
			sandbox.reset();
			await page.goto(`${editor}/workflow/new`, { waitUntil: 'domcontentloaded' });
			await page.getByTestId('canvas-add-button').waitFor();
			await shot('build-01-empty-workflow');

			const trigger = await addNode({ query: 'manual', entry: 'Manual Trigger' });
			await shot('build-02-manual-trigger');

			const code = await addNode({ after: trigger, query: 'code', entry: 'Code', action: 'Code in JavaScript' });
			// The panel of whichever node is open: the Code node's now, then each node added after it.
			let ndv = page.getByTestId('ndv');
			const editorContent = ndv.getByTestId('parameter-input-jsCode').locator('.cm-content');
			await editorContent.click();
			await page.keyboard.press('ControlOrMeta+a');
			await page.keyboard.press('Delete');
			// Typed as a paste (the code editor would otherwise close brackets and indent on its own).
			await page.keyboard.insertText(CONTACTS_CODE);
			await expect(editorContent.innerText()).resolves.toContain("phones[i % phones.length](nn)");
			await shot('build-03-code');
			await closeNode();

			// Batch · Update: the action chosen in the nodes panel sets Platform and Operation.
			const update = await addOperation({
				after: code,
				action: 'Update audience members',
				shotWhenAdded: 'build-04-batch-update-added',
				panel: ['Batch', 'Update'],
				credential: 'Batch sandbox',
			});
			await pickAudience(ndv, 'sandbox_audience');
			// Custom User ID keeps its default.
			await expect(ndv.getByTestId('parameter-input-userId').innerText()).resolves.toContain('{{ $json.id }}');
			await shot('build-05-batch-update');
			await closeNode();

			const check = await addOperation({ after: update, action: 'Check indexing of an audience write', panel: ['Batch', 'Check Indexing'], credential: 'Batch sandbox' });
			await ndv.getByTestId('collection-parameter-add').click();
			await page.getByTestId('collection-parameter-option').filter({ hasText: 'Wait Until Done' }).click();
			const waitUntilDone = ndv.getByTestId('parameter-input-waitUntilDone');
			await waitUntilDone.locator('.el-switch').click();
			await expect(waitUntilDone.locator('[role="switch"]').getAttribute('aria-checked')).resolves.toBe('true');
			await shot('build-06-check-indexing');
			await closeNode();

			const replace = await addOperation({ after: check, action: 'Replace a static audience', panel: ['CommBox', 'Replace Static'], credential: 'CommBox sandbox' });
			await pickAudience(ndv, '(1001)');
			await expect(ndv.getByTestId('parameter-input-phone').innerText()).resolves.toContain('{{ $json.phone }}');
			await shot('build-07-commbox-replace-static');
			await closeNode();

			// Adding each node after the previous one wired them in sequence; nothing else is connected.
			const chain = [trigger, code, update, check, replace];
			await page.getByTestId('zoom-to-fit').click();
			const edges = await page.getByTestId('edge').evaluateAll((all) =>
				all.map((edge) => {
					const { sourceNodeName, targetNodeName } = (edge as unknown as { dataset: Record<string, string> }).dataset;
					return `${sourceNodeName} → ${targetNodeName}`;
				}),
			);
			expect(edges.sort()).toEqual(chain.slice(1).map((name, i) => `${chain[i]} → ${name}`).sort());
			await shot('build-08-workflow');

			await page.getByTestId('execute-workflow-button').click();
			const status = (name: string, state: 'success' | 'error') => canvasNode(name).locator(`[data-test-id="canvas-node-status-${state}"]`);
			await status(replace, 'success').or(page.locator('[data-test-id="canvas-node-status-error"]')).first().waitFor({ timeout: 240_000 });
			await shot('build-09-executed');
			const succeeded = await Promise.all(chain.map(async (name) => `${name}: ${(await status(name, 'success').count()) === 1 ? 'success' : 'no success'}`));
			expect(succeeded).toEqual(chain.map((name) => `${name}: success`));

			await sandbox.whenIdle();
			const state = sandbox.state();
			expect(Object.keys(state.batch.audiences.sandbox_audience.members).sort()).toEqual(contactIds);
			expect(state.batch.audiences.sandbox_audience.nb_ids).toBe(50);
			expect(state.commBox.audiences['1001'].rows.map((row) => row.phone1).sort()).toEqual(phone1s);

			ndv = await openNode(update);
			await ndv.getByTestId('output-panel').getByText('50 items → 1 request: 50 ids accepted, 0 duplicates collapsed, 0 invalid', { exact: true }).waitFor();
			await shot('build-10-update-banner');
			await closeNode();

			ndv = await openNode(replace);
			await ndv.getByTestId('output-panel').getByText('50 items → 1 file of 50 rows accepted, 0 duplicates collapsed, 0 invalid', { exact: true }).waitFor();
			// Its input, Check Indexing's output: the contacts' fields, and the write applied (Wait Until Done).
			const input = await ndv.getByTestId('ndv-input-panel').innerText();
			for (const shown of ['contact_00', 'indexingState', 'APPLIED']) expect(input).toContain(shown);
			await shot('build-11-commbox-banner');
			await closeNode();
		},
		6 * 60_000,
	);
});

describe('the Audience Trigger added from the nodes panel (version 3)', () => {
	const AUDIENCE_LISTS = { Batch: 'batchAudiences', 'Batch Custom Audience (Legacy)': 'customAudiences' };
	const CREDENTIAL_TYPES = { Batch: 'Batch API', 'Batch Custom Audience (Legacy)': 'Batch Custom Audience API' };

	it('switching Platform shows that platform\'s own audience list (empty for a new node) and its credential', async () => {
		sandbox.reset();
		// An audience only Batch has, so that the two platforms' lists differ.
		const created = await fetch(`${sandbox.url}/2.11/audiences/create`, {
			method: 'POST',
			headers: { Authorization: `Bearer ${sandbox.credentials.batchRestKey}`, 'X-Batch-Project': sandbox.credentials.batchProjectKey, 'Content-Type': 'application/json' },
			body: JSON.stringify({ name: 'newsletter', display_name: 'Newsletter', type: 'custom_ids' }),
		});
		expect(created.status).toBeLessThan(300);

		await page.goto(`${editor}/workflow/new`, { waitUntil: 'domcontentloaded' });
		await addAudienceNode('When audience indexing finishes');
		const ndv = page.getByTestId('ndv');
		await expect(ndv.getByTestId('node-version').innerText()).resolves.toContain('version 3');
		await choose(ndv, 'watch', 'Selected Audiences');

		const listOf = (platform: keyof typeof AUDIENCE_LISTS) => ndv.getByTestId(`fixed-collection-${AUDIENCE_LISTS[platform]}`);
		const sandboxAudiences = {
			Batch: () => Object.keys(sandbox.state().batch.audiences),
			'Batch Custom Audience (Legacy)': () => Object.keys(sandbox.state().customAudience.audiences),
		};
		for (const platform of ['Batch', 'Batch Custom Audience (Legacy)'] as const) {
			const other = platform === 'Batch' ? 'Batch Custom Audience (Legacy)' : 'Batch';
			if (platform !== 'Batch') await choose(ndv, 'platform', platform);
			await listOf(platform).waitFor();
			await page.getByRole('option').first().waitFor({ state: 'hidden' });
			const slug = platform.replace(/[^A-Za-z]+/g, '-');
			await shot(`trigger-v3-${slug}`);
			expect(await shownValue(ndv, 'platform')).toBe(platform);
			// The platform's own list, empty, and never the other platform's.
			await expect(listOf(platform).innerText()).resolves.toContain('Currently no items exist');
			await expect(listOf(other).count()).resolves.toBe(0);
			// Credentials of this platform's type only (the sandbox's, and any created by the credential tests).
			const offered = await offeredCredentials();
			expect([...new Set(offered.map((credential) => credential.split(' · ')[1]))]).toEqual([CREDENTIAL_TYPES[platform]]);
			const sandboxCredential = platform === 'Batch' ? 'Batch sandbox' : 'Batch Custom Audience sandbox';
			expect(offered).toContain(`${sandboxCredential} · ${CREDENTIAL_TYPES[platform]}`);
			// n8n fills the credential of a new node, not the one a changed Platform asks for: the user picks it.
			await chooseCredential(sandboxCredential);

			// Its picker lists this platform's audiences.
			await listOf(platform).getByTestId('fixed-collection-add').click();
			await listOf(platform).getByTestId('rlc-input').first().click();
			const items = page.getByTestId('rlc-item');
			await items.first().waitFor();
			const listed = (await items.allInnerTexts()).map((text) => text.trim());
			const expected = sandboxAudiences[platform]();
			expect(listed).toHaveLength(expected.length);
			for (const audience of expected) expect(listed.some((text) => text.includes(audience))).toBe(true);
			await items.filter({ hasText: 'sandbox_audience' }).click();
			await shot(`trigger-v3-${slug}-picked`);
		}
		// Back on Batch: its list never shows the legacy pick.
		await choose(ndv, 'platform', 'Batch');
		await listOf('Batch').waitFor();
		await page.getByRole('option').first().waitFor({ state: 'hidden' });
		await expect(listOf('Batch Custom Audience (Legacy)').count()).resolves.toBe(0);
		await shot('trigger-v3-back-to-Batch');
		await closeNode();
	});
});

it('no browser console error comes from the package', () => {
	const fromPackage = consoleErrors.filter((text) => /audience-sync|CUSTOM\.audience|audienceTrigger|Audience\.node/i.test(text));
	expect(fromPackage).toEqual([]);
});
