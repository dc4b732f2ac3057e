import { existsSync, mkdirSync } from 'fs';
import { join, resolve } from 'path';
import { type Browser, chromium, type Page, selectors } from 'playwright-core';
import { runProvisioning } from '../../harness/provision';

// n8n's editor marks its elements with data-test-id.
selectors.setTestIdAttribute('data-test-id');

/** Screenshots of the browser tier (not committed). */
export const SCREENSHOTS = resolve(__dirname, '../../.tmp/browser');

/**
 * The Chromium that playwright-core (which downloads no browser of its own) drives: CHROMIUM_PATH
 * (set by `npm test`), else the one scripts/provision-services.sh provides (installed on first use:
 * npm's @sparticuz/chromium, else Debian's chromium).
 */
export function chromiumPath(): string {
	if (process.env.CHROMIUM_PATH) return process.env.CHROMIUM_PATH;
	const { chromium: path } = runProvisioning('provision-services.sh', ['chromium'], 'Chromium');
	if (!path) throw new Error('scripts/provision-services.sh printed no Chromium');
	return (process.env.CHROMIUM_PATH = path);
}

export async function launchChromium(): Promise<Browser> {
	const executablePath = chromiumPath();
	if (!existsSync(executablePath)) throw new Error(`The browser tests need Chromium at ${executablePath}, which is missing (CHROMIUM_PATH).`);
	mkdirSync(SCREENSHOTS, { recursive: true });
	// Nothing that reaches beyond loopback. playwright-core gives every launch a fresh profile of its
	// own (`--user-data-dir=<new temporary folder>`, removed at close; it refuses that flag in args).
	return await chromium.launch({
		executablePath,
		headless: true,
		args: [
			'--no-sandbox',
			'--disable-gpu',
			'--disable-quic',
			'--no-first-run',
			'--disable-background-networking',
			'--disable-component-update',
			'--disable-sync',
		],
	});
}

export const screenshotPath = (name: string) => join(SCREENSHOTS, `${name}.png`);

/** The account a fresh n8n asks its first visitor to create. */
export const OWNER = { email: 'owner@example.com', firstName: 'Sandbox', lastName: 'Owner', password: 'Sandbox-Passw0rd1' };

/**
 * Creates n8n's owner account through the form's own REST call, which also logs the page in. n8n
 * serves its editor a moment before its REST routes (404, or a 200 page "n8n is starting up"): ask
 * until the route answers.
 */
async function setUpOwner(page: Page, editor: string): Promise<void> {
	const setUp = async () => await page.request.post(`${editor}/rest/owner/setup`, { data: OWNER });
	let setup = await setUp();
	const starting = () => setup.status() === 404 || !(setup.headers()['content-type'] ?? '').includes('json');
	for (let attempt = 0; starting() && attempt < 60; attempt++) {
		await page.waitForTimeout(1000);
		setup = await setUp();
	}
	expect(setup.status()).toBe(200);
	expect(starting()).toBe(false);
}

/**
 * A page on the editor of the n8n serving on `port`: the window size the screenshots use, the
 * default wait of each action, n8n's "leave this page?" dialogs accepted, and the owner set up and
 * logged in.
 */
export async function openEditor(browser: Browser, port: number, defaultTimeoutMs: number): Promise<{ page: Page; editor: string }> {
	const editor = `http://localhost:${port}`;
	const page = await browser.newPage({ viewport: { width: 1440, height: 900 } });
	page.setDefaultTimeout(defaultTimeoutMs);
	page.setDefaultNavigationTimeout(120_000);
	page.on('dialog', (dialog) => void dialog.accept());
	await setUpOwner(page, editor);
	return { page, editor };
}
