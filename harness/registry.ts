import { type ChildProcess, execFileSync, spawn } from 'child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';
import { freePort } from './freePort';
import { unpackPackage } from './n8n';
import { runProvisioning } from './provision';

/**
 * A local npm registry (Verdaccio, provisioned by scripts/provision-services.sh) on loopback, with
 * no uplink: it serves only what the test publishes to it with `npm publish`.
 */
export class LocalRegistry {
	readonly url: string;
	private readonly folder: string;
	private token = '';

	private constructor(
		private readonly server: ChildProcess,
		private readonly port: number,
		folder: string,
	) {
		this.url = `http://127.0.0.1:${port}`;
		this.folder = folder;
	}

	static async start(): Promise<LocalRegistry> {
		const { verdaccio } = runProvisioning('provision-services.sh', ['registry'], 'Verdaccio');
		const folder = mkdtempSync(join(tmpdir(), 'audience-sync-registry-'));
		const port = await freePort();
		const config = [
			`storage: ${join(folder, 'storage')}`,
			'auth:',
			'  htpasswd:',
			`    file: ${join(folder, 'htpasswd')}`,
			'uplinks: {}',
			'packages:',
			"  '**':",
			'    access: $all',
			'    publish: $authenticated',
			'    unpublish: $authenticated',
			'server:',
			'  keepAliveTimeout: 60',
			'log: { type: stdout, format: pretty, level: warn }',
		].join('\n');
		writeFileSync(join(folder, 'config.yaml'), config);
		const server = spawn(process.execPath, [verdaccio, '--config', join(folder, 'config.yaml'), '--listen', `127.0.0.1:${port}`], {
			stdio: ['ignore', 'pipe', 'pipe'],
			env: { ...process.env, VERDACCIO_APPDIR: folder },
		});
		const log: Buffer[] = [];
		server.stdout?.on('data', (chunk: Buffer) => log.push(chunk));
		server.stderr?.on('data', (chunk: Buffer) => log.push(chunk));
		const registry = new LocalRegistry(server, port, folder);
		for (let attempt = 0; ; attempt++) {
			if (server.exitCode !== null) throw new Error(`Verdaccio exited with ${server.exitCode}:\n${Buffer.concat(log).toString()}`);
			if ((await fetch(`${registry.url}/-/ping`).catch(() => undefined))?.ok) break;
			if (attempt > 300) throw new Error(`Verdaccio did not answer on ${registry.url}:\n${Buffer.concat(log).toString()}`);
			await new Promise((wait) => setTimeout(wait, 100));
		}
		await registry.signUp();
		return registry;
	}

	/** Creates the publishing account (the way `npm adduser` does) and keeps its token. */
	private async signUp(): Promise<void> {
		const name = 'publisher';
		const response = await fetch(`${this.url}/-/user/org.couchdb.user:${name}`, {
			method: 'PUT',
			headers: { 'content-type': 'application/json' },
			body: JSON.stringify({ name, password: 'local-registry-only', type: 'user', roles: [] }),
		});
		const body = (await response.json()) as { token?: string };
		if (!response.ok || !body.token) throw new Error(`Verdaccio refused the publishing account: ${response.status} ${JSON.stringify(body)}`);
		this.token = body.token;
	}

	/**
	 * Publishes the built package with `npm publish` as `version`, after `change` (if given) has
	 * edited the unpacked files, e.g. a node's description, as a new release would.
	 */
	publish(version: string, change?: (packageFolder: string) => void): void {
		const staging = mkdtempSync(join(this.folder, 'publish-'));
		const folder = join(staging, 'package');
		unpackPackage(folder);
		const manifest = JSON.parse(readFileSync(join(folder, 'package.json'), 'utf8')) as { version: string };
		manifest.version = version;
		writeFileSync(join(folder, 'package.json'), JSON.stringify(manifest, null, 2));
		change?.(folder);
		const npmrc = join(staging, '.npmrc');
		writeFileSync(npmrc, `//127.0.0.1:${this.port}/:_authToken=${this.token}\n`);
		// --ignore-scripts: prepublishOnly lints the repository, which is not here (the build was linted).
		execFileSync('npm', ['publish', '--registry', this.url, '--userconfig', npmrc, '--access', 'public', '--ignore-scripts'], {
			cwd: folder,
			encoding: 'utf8',
			stdio: ['ignore', 'pipe', 'pipe'],
			env: { ...process.env, npm_config_provenance: 'false' },
		});
	}

	async stop(): Promise<void> {
		if (this.server.exitCode === null) {
			const exited = new Promise((done) => this.server.once('exit', done));
			this.server.kill('SIGTERM');
			await exited;
		}
		rmSync(this.folder, { recursive: true, force: true });
	}
}
