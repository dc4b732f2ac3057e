import { ChildProcess, spawn } from 'node:child_process';
import { join } from 'node:path';

const ROOT = join(__dirname, '..', '..');
const TSX = join(ROOT, 'node_modules', '.bin', 'tsx');

function runCli(args: string[]): { child: ChildProcess; output: () => string; exited: Promise<number | null> } {
	const child = spawn(TSX, ['sandbox/cli.ts', ...args], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
	let output = '';
	child.stdout?.on('data', (chunk) => (output += chunk));
	child.stderr?.on('data', (chunk) => (output += chunk));
	const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
	return { child, output: () => output, exited };
}

async function waitFor(condition: () => boolean, timeoutMs = 15_000): Promise<void> {
	const deadline = Date.now() + timeoutMs;
	while (!condition()) {
		if (Date.now() > deadline) throw new Error('timed out');
		await new Promise((resolve) => setTimeout(resolve, 50));
	}
}

jest.setTimeout(30_000);

it('starts on 127.0.0.1, prints the URL and credentials, and stops cleanly on SIGTERM', async () => {
	const cli = runCli(['--port', '0', '--indexing-delay', '0', '--seed', '3']);
	await waitFor(() => /listening on http:\/\/127\.0\.0\.1:\d+/.test(cli.output()));
	const url = /listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(cli.output())?.[1];
	expect(cli.output()).toContain('sandbox-rest-key');
	expect(cli.output()).toContain('project_sandbox');
	expect(cli.output()).toContain('sandbox-app-key');
	expect(cli.output()).toContain('sandbox-commbox-key');
	expect(cli.output()).toContain('indexing delay 0 ms');

	const reply = await fetch(`${url}/core/systemstatus`, { headers: { Authorization: 'Bearer sandbox-commbox-key' } });
	expect(reply.status).toBe(200);

	cli.child.kill('SIGTERM');
	expect(await cli.exited).toBe(0);
	await expect(fetch(`${url}/core/systemstatus`)).rejects.toThrow();
});

it('refuses an unknown flag with the usage and exit code 2', async () => {
	const cli = runCli(['--colour', 'red']);
	expect(await cli.exited).toBe(2);
	expect(cli.output()).toContain('Usage: npm run sandbox');
});
