/**
 * The legacy platform run by n8n-core (test/node/harness.ts) against the sandbox, through a small
 * recording proxy: the payload `type` per API version, and the Audience Trigger on legacy audiences.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { IDataObject } from 'n8n-workflow';
import { type Sandbox, SANDBOX_CREDENTIALS, startSandbox } from '../../sandbox';
import { AUDIENCE, itemsWorkflow, runPoll, runWorkflow } from './harness';

interface Recorded {
	method: string;
	path: string;
	body: any;
}

/** Forwards to the sandbox and records what was sent; `stripListState` drops `indexing_state` from list pages. */
async function startProxy(target: string, options: { stripListState?: boolean } = {}) {
	const recorded: Recorded[] = [];
	const server = http.createServer(async (req, res) => {
		const chunks: Buffer[] = [];
		for await (const chunk of req) chunks.push(chunk as Buffer);
		const text = Buffer.concat(chunks).toString();
		recorded.push({ method: req.method ?? '', path: req.url ?? '', body: text ? JSON.parse(text) : undefined });
		const headers = Object.fromEntries(Object.entries(req.headers).filter(([k]) => k !== 'host' && k !== 'content-length')) as Record<string, string>;
		const response = await fetch(`${target}${req.url}`, { method: req.method, headers, body: text || undefined });
		let reply = await response.text();
		if (options.stripListState && req.method === 'GET' && /\/custom-audience\?/.test(req.url ?? '')) {
			const page = JSON.parse(reply) as { custom_audiences: IDataObject[] };
			reply = JSON.stringify({ custom_audiences: page.custom_audiences.map(({ indexing_state: _state, ...rest }) => rest) });
		}
		res.writeHead(response.status, { 'Content-Type': 'application/json' });
		res.end(reply);
	});
	await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
	return {
		url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
		recorded,
		close: () => new Promise<void>((resolve) => server.close(() => resolve())),
	};
}

const legacyCredentials = (baseUrl: string, apiVersion = '1.1') => ({
	batchCustomAudienceApi: {
		restApiKey: SANDBOX_CREDENTIALS.batchRestKey,
		appApiKey: SANDBOX_CREDENTIALS.customAudienceAppKey,
		apiVersion,
		baseUrl,
	},
});

let sandbox: Sandbox;
beforeAll(async () => {
	sandbox = await startSandbox({ port: 0, indexingDelayMs: 0 });
});
afterAll(async () => await sandbox.stop());
beforeEach(() => sandbox.reset());

describe('payload type', () => {
	const update = (options: Record<string, string> = {}) =>
		itemsWorkflow([{ id: 'u-1', tags: 'vip' }], [
			{
				name: 'Audience',
				type: AUDIENCE,
				parameters: {
					resource: 'batchCustomAudience',
					operation: 'update',
					audience: { __rl: true, mode: 'name', value: 'sandbox_audience' },
					tags: '={{ $json.tags }}',
					options,
				},
			},
		]);

	it.each([
		['1.1', {}, undefined],
		['1.0', {}, 'custom_ids'],
		['1.0', { idType: 'advertising_ids' }, 'advertising_ids'],
		['1.1', { idType: 'advertising_ids' }, undefined],
	])('API %s with options %j sends type %s', async (version, options, type) => {
		const proxy = await startProxy(sandbox.url);
		try {
			const run = await runWorkflow(update(options), legacyCredentials(proxy.url, version));
			expect(run.error).toBeUndefined();
			const [patch] = proxy.recorded;
			expect(patch.method).toBe('PATCH');
			expect(patch.path).toBe(`/${version}/sandbox-app-key/custom-audience/sandbox_audience`);
			expect(patch.body).toEqual({ ...(type ? { type } : {}), ids: [{ action: 'add', id: 'u-1', tags: ['vip'] }] });
		} finally {
			await proxy.close();
		}
		await sandbox.whenIdle();
		expect(sandbox.state().customAudience.audiences.sandbox_audience.members['u-1']).toEqual({ attributes: {}, tags: ['vip'] });
	});
});

describe('Audience Trigger on legacy audiences', () => {
	const watchAll = { resource: 'batchCustomAudience', watch: 'all' };

	async function patch(name: string, id: string): Promise<void> {
		const response = await fetch(`${sandbox.url}/1.1/sandbox-app-key/custom-audience/${name}`, {
			method: 'PATCH',
			headers: { 'X-Authorization': 'sandbox-rest-key', 'Content-Type': 'application/json' },
			body: JSON.stringify({ ids: [{ action: 'add', id }] }),
		});
		expect(response.status).toBe(201);
		await sandbox.whenIdle();
	}

	it.each([
		['list entries carry indexing_state', false],
		['list entries lack indexing_state, so each audience is viewed', true],
	])('records a baseline, then fires once per applied change (%s)', async (_case, stripListState) => {
		const proxy = await startProxy(sandbox.url, { stripListState });
		try {
			const staticData: IDataObject = {};
			const poll = () => runPoll(watchAll, legacyCredentials(proxy.url), { mode: 'trigger', staticData });
			expect(await poll()).toBeNull();
			expect(await poll()).toBeNull();

			await patch('sandbox_audience', 'i-1');
			const fired = await poll();
			expect(fired?.[0].map((item) => item.json)).toEqual([
				expect.objectContaining({ platform: 'batchCustomAudience', name: 'sandbox_audience', indexingState: 'APPLIED', nb_ids: 1 }),
			]);
			expect(await poll()).toBeNull();

			const views = proxy.recorded.filter((r) => r.path.startsWith('/1.1/sandbox-app-key/custom-audience/sandbox_audience'));
			expect(views).toHaveLength(stripListState ? 4 : 0);
		} finally {
			await proxy.close();
		}
	});

	it('a manual test returns the latest applied legacy audience', async () => {
		const result = await runPoll(watchAll, legacyCredentials(sandbox.url), { mode: 'manual', staticData: {} });
		expect(result?.[0].map((item) => item.json.name)).toEqual(['sandbox_audience']);
	});
});
