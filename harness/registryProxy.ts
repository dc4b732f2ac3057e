import { execFileSync } from 'child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'fs';
import { createServer as createHttpServer, request, type Server } from 'http';
import { createServer as createHttpsServer } from 'https';
import { tmpdir } from 'os';
import { join } from 'path';

/**
 * An HTTPS proxy of the kind companies run in front of the internet (HTTPS_PROXY, with their own
 * certificate authority trusted through NODE_EXTRA_CA_CERTS), on loopback, that answers for
 * https://registry.npmjs.org from a local registry and refuses every other host. n8n then installs
 * and updates community packages exactly as it does by default (its custom-registry setting,
 * N8N_COMMUNITY_PACKAGES_REGISTRY, is an n8n Enterprise feature), while nothing leaves the machine.
 */
export const NPM_REGISTRY_HOST = 'registry.npmjs.org';

export class RegistryProxy {
	/** Every request answered from the local registry (`GET /n8n-nodes-audience-sync`, …). */
	readonly served: string[] = [];
	/** Every host:port asked for and refused (nothing but the npm registry is let through). */
	readonly refused: string[] = [];
	private constructor(
		private readonly server: Server,
		private readonly folder: string,
		readonly url: string,
		/** The certificate authority to trust (NODE_EXTRA_CA_CERTS). */
		readonly caFile: string,
	) {}

	/** The environment that sends n8n's (and npm's) HTTPS requests through this proxy. */
	env(): Record<string, string> {
		return { HTTPS_PROXY: this.url, https_proxy: this.url, NO_PROXY: '127.0.0.1,localhost', no_proxy: '127.0.0.1,localhost', NODE_EXTRA_CA_CERTS: this.caFile };
	}

	static async start(registryUrl: string): Promise<RegistryProxy> {
		const folder = mkdtempSync(join(tmpdir(), 'audience-sync-proxy-'));
		const { key, cert, caFile } = makeCertificates(folder);
		const upstream = new URL(registryUrl);
		let proxy: RegistryProxy | undefined;
		// The decrypted side: each request is passed to the local registry as if it had come to it.
		const registrySide = createHttpsServer({ key, cert }, (incoming, answer) => {
			proxy?.served.push(`${incoming.method} ${incoming.url}`);
			const forwarded = request(
				{
					host: upstream.hostname,
					port: upstream.port,
					method: incoming.method,
					path: incoming.url,
					// Verdaccio writes tarball addresses from these: they stay https://registry.npmjs.org/….
					headers: { ...incoming.headers, host: NPM_REGISTRY_HOST, 'x-forwarded-proto': 'https' },
				},
				(response) => {
					answer.writeHead(response.statusCode ?? 502, response.headers);
					response.pipe(answer);
				},
			);
			// The registry gone: 502, or a cut answer if it had begun (never a second status line).
			forwarded.on('error', () => (answer.headersSent ? answer.destroy() : answer.writeHead(502).end()));
			incoming.pipe(forwarded);
		});
		const server = createHttpServer((incoming, answer) => {
			proxy?.refused.push(incoming.url ?? '');
			answer.writeHead(403).end();
		});
		server.on('connect', (incoming, socket, head) => {
			if (incoming.url !== `${NPM_REGISTRY_HOST}:443`) {
				proxy?.refused.push(incoming.url ?? '');
				socket.end('HTTP/1.1 403 Forbidden\r\n\r\n');
				return;
			}
			socket.write('HTTP/1.1 200 Connection Established\r\n\r\n');
			if (head.length > 0) socket.unshift(head);
			registrySide.emit('connection', socket);
		});
		await new Promise<void>((listening) => server.listen(0, '127.0.0.1', listening));
		const { port } = server.address() as { port: number };
		proxy = new RegistryProxy(server, folder, `http://127.0.0.1:${port}`, caFile);
		return proxy;
	}

	async stop(): Promise<void> {
		this.server.closeAllConnections();
		await new Promise((closed) => this.server.close(closed));
		rmSync(this.folder, { recursive: true, force: true });
	}
}

/** A certificate authority made for this run, and registry.npmjs.org's certificate signed by it (openssl). */
function makeCertificates(folder: string): { key: Buffer; cert: Buffer; caFile: string } {
	const file = (name: string) => join(folder, name);
	const openssl = (args: string[]) => execFileSync('openssl', args, { cwd: folder, stdio: ['ignore', 'ignore', 'pipe'] });
	const ec = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'];
	openssl(['req', '-x509', ...ec, '-keyout', 'ca.key', '-out', 'ca.pem', '-days', '2', '-subj', '/CN=audience-sync test proxy CA']);
	openssl(['req', ...ec, '-keyout', 'registry.key', '-out', 'registry.csr', '-subj', `/CN=${NPM_REGISTRY_HOST}`]);
	writeFileSync(file('registry.ext'), `subjectAltName=DNS:${NPM_REGISTRY_HOST}\nbasicConstraints=CA:FALSE\nextendedKeyUsage=serverAuth\n`);
	openssl(['x509', '-req', '-in', 'registry.csr', '-CA', 'ca.pem', '-CAkey', 'ca.key', '-CAcreateserial', '-days', '2', '-extfile', 'registry.ext', '-out', 'registry.pem']);
	return { key: readFileSync(file('registry.key')), cert: readFileSync(file('registry.pem')), caFile: file('ca.pem') };
}
