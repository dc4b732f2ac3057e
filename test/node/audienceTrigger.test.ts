/**
 * The Audience Trigger's poll() run by n8n-core's PollContext (harness `runPoll`) against the
 * loopback sandbox, with workflow static data kept between polls as n8n keeps it.
 */
import type { IDataObject, INodeExecutionData, INodeParameters } from 'n8n-workflow';
import { NodeApiError, NodeHelpers } from 'n8n-workflow';
import { SANDBOX_CREDENTIALS } from '../../sandbox';
import { DEFAULT_POLICY } from '../../nodes/Audience/transport/requestPolicy';
import { AudienceTrigger } from '../../nodes/AudienceTrigger/AudienceTrigger.node';
import { FORGET_AFTER_MISSING_POLLS } from '../../nodes/AudienceTrigger/pollAppliedChanges';
import { runPoll, useSandbox } from './harness';
import { type LoopbackServer, startLoopbackServer } from './loopback';

const { sandbox, batchCredentials, batchCustomAudienceCredentials } = useSandbox();

const SEEDED = 'sandbox_audience';
const SECOND = 'second_audience';
/** Long enough for a poll to see the write pending, short enough to wait for. */
const PENDING_MS = 800;
const NODE_BUCKET = 'node:Audience Trigger';

const credentials = (baseUrl = sandbox.url) => ({ batchApi: batchCredentials({ baseUrl }) });
const watchAll = { resource: 'batch', watch: 'all' };

const poll = (staticData: IDataObject, mode: 'trigger' | 'manual' = 'trigger', parameters = watchAll, creds = credentials()) =>
	runPoll(parameters, creds, { mode, staticData });

/** A plain HTTP client, not the node: what another system writing to the platform would send. */
async function batchWrite(operation: 'update' | 'create', body: IDataObject): Promise<string> {
	const response = await fetch(`${sandbox.url}/2.11/audiences/${operation}`, {
		method: 'POST',
		headers: {
			Authorization: `Bearer ${SANDBOX_CREDENTIALS.batchRestKey}`,
			'X-Batch-Project': SANDBOX_CREDENTIALS.batchProjectKey,
			'Content-Type': 'application/json',
		},
		body: JSON.stringify(body),
	});
	const reply = (await response.json()) as { indexing_token?: string };
	expect(response.status).toBe(202);
	return reply.indexing_token as string;
}

const addMembers = (name: string, ...ids: string[]) => batchWrite('update', { name, ids: ids.map((id) => ({ id, action: 'add' })) });

async function createAudience(name: string): Promise<void> {
	await batchWrite('create', { name, type: 'custom_ids' });
	await sandbox.whenIdle();
}

const audienceState = (name: string) => sandbox.state().batch.audiences[name];
const applied = (staticData: IDataObject) => (staticData[NODE_BUCKET] as { applied?: Record<string, string> } | undefined)?.applied;
/** A plain copy: n8n-core's Workflow wraps the static data objects it hands out in proxies. */
const snapshot = (staticData: IDataObject) => JSON.parse(JSON.stringify(staticData)) as IDataObject;
const listStatuses = (fromSeq = 0) => sandbox.requests().filter((r) => r.route === 'list' && r.seq > fromSeq).map((r) => r.status);
const lastSeq = () => sandbox.requests().at(-1)?.seq ?? 0;
const jsonOf = (result: INodeExecutionData[][] | null) => result?.[0].map((item) => item.json);

const legacyCredentialsFor = (baseUrl: string) => ({ batchCustomAudienceApi: batchCustomAudienceCredentials({ baseUrl }) });

describe('Audience Trigger poll() through n8n-core', () => {
	it('records a baseline, ignores a pending write, fires once when it is APPLIED, then stays quiet', async () => {
		const staticData: IDataObject = {};
		const baseline = audienceState(SEEDED).updated;

		expect(await poll(staticData)).toBeNull();
		expect(applied(staticData)).toEqual({ [SEEDED]: baseline });

		sandbox.setIndexingDelay(PENDING_MS);
		await addMembers(SEEDED, 'u1', 'u2');
		expect(audienceState(SEEDED).indexing_state).toBe('IN_PROGRESS');
		const whilePending = await poll(staticData);
		expect(audienceState(SEEDED).indexing_state).toBe('IN_PROGRESS'); // the poll really ran while pending
		expect(whilePending).toBeNull();

		await sandbox.whenIdle();
		const { updated } = audienceState(SEEDED);
		expect(updated).not.toBe(baseline);
		const fired = await poll(staticData);
		expect(fired).toHaveLength(1);
		expect(jsonOf(fired)).toEqual([
			{
				platform: 'batch',
				name: SEEDED,
				displayName: 'Sandbox audience',
				indexingState: 'APPLIED',
				nb_ids: 2,
				updated,
			},
		]);
		expect(applied(staticData)).toEqual({ [SEEDED]: updated });

		expect(await poll(staticData)).toBeNull();
		expect(await poll(staticData)).toBeNull();
	});

	it('fires one item per audience that changed, and keeps one static data entry per audience', async () => {
		await createAudience(SECOND);
		const staticData: IDataObject = {};
		expect(await poll(staticData)).toBeNull();
		expect(Object.keys(applied(staticData) ?? {}).sort()).toEqual([SECOND, SEEDED].sort());

		await addMembers(SEEDED, 'a');
		await addMembers(SECOND, 'b', 'c', 'd');
		await sandbox.whenIdle();
		const fired = await poll(staticData);

		expect(fired).toHaveLength(1);
		const byName = Object.fromEntries((jsonOf(fired) ?? []).map((json) => [json.name, json]));
		expect(Object.keys(byName).sort()).toEqual([SECOND, SEEDED].sort());
		expect(byName[SEEDED]).toMatchObject({ indexingState: 'APPLIED', nb_ids: 1, updated: audienceState(SEEDED).updated });
		expect(byName[SECOND]).toMatchObject({ indexingState: 'APPLIED', nb_ids: 3, updated: audienceState(SECOND).updated });
		expect(await poll(staticData)).toBeNull();

		// One more change of one audience: only that one fires.
		await addMembers(SECOND, 'e');
		await sandbox.whenIdle();
		expect(jsonOf(await poll(staticData))?.map((json) => json.name)).toEqual([SECOND]);

		// The static data holds the trigger's bucket only, with one `updated` per audience.
		expect(Object.keys(staticData)).toEqual([NODE_BUCKET]);
		expect(Object.keys(staticData[NODE_BUCKET] as IDataObject)).toEqual(['applied']);
		expect(applied(staticData)).toEqual({
			[SEEDED]: audienceState(SEEDED).updated,
			[SECOND]: audienceState(SECOND).updated,
		});
	});

	it('an audience created after the baseline fires once its creation is APPLIED', async () => {
		const staticData: IDataObject = {};
		expect(await poll(staticData)).toBeNull();

		await createAudience(SECOND);
		expect(jsonOf(await poll(staticData))).toEqual([expect.objectContaining({ name: SECOND, indexingState: 'APPLIED', nb_ids: 0 })]);
		expect(await poll(staticData)).toBeNull();
	});

	it('watching selected audiences fires only for those', async () => {
		await createAudience(SECOND);
		const selected = { resource: 'batch', watch: 'selected', audiences: { audience: [{ name: { __rl: true, mode: 'name', value: SECOND } }] } };
		const staticData: IDataObject = {};
		expect(await poll(staticData, 'trigger', selected)).toBeNull();
		expect(applied(staticData)).toEqual({ [SECOND]: audienceState(SECOND).updated });

		await addMembers(SEEDED, 'a');
		await addMembers(SECOND, 'b');
		await sandbox.whenIdle();

		expect(jsonOf(await poll(staticData, 'trigger', selected))?.map((json) => json.name)).toEqual([SECOND]);
		expect(Object.keys(applied(staticData) ?? {})).toEqual([SECOND]);
	});

	it('manual mode returns the most recently applied audience and leaves the static data alone', async () => {
		await createAudience(SECOND);
		await addMembers(SEEDED, 'a');
		await sandbox.whenIdle();
		await addMembers(SECOND, 'b', 'c');
		await sandbox.whenIdle();

		const staticData: IDataObject = {};
		expect(jsonOf(await poll(staticData, 'manual'))).toEqual([
			{ platform: 'batch', name: SECOND, displayName: SECOND, indexingState: 'APPLIED', nb_ids: 2, updated: audienceState(SECOND).updated },
		]);

		await addMembers(SEEDED, 'd');
		await sandbox.whenIdle();
		expect(jsonOf(await poll(staticData, 'manual'))).toEqual([expect.objectContaining({ name: SEEDED, nb_ids: 2 })]);
		expect(applied(staticData)).toBeUndefined();

		// A production poll afterwards still starts with a baseline.
		expect(await poll(staticData)).toBeNull();
		expect(Object.keys(applied(staticData) ?? {}).sort()).toEqual([SECOND, SEEDED].sort());
	});

	it('legacy Custom Audience: baseline, then one item once a PATCH is APPLIED', async () => {
		const legacyCredentials = legacyCredentialsFor(sandbox.url);
		const parameters = { resource: 'batchCustomAudience', watch: 'all' };
		const staticData: IDataObject = {};
		expect(await runPoll(parameters, legacyCredentials, { mode: 'trigger', staticData })).toBeNull();

		const response = await fetch(`${sandbox.url}/1.1/${SANDBOX_CREDENTIALS.customAudienceAppKey}/custom-audience/${SEEDED}`, {
			method: 'PATCH',
			headers: { 'X-Authorization': SANDBOX_CREDENTIALS.batchRestKey, 'Content-Type': 'application/json' },
			body: JSON.stringify({ ids: [{ id: 'install-1', action: 'add' }] }),
		});
		expect(response.status).toBe(201);
		await sandbox.whenIdle();

		const fired = await runPoll(parameters, legacyCredentials, { mode: 'trigger', staticData });
		const legacyState = sandbox.state().customAudience.audiences[SEEDED];
		expect(jsonOf(fired)).toEqual([
			expect.objectContaining({ platform: 'batchCustomAudience', name: SEEDED, indexingState: 'APPLIED', nb_ids: 1, updated: legacyState.updated }),
		]);
		expect(await runPoll(parameters, legacyCredentials, { mode: 'trigger', staticData })).toBeNull();
	});

	it('version 2 reads its Platform from `platform` (version 1 workflows keep `resource`)', async () => {
		const legacyCredentials = legacyCredentialsFor(sandbox.url);
		const manual = async (parameters: Parameters<typeof runPoll>[0], creds: Parameters<typeof runPoll>[1], typeVersion: number) =>
			jsonOf(await runPoll(parameters, creds, { mode: 'manual', staticData: {}, typeVersion })) ?? [];

		const legacy = await manual({ platform: 'batchCustomAudience', watch: 'all' }, legacyCredentials, 2);
		const batch = await manual({ platform: 'batch', watch: 'all' }, credentials(), 2);
		const batchByDefault = await manual({ watch: 'all' }, credentials(), 2);

		expect(legacy.map((item) => item.platform)).toEqual(['batchCustomAudience']);
		expect(batch.map((item) => item.platform)).toEqual(['batch']);
		expect(batchByDefault.map((item) => item.platform)).toEqual(['batch']);
		const paths = sandbox.requests().map((request) => request.path);
		expect(paths.filter((path) => path.includes('/custom-audience'))).not.toHaveLength(0);
		expect(paths.filter((path) => path.startsWith('/2.11/audiences/list'))).not.toHaveLength(0);
	});

	describe('version 3: each platform has its own selected audiences (versions 1 and 2 keep `audiences`)', () => {
		const LEGACY_SECOND = 'legacy_second';
		const appKey = SANDBOX_CREDENTIALS.customAudienceAppKey;
		const legacyWrite = (method: 'POST' | 'PATCH', name: string, body: IDataObject) =>
			fetch(`${sandbox.url}/1.1/${appKey}/custom-audience/${name}`, {
				method,
				headers: { 'X-Authorization': SANDBOX_CREDENTIALS.batchRestKey, 'Content-Type': 'application/json' },
				body: JSON.stringify(body),
			});
		const byName = (value: string) => ({ audience: [{ name: { __rl: true, mode: 'name', value } }] });
		const bothCredentials = () => ({ ...credentials(), ...legacyCredentialsFor(sandbox.url) });
		const firedNames = async (parameters: INodeParameters, typeVersion: number, change: () => Promise<unknown>) => {
			const staticData: IDataObject = {};
			expect(await runPoll(parameters, bothCredentials(), { mode: 'trigger', staticData, typeVersion })).toBeNull();
			await change();
			await sandbox.whenIdle();
			return jsonOf(await runPoll(parameters, bothCredentials(), { mode: 'trigger', staticData, typeVersion }))?.map((json) => json.name);
		};

		/** What fires when the seeded audience and SECOND (created first) both change on Batch. */
		const firedOnBatchChanges = async (parameters: INodeParameters, typeVersion: number) => {
			await createAudience(SECOND);
			return await firedNames(parameters, typeVersion, async () => {
				await addMembers(SEEDED, 'a');
				await addMembers(SECOND, 'b');
			});
		};
		/** What fires when the seeded audience and LEGACY_SECOND (created first) both change on Batch Custom Audience. */
		const firedOnLegacyChanges = async (parameters: INodeParameters, typeVersion: number) => {
			expect((await legacyWrite('POST', LEGACY_SECOND, { type: 'install_ids' })).status).toBe(201);
			await sandbox.whenIdle();
			return await firedNames(parameters, typeVersion, async () => {
				expect((await legacyWrite('PATCH', SEEDED, { ids: [{ id: 'install-1', action: 'add' }] })).status).toBe(201);
				expect((await legacyWrite('PATCH', LEGACY_SECOND, { ids: [{ id: 'install-2', action: 'add' }] })).status).toBe(201);
			});
		};

		it('Batch: `batchAudiences` is watched; another platform\'s selection or a version 2 `audiences` left over are not', async () => {
			const parameters = {
				platform: 'batch',
				watch: 'selected',
				batchAudiences: byName(SECOND),
				customAudiences: byName(SEEDED),
				audiences: byName(SEEDED),
			};
			expect(await firedOnBatchChanges(parameters, 3)).toEqual([SECOND]);
		});

		it('Batch Custom Audience: `customAudiences` is watched, not the Batch selection', async () => {
			const parameters = { platform: 'batchCustomAudience', watch: 'selected', batchAudiences: byName(SEEDED), customAudiences: byName(LEGACY_SECOND) };
			expect(await firedOnLegacyChanges(parameters, 3)).toEqual([LEGACY_SECOND]);
		});

		it.each([
			[2, { platform: 'batch' }],
			[1, { resource: 'batch' }],
		] as const)('version %i workflows keep watching their saved `audiences`', async (typeVersion, platform) => {
			expect(await firedOnBatchChanges({ ...platform, watch: 'selected', audiences: byName(SECOND) }, typeVersion)).toEqual([SECOND]);
		});

		it('version 2 keeps one `audiences` for both platforms: a legacy selection saved there still fires', async () => {
			const parameters = { platform: 'batchCustomAudience', watch: 'selected', audiences: byName(LEGACY_SECOND) };
			expect(await firedOnLegacyChanges(parameters, 2)).toEqual([LEGACY_SECOND]);
		});
	});

	describe('poll errors (backoff shortened, retry count unchanged)', () => {
		const saved = { ...DEFAULT_POLICY };

		beforeAll(() => {
			// The trigger uses the default policy: 5 retries with backoff from 500 ms. Keep the
			// retries, shorten the waits so the failures below take milliseconds.
			Object.assign(DEFAULT_POLICY, { baseDelayMs: 2, maxDelayMs: 10 });
		});

		afterAll(() => {
			Object.assign(DEFAULT_POLICY, saved);
		});

		it('a 500 on every attempt throws and leaves the static data unchanged; the change fires later', async () => {
			const staticData: IDataObject = {};
			expect(await poll(staticData)).toBeNull();
			const before = snapshot(staticData);

			await addMembers(SEEDED, 'a');
			await sandbox.whenIdle();
			// One more 500 than the 5 retries: every attempt of the list request fails.
			sandbox.setFaults({ rules: [{ api: 'batch', route: 'list', kind: '500', count: DEFAULT_POLICY.maxRetries + 1 }] });
			const seq = lastSeq();
			await expect(poll(staticData)).rejects.toThrow(/Batch answered 500/);
			expect(snapshot(staticData)).toEqual(before);
			expect(listStatuses(seq)).toEqual(Array(DEFAULT_POLICY.maxRetries + 1).fill(500));

			// The change is not lost: the next successful poll reports it.
			expect(jsonOf(await poll(staticData))?.map((json) => json.name)).toEqual([SEEDED]);
		});

		it('500s within the retries are retried and the poll succeeds', async () => {
			const staticData: IDataObject = {};
			expect(await poll(staticData)).toBeNull();
			await addMembers(SEEDED, 'a');
			await sandbox.whenIdle();
			sandbox.setFaults({ rules: [{ api: 'batch', route: 'list', kind: '500', count: DEFAULT_POLICY.maxRetries }] });
			const seq = lastSeq();

			expect(jsonOf(await poll(staticData))?.map((json) => json.name)).toEqual([SEEDED]);
			expect(listStatuses(seq)).toEqual([
				...Array(DEFAULT_POLICY.maxRetries).fill(500),
				200,
			]);
		});

		it('a closed port throws a clear error and leaves the static data unchanged', async () => {
			const staticData: IDataObject = {};
			expect(await poll(staticData)).toBeNull();
			const before = snapshot(staticData);
			const gone = await startLoopbackServer();
			await gone.close();

			const error = (await poll(staticData, 'trigger', watchAll, credentials(gone.url)).catch((e: unknown) => e)) as NodeApiError;

			expect(error).toBeInstanceOf(NodeApiError);
			// The helper's own message (which API, how many attempts) is kept by n8n in `messages`;
			// NodeApiError currently swaps `message` for its stock ECONNREFUSED text (see report).
			expect([error.message, ...error.messages].join('\n')).toMatch(/Batch could not be reached.* after 6 attempt/);
			expect(snapshot(staticData)).toEqual(before);
		});

		it('a manual poll error is thrown too (the editor shows it)', async () => {
			sandbox.setFaults({ rules: [{ api: 'batch', route: 'list', kind: '500', count: DEFAULT_POLICY.maxRetries + 1 }] });
			await expect(poll({}, 'manual')).rejects.toThrow(/Batch answered 500/);
		});
	});
});

describe('legacy listing walked by offset while an audience is deleted', () => {
	const BULK = 101; // with the seeded audience: 102, two pages of 100
	const appKey = SANDBOX_CREDENTIALS.customAudienceAppKey;
	const legacy = (method: string, name: string, body?: IDataObject) =>
		fetch(`${sandbox.url}/1.1/${appKey}/custom-audience/${name}`, {
			method,
			headers: { 'X-Authorization': SANDBOX_CREDENTIALS.batchRestKey, 'Content-Type': 'application/json' },
			body: body ? JSON.stringify(body) : undefined,
		});
	/** Deleted by the proxy just before the second page is read, when armed. */
	let deleteBeforeSecondPage: string | undefined;
	let deleteStatus: number | undefined;
	let proxy: LoopbackServer;

	beforeAll(async () => {
		// Forwards to the sandbox; an armed deletion happens between the two pages of one walk.
		proxy = await startLoopbackServer({
			respond: (request, response) =>
				void (async () => {
					if (deleteBeforeSecondPage && /(^|&)from=100(&|$)/.test(request.query)) {
						deleteStatus = (await legacy('DELETE', deleteBeforeSecondPage)).status;
						deleteBeforeSecondPage = undefined;
					}
					const reply = await fetch(`${sandbox.url}${request.path}?${request.query}`, {
						method: request.method,
						headers: { 'X-Authorization': String(request.headers['x-authorization'] ?? '') },
					});
					response.writeHead(reply.status, { 'Content-Type': 'application/json' });
					response.end(await reply.text());
				})(),
		});
	});

	afterAll(async () => {
		await proxy.close();
	});

	it('no other audience fires again; the deleted one is forgotten after it stays absent', async () => {
		for (let k = 0; k < BULK; k++) expect((await legacy('POST', `bulk_${k}`, { type: 'install_ids' })).status).toBe(201);
		await sandbox.whenIdle();
		const parameters = { resource: 'batchCustomAudience', watch: 'all' };
		const credentials = legacyCredentialsFor(proxy.url);
		const staticData: IDataObject = {};
		const legacyPoll = () => runPoll(parameters, credentials, { mode: 'trigger', staticData });
		const listPages = (fromSeq: number) =>
			sandbox.requests().filter((r) => r.api === 'customAudience' && r.route === 'list' && r.seq > fromSeq).map((r) => r.path.split('?')[1]);

		expect(await legacyPoll()).toBeNull();
		const baseline = { ...applied(staticData) };
		expect(Object.keys(baseline)).toHaveLength(BULK + 1);

		// Newest first: page 1 is bulk_100..bulk_1. Deleting bulk_100 meanwhile shifts bulk_0 to
		// offset 99, so page 2 (from 100) holds only the seeded audience: bulk_0 is not listed.
		deleteBeforeSecondPage = `bulk_${BULK - 1}`;
		let seq = lastSeq();
		expect(await legacyPoll()).toBeNull();
		expect(deleteStatus).toBe(200);
		expect(listPages(seq)).toEqual(['from=0&limit=100', 'from=100&limit=100']);
		expect(applied(staticData)).toEqual(baseline);

		// bulk_0 is listed again, unchanged: it does not fire. bulk_100 is gone and quietly forgotten.
		for (let poll = 1; poll <= FORGET_AFTER_MISSING_POLLS; poll++) {
			seq = lastSeq();
			expect(await legacyPoll()).toBeNull();
			expect(listPages(seq)).toEqual(['from=0&limit=100', 'from=100&limit=100']);
		}
		const { [`bulk_${BULK - 1}`]: _deleted, ...remaining } = baseline;
		expect(applied(staticData)).toEqual(remaining);
		expect(staticData[NODE_BUCKET]).not.toHaveProperty('missing');

		// A real change still fires, once.
		expect((await legacy('PATCH', 'bulk_0', { ids: [{ id: 'install-1', action: 'add' }] })).status).toBe(201);
		await sandbox.whenIdle();
		expect(jsonOf(await legacyPoll())?.map((json) => json.name)).toEqual(['bulk_0']);
		expect(await legacyPoll()).toBeNull();
	}, 60_000);
});

/**
 * The panel as n8n's editor computes it from the description: the node's parameters with their
 * defaults and without what is hidden (NodeHelpers.getNodeParameters, as the editor calls it on
 * every change), then which credentials and parameters are displayed (NodeHelpers.displayParameter).
 */
describe('Audience Trigger panel: Platform decides the credential and the audience list', () => {
	const { description } = new AudienceTrigger();
	const panel = (typeVersion: number, values: INodeParameters) => {
		const node = { typeVersion };
		const parameters = NodeHelpers.getNodeParameters(description.properties, values, true, false, node, description) ?? {};
		const shown = <T extends { name: string }>(list: T[]) =>
			list
				.filter((item) => NodeHelpers.displayParameter(parameters, item as Parameters<typeof NodeHelpers.displayParameter>[1], node, description))
				.map((item) => item.name);
		return { parameters, credentials: shown(description.credentials ?? []), properties: shown(description.properties) };
	};
	const selection = (value: string) => ({ audience: [{ name: { __rl: true, mode: 'list', value } }] });

	it('new triggers are version 3; saved version 1 and 2 triggers keep their version', () => {
		expect(description.version).toEqual([1, 2, 3]);
		expect(description.defaultVersion).toBe(3);
	});

	it.each([
		[3, { platform: 'batch' }, ['batchApi'], ['event', 'platform', 'watch', 'batchAudiences']],
		[3, { platform: 'batchCustomAudience' }, ['batchCustomAudienceApi'], ['event', 'platform', 'watch', 'customAudiences']],
		[3, {}, ['batchApi'], ['event', 'platform', 'watch', 'batchAudiences']],
		[2, { platform: 'batch' }, ['batchApi'], ['event', 'platform', 'watch', 'audiences']],
		[2, { platform: 'batchCustomAudience' }, ['batchCustomAudienceApi'], ['event', 'platform', 'watch', 'audiences']],
		[1, { resource: 'batch' }, ['batchApi'], ['event', 'resource', 'watch', 'audiences']],
		[1, { resource: 'batchCustomAudience' }, ['batchCustomAudienceApi'], ['event', 'resource', 'watch', 'audiences']],
	] as const)('version %i, %j, watching selected audiences: credential %j, parameters %j', (typeVersion, platform, credentials, properties) => {
		const shown = panel(typeVersion, { ...platform, watch: 'selected' });
		expect(shown.credentials).toEqual(credentials);
		expect(shown.properties).toEqual(properties);
	});

	it('version 3: switching Platform shows that platform\'s own (empty) list; the other one\'s selection is not carried over', () => {
		const batch = panel(3, { platform: 'batch', watch: 'selected', batchAudiences: selection(SEEDED) });
		expect(batch.parameters.batchAudiences).toEqual(selection(SEEDED));

		const legacy = panel(3, { ...batch.parameters, platform: 'batchCustomAudience' });
		expect(legacy.credentials).toEqual(['batchCustomAudienceApi']);
		expect(legacy.parameters.customAudiences).toEqual({});
		expect(legacy.parameters).not.toHaveProperty('batchAudiences');
		expect(legacy.parameters).not.toHaveProperty('audiences');
	});

	it.each([
		[2, 'platform'],
		[1, 'resource'],
	] as const)('version %i keeps its saved `%s` and `audiences` as they are', (typeVersion, platformName) => {
		const saved = { [platformName]: 'batchCustomAudience', watch: 'selected', audiences: selection(SEEDED) };
		const { parameters, credentials } = panel(typeVersion, saved);
		expect(parameters).toEqual({ event: 'indexingFinished', ...saved });
		expect(credentials).toEqual(['batchCustomAudienceApi']);
	});
});
