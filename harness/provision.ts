import { execFileSync } from 'child_process';
import { join, resolve } from 'path';

const REPO = resolve(__dirname, '..');

/**
 * Runs one of the project's provisioning scripts (scripts/provision-*.sh; their progress goes to
 * this process's stderr) and returns the `name=value` lines it prints, e.g. `{ node, n8n }`.
 */
export function runProvisioning(script: string, args: string[], what: string): Record<string, string> {
	let out: string;
	try {
		out = execFileSync('bash', [join(REPO, 'scripts', script), ...args], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] });
	} catch (error) {
		throw new Error(`Provisioning ${what} failed: ${(error as Error).message}`);
	}
	const lines = out.trim().split('\n').filter((line) => line.includes('='));
	return Object.fromEntries(lines.map((line) => [line.slice(0, line.indexOf('=')), line.slice(line.indexOf('=') + 1)]));
}
