import { execFileSync } from 'child_process';
import { createHash } from 'crypto';
import { createServer, type Server } from 'http';
import type { AddressInfo } from 'net';
import { join } from 'path';
import { createBatchAudience, pairedIndexes, range, startE2e, stopE2e, type E2eFixture } from '../../harness/fixture';
import { outputOf, outputsOf, provisionN8n, type RunResult, type WorkflowJson } from '../../harness/n8n';
import { audienceNode, byName, type NodeSpec } from '../../harness/workflows';

/**
 * Delta sync ("Send": Only New and Changed Members, Mirror the Input; CommBox's unchanged file) in a
 * real n8n 2.40.7 against the sandbox. Each workflow is Manual Trigger → HTTP Request (GET of this
 * test's loopback input server, a JSON array: one item per element) → Audience (version 2), so the
 * SAME workflow runs again and again on DIFFERENT inputs, as a nightly sync does.
 *
 * Every run is an `n8n execute --id`: mode `cli`, for which n8n saves the workflow's static data as
 * it does for production (trigger, schedule) runs, and each one a new n8n process. So every run that
 * sends only what changed since the previous one proves the change tracking survived a restart of
 * n8n: nothing but n8n's database (`workflow_entity.staticData`) carried it.
 *
 * Checked on every run: what the sandbox received (its request log) and holds (members with their
 * attributes), the output items (outcome, change) and their pairedItem, and the banners.
 */

type Contact = { id: string; plan: string };
type Item = { json: Record<string, any>; pairedItem?: any };

const PLANS = ['free', 'pro', 'team'];
/**
 * Member ids as many apps set them, UUIDs (deterministic here): the saved state's size is then
 * that of real ids, not of `m-0`, `m-1`, … which compress to almost nothing.
 */
const uuid = (i: number) => createHash('sha256').update(String(i)).digest('hex').slice(0, 32).replace(/^(.{8})(.{4})(.{4})(.{4})/, '$1-$2-$3-$4-');
const contact = (i: number, plan = PLANS[i % 3]): Contact => ({ id: uuid(i), plan });
const contacts = (n: number, from = 0): Contact[] => range(n).map((i) => contact(from + i));

/** 100,000 contacts, then the next night's list: the first 500 gone, the next 1,000 with another plan, 500 new. */
const NIGHT_1 = contacts(100_000);
const NIGHT_2 = [...NIGHT_1.slice(500).map((c, k) => (k < 1_000 ? { ...c, plan: 'vip' } : c)), ...contacts(500, 100_000)];
const GONE = NIGHT_1.slice(0, 500).map((c) => c.id);
const CHANGED = NIGHT_2.slice(0, 1_000).map((c) => c.id);
const NEW = NIGHT_2.slice(-500).map((c) => c.id);

const PLAN_ATTRIBUTE = { name: 'plan', type: 'string', value: '={{ $json.plan }}' };
const COUNTRY_ATTRIBUTE = { name: 'country', type: 'string', value: 'FR' };

/** A Batch Update (node version 2) of `audience` sending `sendMode`, with the plan attribute mapped. */
function update(
	sendMode: 'changes' | 'mirror',
	audience: string,
	options: Record<string, unknown> = {},
	extra: { attributes?: object[]; onError?: NodeSpec['onError'] } = {},
): NodeSpec {
	const { attributes = [PLAN_ATTRIBUTE], onError } = extra;
	return audienceNode(
		'batch',
		'update',
		{ sendMode, audience: byName(audience), attributeMode: 'fields', attributes: { attribute: attributes }, options },
		{ typeVersion: 2, ...(onError ? { onError } : {}) },
	);
}

/** The test's input server: GET /<workflow id> answers the JSON array that workflow's next run reads. */
const inputs = new Map<string, unknown[]>();
let inputServer: Server;
let inputUrl = '';

/**
 * Manual Trigger → HTTP Request (the input) → `audience`. Node ids are fixed: the change tracking is
 * kept under the Audience node's id, so a re-import of the same workflow (a user editing and saving
 * it) keeps comparing with what earlier runs sent.
 */
function inputWorkflow(id: string, audience: NodeSpec): WorkflowJson {
	const nodes: Array<Record<string, unknown>> = [
		{ id: `${id}-start`, name: 'Start', type: 'n8n-nodes-base.manualTrigger', typeVersion: 1, position: [0, 0], parameters: {} },
		{
			id: `${id}-input`,
			name: 'Input',
			type: 'n8n-nodes-base.httpRequest',
			// Version 4.2: a JSON array in the response gives one item per element.
			typeVersion: 4.2,
			position: [220, 0],
			parameters: { method: 'GET', url: `${inputUrl}/${id}`, options: { response: { response: { responseFormat: 'json' } } } },
		},
		{ id: `${id}-audience`, position: [440, 0], parameters: {}, ...audience },
	];
	return {
		id,
		name: id,
		nodes,
		connections: {
			Start: { main: [[{ node: 'Input', type: 'main', index: 0 }]] },
			Input: { main: [[{ node: 'Audience', type: 'main', index: 0 }]] },
		},
	};
}

const PHONES = range(20).map((i) => ({ phone: `+33 6 12 34 ${String(5600 + i).replace(/(..)(..)/, '$1 $2')}` }));

const workflows = () => [
	inputWorkflow('deltaChanges', update('changes', 'delta_changes')),
	inputWorkflow('deltaMirror', update('mirror', 'delta_mirror')),
	inputWorkflow(
		'deltaRetry',
		update('changes', 'delta_retry', { batchSize: 10, requestsInFlight: 1, maxRetries: 0 }, { onError: 'continueErrorOutput' }),
	),
	inputWorkflow('deltaMapping', update('changes', 'delta_mapping')),
	inputWorkflow(
		'deltaCommBox',
		audienceNode('commBox', 'replaceStatic', { audience: { __rl: true, mode: 'id', value: '1001' }, source: 'items' }, { typeVersion: 2 }),
	),
];

/** The workflow's static data as n8n saved it in its database (sqlite), read with the provisioned Node's node:sqlite. */
function savedStaticData(fixture: E2eFixture, workflowId: string): string | null {
	const script = `
		const { DatabaseSync } = require('node:sqlite');
		const db = new DatabaseSync(${JSON.stringify(join(fixture.n8n.folder, '.n8n/database.sqlite'))}, { readOnly: true });
		const row = db.prepare('SELECT staticData FROM workflow_entity WHERE id = ?').get(${JSON.stringify(workflowId)});
		process.stdout.write(JSON.stringify(row ? row.staticData : null));`;
	const out = execFileSync(provisionN8n().node, ['--no-warnings', '-e', script], { encoding: 'utf8', maxBuffer: 256 * 1024 * 1024 });
	return JSON.parse(out) as string | null;
}

const hintsOf = (result: RunResult): string[] =>
	((result.runData.Audience?.[0] as { hints?: Array<{ message: string }> } | undefined)?.hints ?? []).map((hint) => hint.message);

/** The one banner starting with `prefix`. */
function bannerOf(result: RunResult, prefix: string): string {
	const found = hintsOf(result).filter((hint) => hint.startsWith(prefix));
	expect(found).toHaveLength(1);
	return found[0];
}

/**
 * Output items of one run, checked against the input they are paired to: each is paired to exactly
 * one input item and carries that item's fields (id, plan). Returns the ids by `outcome/change`.
 */
function byOutcome(items: Item[], input: Contact[]): Record<string, string[]> {
	const groups: Record<string, string[]> = {};
	const mispaired: unknown[] = [];
	for (const item of items) {
		const pairs = Array.isArray(item.pairedItem) ? item.pairedItem : [item.pairedItem];
		const paired = pairs.length === 1 ? input[pairs[0]?.item] : undefined;
		if (!paired || item.json.id !== paired.id || item.json.plan !== paired.plan) mispaired.push({ json: item.json, pairedItem: item.pairedItem });
		(groups[`${item.json.outcome}/${item.json.change}`] ??= []).push(String(item.json.id));
	}
	expect(mispaired.slice(0, 5)).toEqual([]);
	return groups;
}

const sorted = (ids: string[]) => [...ids].sort();

describe('delta sync in a real n8n', () => {
	let fixture: E2eFixture;
	const sandbox = () => fixture.sandbox;

	beforeAll(async () => {
		inputServer = createServer((request, response) => {
			const input = inputs.get((request.url ?? '').slice(1));
			if (request.method !== 'GET' || !input) {
				response.writeHead(404).end();
				return;
			}
			response.writeHead(200, { 'Content-Type': 'application/json' }).end(JSON.stringify(input));
		});
		await new Promise<void>((resolve) => inputServer.listen(0, '127.0.0.1', resolve));
		inputUrl = `http://127.0.0.1:${(inputServer.address() as AddressInfo).port}`;
		fixture = await startE2e(workflows());
	}, 20 * 60_000);
	afterAll(async () => {
		await stopE2e(fixture);
		await new Promise((resolve) => inputServer?.close(resolve));
	});
	beforeEach(() => {
		sandbox().reset();
		sandbox().configure({ rejectIds: [], rejectIdsMessage: null });
	});

	/** Runs a workflow on `input` (a new n8n process), once the sandbox is idle again. */
	async function run(workflowId: string, input: unknown[]): Promise<RunResult> {
		inputs.set(workflowId, input);
		const result = await fixture.n8n.execute(workflowId);
		await sandbox().whenIdle();
		return result;
	}
	const lastSeq = () => sandbox().requests().at(-1)?.seq ?? 0;
	/** Batch writes (update, replace) since `seq`, in arrival order. */
	const writesSince = (seq: number) =>
		sandbox()
			.requests()
			.filter((r) => r.seq > seq && r.api === 'batch' && (r.route === 'update' || r.route === 'replace'));
	const members = (audience: string) => sandbox().state().batch.audiences[audience]?.members ?? {};
	/** The audience holds exactly `expected`, each with its plan. */
	function expectHolds(audience: string, expected: Contact[]) {
		const held = members(audience);
		expect(Object.keys(held)).toHaveLength(expected.length);
		const wrong = expected.filter((c) => JSON.stringify(held[c.id]) !== JSON.stringify({ plan: c.plan }));
		expect(wrong.slice(0, 5).map((c) => [c.id, held[c.id]])).toEqual([]);
	}

	it('Only New and Changed Members: 100,000 contacts sent once, then nothing for the same input, then only the 1,500 new and changed', async () => {
		await createBatchAudience(sandbox(), 'delta_changes');

		// Run 1: nothing tracked yet, everyone is sent.
		let seq = lastSeq();
		const first = await run('deltaChanges', NIGHT_1);
		expect(first.error).toBeUndefined();
		expect(writesSince(seq).map((r) => [r.route, r.status, r.ids])).toEqual(Array(10).fill(['update', 202, 10_000]));
		const firstOut = outputOf(first, 'Audience') as Item[];
		expect(firstOut).toHaveLength(100_000);
		expect(pairedIndexes(firstOut)).toEqual(range(100_000));
		expect(Object.keys(byOutcome(firstOut, NIGHT_1))).toEqual(['accepted/new']);
		const firstBanner = bannerOf(first, 'Only new and changed members');
		expect(firstBanner).toMatch(
			/^Only new and changed members: 100,000 new, 0 changed, 0 unchanged \(not sent\) · 100,000 members tracked \([\d.]+ [kM]B\)\. Every member of audience "delta_changes" was sent \(first run: nothing is kept from earlier runs of this node for this audience\)\.$/,
		);
		expectHolds('delta_changes', NIGHT_1);

		// What n8n saved: the node's state in the workflow's static data, in its database.
		const saved = savedStaticData(fixture, 'deltaChanges');
		expect(saved).not.toBeNull();
		const state = JSON.parse(saved as string).global.audienceSync['deltaChanges-audience'].delta_changes;
		expect(state).toMatchObject({ kind: 'members', members: 100_000, mirrored: false });
		console.log(
			`delta sync: static data saved after run 1 (100,000 members tracked): ${Buffer.byteLength(saved as string).toLocaleString('en-US')} bytes in workflow_entity.staticData (snapshot ${state.snapshot.length.toLocaleString('en-US')} characters; banner: ${/tracked \(([^)]+)\)/.exec(firstBanner)?.[1]})`,
		);

		// Run 2, a new n8n process, same input: nothing is sent.
		seq = lastSeq();
		const second = await run('deltaChanges', NIGHT_1);
		expect(second.error).toBeUndefined();
		expect(writesSince(seq)).toEqual([]);
		const secondOut = outputOf(second, 'Audience') as Item[];
		expect(secondOut).toHaveLength(100_000);
		expect(pairedIndexes(secondOut)).toEqual(range(100_000));
		expect(Object.keys(byOutcome(secondOut, NIGHT_1))).toEqual(['unchanged/unchanged']);
		expect(bannerOf(second, 'Only new and changed members')).toMatch(
			/^Only new and changed members: 0 new, 0 changed, 100,000 unchanged \(not sent\) · 100,000 members tracked \([\d.]+ [kM]B\)\.$/,
		);
		expectHolds('delta_changes', NIGHT_1);

		// Run 3: 1,000 changed plans, 500 new, 500 gone: one request of the 1,500 adds.
		seq = lastSeq();
		const third = await run('deltaChanges', NIGHT_2);
		expect(third.error).toBeUndefined();
		expect(writesSince(seq).map((r) => [r.route, r.status, r.ids])).toEqual([['update', 202, 1_500]]);
		expect(hintsOf(third)).toContain('100,000 items → 1 request: 1,500 ids accepted, 0 duplicates collapsed, 0 invalid');
		const thirdOut = outputOf(third, 'Audience') as Item[];
		expect(thirdOut).toHaveLength(100_000);
		expect(pairedIndexes(thirdOut)).toEqual(range(100_000));
		const groups = byOutcome(thirdOut, NIGHT_2);
		expect(sorted(groups['accepted/changed'])).toEqual(sorted(CHANGED));
		expect(sorted(groups['accepted/new'])).toEqual(sorted(NEW));
		expect(groups['unchanged/unchanged']).toHaveLength(98_500);
		expect(Object.keys(groups).sort()).toEqual(['accepted/changed', 'accepted/new', 'unchanged/unchanged']);
		expect(bannerOf(third, 'Only new and changed members')).toMatch(
			/^Only new and changed members: 500 new, 1,000 changed, 98,500 unchanged \(not sent\) · 100,500 members tracked \([\d.]+ [kM]B\)\.$/,
		);
		// Only New and Changed removes nothing: the 500 gone stay with their run-1 plans.
		expectHolds('delta_changes', [...NIGHT_1.slice(0, 500), ...NIGHT_2]);
	}, 45 * 60_000);

	it('Mirror the Input: replaces on its first run (300 other members gone), then 1,500 adds and 500 removes; refuses losing 60% unless the minimum share allows it', async () => {
		// The audience already holds 300 members that are not in the input.
		const others = range(300).map((i) => `old-${i}`);
		await createBatchAudience(sandbox(), 'delta_mirror', others);
		expect(Object.keys(members('delta_mirror'))).toHaveLength(300);

		// Run 1: replace with the first 10,000, once applied the other 90,000 are added.
		let seq = lastSeq();
		const first = await run('deltaMirror', NIGHT_1);
		expect(first.error).toBeUndefined();
		const firstWrites = writesSince(seq);
		expect(firstWrites[0]).toMatchObject({ route: 'replace', status: 202, ids: 10_000 });
		expect(firstWrites.slice(1).map((r) => [r.route, r.status, r.ids])).toEqual(Array(9).fill(['update', 202, 10_000]));
		const firstOut = outputOf(first, 'Audience') as Item[];
		expect(pairedIndexes(firstOut)).toEqual(range(100_000));
		expect(Object.keys(byOutcome(firstOut, NIGHT_1))).toEqual(['accepted/new']);
		expect(bannerOf(first, 'Mirror the input')).toMatch(
			/^Mirror the input: 100,000 new, 0 changed, 0 unchanged \(not sent\), 0 removed · 100,000 members tracked \([\d.]+ [kM]B\)\. Audience "delta_mirror" was replaced by the input \(first Mirror run\)\.$/,
		);
		expectHolds('delta_mirror', NIGHT_1);

		// Run 2 (a new n8n process) on the next night's list: the 1,500 adds and 500 removes in one request.
		seq = lastSeq();
		const second = await run('deltaMirror', NIGHT_2);
		expect(second.error).toBeUndefined();
		expect(writesSince(seq).map((r) => [r.route, r.status, r.ids])).toEqual([['update', 202, 2_000]]);
		expect(hintsOf(second)).toContain('100,000 items → 1 request: 2,000 ids accepted, 0 duplicates collapsed, 0 invalid');
		const secondOut = outputOf(second, 'Audience') as Item[];
		expect(pairedIndexes(secondOut)).toEqual(range(100_000));
		const groups = byOutcome(secondOut, NIGHT_2);
		expect(sorted(groups['accepted/changed'])).toEqual(sorted(CHANGED));
		expect(sorted(groups['accepted/new'])).toEqual(sorted(NEW));
		expect(groups['unchanged/unchanged']).toHaveLength(98_500);
		expect(bannerOf(second, 'Mirror the input')).toMatch(
			/^Mirror the input: 500 new, 1,000 changed, 98,500 unchanged \(not sent\), 500 removed · 100,000 members tracked \([\d.]+ [kM]B\)\.$/,
		);
		// Exactly the input, with its attributes: the 500 gone were removed.
		expectHolds('delta_mirror', NIGHT_2);
		for (const id of GONE) expect(members('delta_mirror')[id]).toBeUndefined();

		// Run 3: the input is down 60% (40,000 of the 100,000): refused by the default minimum share of 50%.
		const shrunk = NIGHT_2.slice(0, 40_000);
		const stateBefore = savedStaticData(fixture, 'deltaMirror');
		seq = lastSeq();
		const refused = await run('deltaMirror', shrunk);
		expect(refused.error?.message).toBe(
			'Mirror refused: audience "delta_mirror" would lose 60,000 of its 100,000 members (they are missing from the input), leaving 40,000, below the minimum share of 50%. Nothing was sent; to allow it, lower "Minimum Share of Current Size (%)" in the node\'s options (0 turns this guard off).',
		);
		expect(writesSince(seq)).toEqual([]);
		expectHolds('delta_mirror', NIGHT_2);
		expect(savedStaticData(fixture, 'deltaMirror') === stateBefore).toBe(true);

		// The user lowers the minimum share to 30% and saves the workflow (re-imported, same ids): it
		// goes through. The import keeps the workflow's static data: the run removes the 60,000.
		await fixture.n8n.importWorkflows([inputWorkflow('deltaMirror', update('mirror', 'delta_mirror', { minimumShare: 30 }))]);
		seq = lastSeq();
		const allowed = await run('deltaMirror', shrunk);
		expect(allowed.error).toBeUndefined();
		expect(writesSince(seq).map((r) => [r.route, r.status, r.ids])).toEqual(Array(6).fill(['update', 202, 10_000]));
		const allowedOut = outputOf(allowed, 'Audience') as Item[];
		expect(pairedIndexes(allowedOut)).toEqual(range(40_000));
		expect(Object.keys(byOutcome(allowedOut, shrunk))).toEqual(['unchanged/unchanged']);
		expect(bannerOf(allowed, 'Mirror the input')).toMatch(
			/^Mirror the input: 0 new, 0 changed, 40,000 unchanged \(not sent\), 60,000 removed · 40,000 members tracked \([\d.]+ [kM]B\)\.$/,
		);
		expectHolds('delta_mirror', shrunk);
	}, 45 * 60_000);

	it('re-sends, next run, exactly the members whose request failed, whose answer was lost or that were refused, and nothing else', async () => {
		await createBatchAudience(sandbox(), 'delta_retry');
		const input = range(100).map((i) => ({ id: `r-${i}`, plan: 'free' }));
		const first = await run('deltaRetry', input);
		expect(first.error).toBeUndefined();
		expect(writesSince(0).map((r) => [r.status, r.ids])).toEqual(Array(10).fill([202, 10]));

		// Run 2: 50 changed plans, 5 requests of 10 sent one at a time, no retry. Request 1 (r-0..r-9)
		// is processed but its answer is lost, request 2 (r-10..r-19) answered 500, and r-33 is refused
		// (request 4; split-retry isolates it).
		const changed = input.map((c, i) => ({ ...c, plan: i < 50 ? 'pro' : 'free' }));
		sandbox().setFaults({
			rules: [
				{ api: 'batch', route: 'update', kind: 'lostResponse', count: 1 },
				{ api: 'batch', route: 'update', kind: '500', after: 1, count: 1 },
			],
		});
		sandbox().configure({ rejectIds: ['r-33'], rejectIdsMessage: 'One or more ids are not valid' });
		let seq = lastSeq();
		const second = await run('deltaRetry', changed);
		expect(second.error).toBeUndefined();
		const secondWrites = writesSince(seq);
		expect(secondWrites.slice(0, 2).map((r) => [r.status, r.ids, r.fault])).toEqual([
			[0, 10, 'lostResponse'],
			// Not processed: the sandbox does not count its ids.
			[500, 0, '500'],
		]);
		expect(secondWrites.filter((r) => r.status === 202).reduce((sum, r) => sum + r.ids, 0)).toBe(29);
		const { success: secondSuccess, errors } = outputsOf(second, 'Audience');
		const failed = errors.map((item) => {
			const pairs = Array.isArray(item.pairedItem) ? item.pairedItem : [item.pairedItem];
			expect(pairs).toHaveLength(1);
			return { id: changed[pairs[0].item].id, outcome: item.json.details?.outcome };
		});
		expect(sorted(failed.map((f) => f.id))).toEqual(sorted([...range(20).map((i) => `r-${i}`), 'r-33']));
		expect(failed.filter((f) => f.id === 'r-33').map((f) => f.outcome)).toEqual(['refused']);
		expect(new Set(failed.filter((f) => f.id !== 'r-33').map((f) => f.outcome))).toEqual(new Set(['unknown']));
		const secondGroups = byOutcome(secondSuccess as Item[], changed);
		expect(secondGroups['accepted/changed']).toHaveLength(29);
		expect(secondGroups['unchanged/unchanged']).toHaveLength(50);
		expect(bannerOf(second, 'Only new and changed members')).toMatch(
			/^Only new and changed members: 0 new, 50 changed, 50 unchanged \(not sent\) · 100 members tracked \(\d+ bytes\)\.$/,
		);
		// The lost answer's request was applied; the one answered 500 and r-33 were not.
		expect(members('delta_retry')['r-5']).toEqual({ plan: 'pro' });
		expect(members('delta_retry')['r-15']).toEqual({ plan: 'free' });
		expect(members('delta_retry')['r-33']).toEqual({ plan: 'free' });

		// Run 3, nothing failing any more: exactly the 21 members of the failed run's error items.
		sandbox().setFaults({ rules: [] });
		sandbox().configure({ rejectIds: [] });
		seq = lastSeq();
		const third = await run('deltaRetry', changed);
		expect(third.error).toBeUndefined();
		const thirdWrites = writesSince(seq);
		expect(thirdWrites.map((r) => [r.status, r.ids])).toEqual([
			[202, 10],
			[202, 10],
			[202, 1],
		]);
		expect(thirdWrites.reduce((sum, r) => sum + r.ids, 0)).toBe(errors.length);
		const thirdGroups = byOutcome(outputOf(third, 'Audience') as Item[], changed);
		expect(sorted(thirdGroups['accepted/changed'])).toEqual(sorted(failed.map((f) => f.id)));
		expect(thirdGroups['unchanged/unchanged']).toHaveLength(79);
		expect(bannerOf(third, 'Only new and changed members')).toMatch(
			/^Only new and changed members: 0 new, 21 changed, 79 unchanged \(not sent\) · 100 members tracked \(\d+ bytes\)\.$/,
		);
		expect(outputOf(third, 'Audience', 1)).toEqual([]);
		expectHolds('delta_retry', changed);

		// Run 4: nothing left to send.
		seq = lastSeq();
		const fourth = await run('deltaRetry', changed);
		expect(writesSince(seq)).toEqual([]);
		expect(Object.keys(byOutcome(outputOf(fourth, 'Audience') as Item[], changed))).toEqual(['unchanged/unchanged']);
	}, 30 * 60_000);

	it('sends everyone again, and says why, after a mapping change (an attribute added), an audience change, and on Reset', async () => {
		await createBatchAudience(sandbox(), 'delta_mapping');
		await createBatchAudience(sandbox(), 'delta_mapping_other');
		const input = contacts(1_000);
		const sentEveryone = (result: RunResult, audience: string, why: string) =>
			expect(hintsOf(result).join('\n')).toContain(`Every member of audience "${audience}" was sent (${why}).`);

		let seq = lastSeq();
		const first = await run('deltaMapping', input);
		expect(writesSince(seq).map((r) => [r.route, r.ids])).toEqual([['update', 1_000]]);
		sentEveryone(first, 'delta_mapping', 'first run: nothing is kept from earlier runs of this node for this audience');

		// The user adds an attribute (country) and saves the workflow (re-imported with the same ids, which
		// keeps its static data: the banner gives the mapping, not a first run, as the reason): the next
		// run sends everyone.
		const withCountry = { attributes: [PLAN_ATTRIBUTE, COUNTRY_ATTRIBUTE] };
		await fixture.n8n.importWorkflows([inputWorkflow('deltaMapping', update('changes', 'delta_mapping', {}, withCountry))]);
		seq = lastSeq();
		const mapped = await run('deltaMapping', input);
		expect(writesSince(seq).map((r) => [r.route, r.ids])).toEqual([['update', 1_000]]);
		sentEveryone(mapped, 'delta_mapping', 'the member ID or attribute mapping changed since the last run');
		expect(Object.keys(byOutcome(outputOf(mapped, 'Audience') as Item[], input))).toEqual(['accepted/new']);
		expect(members('delta_mapping')[input[7].id]).toEqual({ plan: 'pro', country: 'FR' });

		// Then nothing, as long as neither the input nor the mapping changes.
		seq = lastSeq();
		const again = await run('deltaMapping', input);
		expect(writesSince(seq)).toEqual([]);
		expect(bannerOf(again, 'Only new and changed members')).toMatch(/^Only new and changed members: 0 new, 0 changed, 1,000 unchanged \(not sent\)/);

		// The user points the node to another audience: everyone is sent there.
		await fixture.n8n.importWorkflows([inputWorkflow('deltaMapping', update('changes', 'delta_mapping_other', {}, withCountry))]);
		seq = lastSeq();
		const moved = await run('deltaMapping', input);
		expect(writesSince(seq).map((r) => [r.route, r.ids])).toEqual([['update', 1_000]]);
		sentEveryone(moved, 'delta_mapping_other', 'first run: nothing is kept from earlier runs of this node for this audience');
		expect(Object.keys(members('delta_mapping_other'))).toHaveLength(1_000);

		// Reset Change Tracking on: everyone is sent again.
		await fixture.n8n.importWorkflows([
			inputWorkflow('deltaMapping', update('changes', 'delta_mapping_other', { resetChangeTracking: true }, withCountry)),
		]);
		seq = lastSeq();
		const reset = await run('deltaMapping', input);
		expect(writesSince(seq).map((r) => [r.route, r.ids])).toEqual([['update', 1_000]]);
		sentEveryone(reset, 'delta_mapping_other', '"Reset Change Tracking" is on');
		expect(pairedIndexes(outputOf(reset, 'Audience'))).toEqual(range(1_000));
	}, 30 * 60_000);

	it('CommBox Replace Static uploads a file once, then says "unchanged, not uploaded" for the same input', async () => {
		const uploads = () => sandbox().requests().filter((r) => r.api === 'commBox' && r.method === 'PUT');
		const first = await run('deltaCommBox', PHONES);
		expect(first.error).toBeUndefined();
		expect(uploads().map((r) => [r.status, r.ids])).toEqual([[200, 20]]);
		const firstOut = outputOf(first, 'Audience') as Item[];
		expect(pairedIndexes(firstOut)).toEqual(range(20));
		expect(new Set(firstOut.map((item) => item.json.outcome))).toEqual(new Set(['accepted']));
		const rows = sandbox().state().commBox.audiences['1001'].rows;
		expect(rows).toHaveLength(20);

		const second = await run('deltaCommBox', PHONES);
		expect(second.error).toBeUndefined();
		expect(uploads()).toHaveLength(1);
		expect(hintsOf(second)).toContain('20 items → 1 file of 20 rows unchanged since the last accepted upload, not uploaded, 0 duplicates collapsed, 0 invalid');
		const secondOut = outputOf(second, 'Audience') as Item[];
		expect(pairedIndexes(secondOut)).toEqual(range(20));
		// Each output item is its input contact, paired to it, with outcome "unchanged".
		expect(secondOut.map((item) => [item.json.phone, item.json.outcome])).toEqual(secondOut.map((item) => [PHONES[item.pairedItem.item].phone, 'unchanged']));
		expect(sandbox().state().commBox.audiences['1001'].rows).toEqual(rows);
	}, 20 * 60_000);
});
