import { existsSync, mkdirSync } from 'fs';
import { join, resolve } from 'path';
import { type Browser, chromium, selectors } from 'playwright-core';

// n8n's editor marks its elements with data-test-id.
selectors.setTestIdAttribute('data-test-id');

/** Debian's Chromium, driven by playwright-core (which downloads no browser of its own). */
export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

/** Screenshots of the browser tier (not committed). */
export const SCREENSHOTS = resolve(__dirname, '../../.tmp/browser');

export async function launchChromium(): Promise<Browser> {
	if (!existsSync(CHROMIUM)) {
		throw new Error(
			`The browser tests need Chromium at ${CHROMIUM}, which is missing. Install Debian's package: ` +
				'`sudo apt-get update && sudo apt-get install -y --no-install-recommends chromium` (or set CHROMIUM_PATH to another Chromium).',
		);
	}
	mkdirSync(SCREENSHOTS, { recursive: true });
	// Nothing that reaches beyond loopback. playwright-core gives every launch a fresh profile of its
	// own (`--user-data-dir=<new temporary folder>`, removed at close; it refuses that flag in args).
	return await chromium.launch({
		executablePath: CHROMIUM,
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
