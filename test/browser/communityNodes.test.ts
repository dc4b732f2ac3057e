/**
 * The package installed, updated and uninstalled the way users do: from the editor's Settings →
 * Community nodes screen of a fresh n8n that has never seen it. The package is published with
 * `npm publish` to a local registry (Verdaccio), which n8n reaches as https://registry.npmjs.org
 * through a company-style HTTPS proxy (harness/registryProxy.ts): n8n runs with its default registry
 * setting, and nothing leaves the machine. Screenshots go to .tmp/browser/community-*.png.
 */
import { readFileSync, writeFileSync } from 'fs';
import { join } from 'path';
import type { Browser, Page } from 'playwright-core';
import { LocalN8n } from '../../harness/n8n';
import { LocalRegistry } from '../../harness/registry';
import { RegistryProxy } from '../../harness/registryProxy';
import { sandboxCredentials } from '../../harness/workflows';
import { type Sandbox, startSandbox } from '../../sandbox';
import { launchChromium, openEditor, screenshotPath } from './chromium';
import { APP_DESCRIPTION, entryDescription, flagship, nodesPanelEntry, runFlagship } from './editorActions';

jest.setTimeout(120_000);

const PACKAGE = 'n8n-nodes-audience-sync';
const FIRST = '0.1.0';
const NEXT = '0.1.1';
/** The visible change of the next release: the Audience node's description in the nodes panel. */
const NEXT_DESCRIPTION = `${APP_DESCRIPTION}, now with release ${NEXT}`;
const CREDENTIALS = ['Batch API', 'Batch Custom Audience API', 'CommBox API'];

let sandbox: Sandbox;
let registry: LocalRegistry;
let proxy: RegistryProxy;
let n8n: LocalN8n;
let browser: Browser;
let page: Page;
let editor: string;

beforeAll(async () => {
	sandbox = await startSandbox({ port: 0, indexingDelayMs: 200 });
	registry = await LocalRegistry.start();
	registry.publish(FIRST);
	proxy = await RegistryProxy.start(registry.url);
	// No package in this n8n: only the credentials and the flagship workflow, as a user's n8n would
	// hold them from an export, before the package that runs them is installed.
	n8n = new LocalN8n(undefined, 'none', { env: proxy.env() });
	await n8n.importCredentials(sandboxCredentials(sandbox.url));
	await n8n.importWorkflows([flagship]);
	[browser] = await Promise.all([launchChromium(), n8n.start()]);
	({ page, editor } = await openEditor(browser, n8n.port, 60_000));
}, 8 * 60_000);

afterAll(async () => {
	await browser?.close();
	await n8n?.stop();
	n8n?.dispose();
	await proxy?.stop();
	await registry?.stop();
	await sandbox?.stop();
});

const shot = async (name: string) => await page.screenshot({ path: screenshotPath(`community-${name}`) });
const packageCard = () => page.getByTestId('community-package-card').filter({ hasText: PACKAGE });
const tarball = (version: string) => `GET /${PACKAGE}/-/${PACKAGE}-${version}.tgz`;

/** Settings → Community nodes, from the editor's main menu. */
async function openCommunityNodes(): Promise<void> {
	await page.goto(`${editor}/home/workflows`, { waitUntil: 'domcontentloaded' });
	await page.getByTestId('main-sidebar-settings').click();
	await page.locator('#settings-community-nodes').click();
	await page.waitForURL('**/settings/community-nodes');
}

/**
 * The nodes panel of a new workflow, searched for "CommBox", which only the Audience node answers
 * (n8n has no node of its own for it): the Audience entry's description, or null when the panel
 * says it has no results.
 */
async function audienceInNodesPanel(): Promise<string | null> {
	await page.goto(`${editor}/workflow/new`, { waitUntil: 'domcontentloaded' });
	await page.getByTestId('canvas-add-button').click();
	await page.getByPlaceholder('Search nodes...').fill('CommBox');
	const found = nodesPanelEntry(page, 'Audience');
	await found.or(page.getByTestId('node-creator').getByText('No results for')).first().waitFor();
	return (await found.isVisible()) ? ((await entryDescription(found)) ?? '') : null;
}

/** The flagship workflow as n8n stores it: its nodes (type, version, parameters, credentials) and connections. */
async function storedFlagship(): Promise<unknown> {
	const response = await page.request.get(`${editor}/rest/workflows/${flagship.id}`);
	expect(response.status()).toBe(200);
	const { data } = (await response.json()) as { data: { nodes: unknown; connections: unknown } };
	return { nodes: data.nodes, connections: data.connections };
}

describe('Community nodes: install, update and uninstall from the editor', () => {
	it(`installs ${PACKAGE} from Settings → Community nodes, after the risk notice is accepted`, async () => {
		await openCommunityNodes();
		await page.getByTestId('empty-state').getByText('Install a community node').click();
		await page.getByTestId('package-name-input').fill(PACKAGE);
		const install = page.getByTestId('install-community-package-button');
		const notice = page.getByTestId('user-agreement-checkbox');
		await expect(notice.getAttribute('aria-label')).resolves.toContain('I understand the risks of installing unverified code from a public source.');
		// Nothing is installed before the user accepts the risks.
		await expect(install.isDisabled()).resolves.toBe(true);
		await shot('1-install-dialog');
		await notice.click();
		await expect(install.isEnabled()).resolves.toBe(true);
		await install.click();
		await packageCard().waitFor({ timeout: 180_000 });
		const card = await packageCard().innerText();
		expect(card).toContain('2 nodes:');
		expect(card).toContain('Audience');
		expect(card).toContain('Audience Trigger');
		expect(card).toContain(`v${FIRST}`);
		expect(proxy.served).toContain(tarball(FIRST));
		console.log(`installed from the Community nodes screen: ${card.replace(/\s+/g, ' ')}; n8n fetched ${tarball(FIRST)}; hosts refused: ${[...new Set(proxy.refused)].join(', ') || 'none'}`);
		await shot('2-installed');
	});

	it('both nodes are in the nodes panel, and the three credentials in the credential list', async () => {
		await expect(audienceInNodesPanel()).resolves.toBe(APP_DESCRIPTION);
		await nodesPanelEntry(page, 'Audience').click();
		await page.getByTestId('node-creator').getByText('When audience indexing finishes', { exact: true }).waitFor();
		await shot('3-nodes-panel');

		await page.goto(`${editor}/home/credentials`, { waitUntil: 'domcontentloaded' });
		await page.getByTestId('add-resource-credential').click();
		const offered: string[] = [];
		for (const query of ['Batch', 'CommBox']) {
			await page.getByPlaceholder('Search for app...').fill(query);
			const options = page.getByTestId('new-credential-type-select-option');
			await options.filter({ hasText: query }).first().waitFor();
			offered.push(...(await options.allInnerTexts()).map((text) => text.trim()));
			await shot(`4-credentials-${query}`);
		}
		expect(CREDENTIALS.filter((name) => offered.includes(name))).toEqual(CREDENTIALS);
		console.log(`nodes panel: Audience ("${APP_DESCRIPTION}") with the trigger "When audience indexing finishes"; credentials offered: ${CREDENTIALS.join(', ')}`);
	});

	it('the flagship workflow runs with it', async () => {
		await runFlagship(page, editor, sandbox, '5-flagship', shot);
		console.log('flagship run on the installed package: Batch audience 5,000 ids, CommBox audience 1001 5,000 rows');
	});

	it(`offers ${NEXT} once it is published, updates from the card, and the workflow saved before runs unchanged`, async () => {
		const before = await storedFlagship();
		registry.publish(NEXT, (folder) => {
			const file = join(folder, 'dist/nodes/Audience/appDescription.js');
			const source = readFileSync(file, 'utf8');
			expect(source).toContain(APP_DESCRIPTION);
			writeFileSync(file, source.replace(APP_DESCRIPTION, NEXT_DESCRIPTION));
		});
		await openCommunityNodes();
		const update = packageCard().getByRole('button', { name: 'Update' });
		await update.waitFor();
		await shot('6-update-offered');
		await update.click();
		const dialog = page.getByTestId('communityPackageManageConfirm-modal');
		await dialog.getByText('Update node package').waitFor();
		const confirmation = await dialog.innerText();
		expect(confirmation).toContain('Package includes: Audience, Audience Trigger');
		await shot('7-update-dialog');
		await dialog.getByRole('button', { name: 'Confirm update' }).click();
		await packageCard().getByText(`v${NEXT}`).waitFor({ timeout: 180_000 });
		expect(proxy.served).toContain(tarball(NEXT));
		await shot('8-updated');

		await expect(audienceInNodesPanel()).resolves.toBe(NEXT_DESCRIPTION);
		await shot('9-nodes-panel-updated');
		expect(await storedFlagship()).toEqual(before);
		await runFlagship(page, editor, sandbox, '10-flagship-after-update', shot);
		console.log(`updated to ${NEXT} from the card (dialog: "${confirmation.replace(/\s+/g, ' ')}"); nodes panel shows "${NEXT_DESCRIPTION}"; the flagship saved before ran unchanged: Batch 5,000 ids, CommBox 5,000 rows`);
	});

	it('uninstalls from the card after naming the workflows it affects, and the nodes leave the panel', async () => {
		await openCommunityNodes();
		await packageCard().getByTestId('action-toggle').click();
		await page.getByTestId('action-uninstall').click();
		const dialog = page.getByTestId('communityPackageManageConfirm-modal');
		await dialog.getByText('Uninstall node package').waitFor();
		await dialog.getByText(flagship.name as string).waitFor();
		const warning = await dialog.innerText();
		expect(warning).toContain('Uninstalling the package will remove every instance of nodes included in this package.');
		await shot('11-uninstall-dialog');
		await dialog.getByRole('button', { name: 'Confirm uninstall' }).click();
		await page.getByText('Package uninstalled').waitFor({ timeout: 120_000 });
		await dialog.waitFor({ state: 'hidden' });
		await expect(packageCard().count()).resolves.toBe(0);
		await shot('12-uninstalled');
		await expect(audienceInNodesPanel()).resolves.toBeNull();
		await shot('13-nodes-panel-without-it');
		console.log(`uninstalled (dialog: "${warning.replace(/\s+/g, ' ')}"); the nodes panel no longer finds Audience`);
	});
});
