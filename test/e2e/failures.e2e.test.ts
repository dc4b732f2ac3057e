import { createBatchAudience, pairedIndexes, range, startE2e, stopE2e, type E2eFixture } from '../../harness/fixture';
import { outputOf } from '../../harness/n8n';
import { splitRetryBound } from '../../nodes/Audience/engine';
import { audienceNode, byName, linearWorkflow, type NodeSpec } from '../../harness/workflows';

/**
 * Failures never leave an audience half-synced or misreported, in a real n8n 2.40.7 against the
 * sandbox: replace failures, a replace not applied in time, indexing timeouts, creates whose
 * response is lost, the replace guards, and split-retry of chunks refused for a few bad records.
 */
const node = audienceNode;
const CONTINUE: Partial<NodeSpec> = { onError: 'continueErrorOutput' };
const NEW_25K = `return Array.from({ length: 25000 }, (_, i) => ({ json: { id: 'new-' + i } }));`;
const ONE_VALID_999_INVALID = `return Array.from({ length: 1000 }, (_, i) => ({ json: i === 0 ? { id: 'keep-0' } : { userId: 'renamed-' + i } }));`;
const ONE_PHONE_999_INVALID = `return Array.from({ length: 1000 }, (_, i) => ({ json: i === 0 ? { phone: '442079832100' } : { telephone: '4420798' + i } }));`;
const REJECTED = ['r-17', 'r-12345', 'r-24000'];

const workflows = [
	linearWorkflow('replaceFailsContinue', NEW_25K, [node('batch', 'replace', { audience: byName('nightly'), options: { maxRetries: 1 } }, CONTINUE)]),
	linearWorkflow('replaceFailsStop', NEW_25K, [node('batch', 'replace', { audience: byName('nightly'), options: { maxRetries: 1 } })]),
	linearWorkflow('replaceSlowContinue', NEW_25K, [
		node('batch', 'replace', { audience: byName('nightly'), options: { replaceApplyTimeout: 2, pollInterval: 0.5 } }, CONTINUE),
	]),
	linearWorkflow('replaceSlowStop', NEW_25K, [node('batch', 'replace', { audience: byName('nightly'), options: { replaceApplyTimeout: 2, pollInterval: 0.5 } })]),
	linearWorkflow('waitTimeout3', `return ['list_a', 'list_b', 'list_c'].map((list, i) => ({ json: { id: 'w-' + i, list } }));`, [
		node(
			'batch',
			'update',
			{ audience: { __rl: true, mode: 'name', value: '={{ $json.list }}' }, options: { waitForIndexing: true, waitTimeout: 2, pollInterval: 0.5 } },
			CONTINUE,
		),
	]),
	linearWorkflow('batchCreateLost', 'return [{ json: {} }];', [node('batch', 'create', { name: 'fresh_audience' })]),
	linearWorkflow('commBoxCreateLost', `return [{ json: { phone: '442079832100' } }, { json: { phone: '33612345678' } }];`, [
		node('commBox', 'createStatic', { name: 'lost_response' }),
	]),
	linearWorkflow('batchGuard', ONE_VALID_999_INVALID, [node('batch', 'replace', { audience: byName('guarded') }, CONTINUE)]),
	linearWorkflow('legacyGuard', ONE_VALID_999_INVALID, [node('batchCustomAudience', 'replace', { audience: byName('guarded') }, CONTINUE)]),
	linearWorkflow('commBoxGuard', ONE_PHONE_999_INVALID, [node('commBox', 'replaceStatic', { audience: { __rl: true, mode: 'id', value: '1001' } }, CONTINUE)]),
	linearWorkflow('splitContinue', `return Array.from({ length: 25000 }, (_, i) => ({ json: { id: 'r-' + i } }));`, [
		node('batch', 'update', { audience: byName('split') }, CONTINUE),
	]),
	linearWorkflow('splitStop', `return Array.from({ length: 25000 }, (_, i) => ({ json: { id: 'r-' + i } }));`, [node('batch', 'update', { audience: byName('split') })]),
];

const routes = (fixture: E2eFixture, route: string) => fixture.sandbox.requests().filter((r) => r.api === 'batch' && r.route === route);
const OLD_500 = range(500).map((i) => `old-${i}`);

async function legacyPut(fixture: E2eFixture, name: string, ids: string[]): Promise<void> {
	const response = await fetch(`${fixture.sandbox.url}/1.1/sandbox-app-key/custom-audience/${name}`, {
		method: 'PUT',
		headers: { 'X-Authorization': 'sandbox-rest-key', 'Content-Type': 'application/json' },
		body: JSON.stringify({ ids: ids.map((id) => ({ id })) }),
	});
	expect(response.status).toBe(201);
	await fixture.sandbox.whenIdle();
}

async function commBoxPut(fixture: E2eFixture, id: string, phones: string[]): Promise<void> {
	const form = new FormData();
	form.append('audience_file', new Blob([['phone1', ...phones].join('\n')], { type: 'text/csv' }), 'seed.csv');
	const reply = await fetch(`${fixture.sandbox.url}/Audiences/${id}`, { method: 'PUT', headers: { Authorization: 'Bearer sandbox-commbox-key' }, body: form });
	expect(reply.status).toBe(200);
}

describe('failures in a real n8n', () => {
	let fixture: E2eFixture;

	beforeAll(async () => {
		fixture = await startE2e(workflows);
	}, 20 * 60_000);
	afterAll(async () => await stopE2e(fixture));
	beforeEach(() => {
		fixture.sandbox.reset();
		fixture.sandbox.configure({ indexingDelayMs: 100, rejectIds: [] });
	});

	describe('the replace call fails on every retry', () => {
		beforeEach(async () => {
			await createBatchAudience(fixture.sandbox, 'nightly', OLD_500);
		});

		it('with a 500 under Continue: the outcome is unknown (a 5xx may have been applied), never "unchanged"; no update is sent; 25,000 error items paired to their inputs', async () => {
			fixture.sandbox.setFaults({ rules: [{ api: 'batch', route: 'replace', kind: '500' }] });
			const result = await fixture.n8n.execute('replaceFailsContinue');
			expect(result.error).toBeUndefined();
			await fixture.sandbox.whenIdle();

			// The sandbox never applies a faulted 500; the node cannot know that, and says so.
			expect(Object.keys(fixture.sandbox.state().batch.audiences.nightly.members).sort()).toEqual([...OLD_500].sort());
			expect(routes(fixture, 'replace').map((r) => r.status)).toEqual([500, 500]);
			expect(routes(fixture, 'update')).toHaveLength(1); // the setup's own add of the 500
			expect(outputOf(result, 'Audience', 0)).toHaveLength(0);
			const errors = outputOf(result, 'Audience', 1);
			expect(errors).toHaveLength(25000);
			expect(pairedIndexes(errors)).toEqual(range(25000));
			expect(errors.slice(0, 10000).every((item) => item.json.details?.outcome === 'unknown' && item.json.details?.sent === true)).toBe(true);
			expect(errors.slice(10000).every((item) => item.json.details?.outcome === 'refused' && item.json.details?.sent === false)).toBe(true);
			expect(errors[0].json.error).toMatch(
				/^Request 1 of 3 to audience "nightly" has an unknown outcome \(it may have been applied\): Batch answered 500: .*: the replace of audience "nightly" \(items 1-10000 \(10,000 ids\)\) has an unknown outcome: .*; items 10001-25000 \(15,000 ids\) not sent\. Running the workflow again is safe/,
			);
			expect(errors.every((item) => !/unchanged/.test(item.json.error))).toBe(true);
		}, 10 * 60_000);

		it('with a 429 that outlasts the retries (provably not processed), without Continue: the error says the audience is unchanged', async () => {
			fixture.sandbox.setFaults({ rules: [{ api: 'batch', route: 'replace', kind: '429', retryAfterSeconds: 1 }] });
			const result = await fixture.n8n.execute('replaceFailsStop');
			expect(result.error?.message).toMatch(/Audience "nightly" is unchanged; items 1-25000 \(25,000 ids\) not sent\. No request of this run was accepted by Batch\.$/);
			expect(routes(fixture, 'update')).toHaveLength(1);
			expect(fixture.sandbox.state().batch.audiences.nightly.nb_ids).toBe(500);
		}, 10 * 60_000);
	});

	describe('the first chunk of a replace is not applied in time', () => {
		beforeEach(async () => {
			await createBatchAudience(fixture.sandbox, 'nightly', range(25000).map((i) => `other-${i}`));
			fixture.sandbox.setIndexingDelay(120_000);
		});

		it('without Continue: the message names the token, the items held (1-10000 of 25,000) and the 15,000 ids not sent', async () => {
			const before = fixture.sandbox.requests().length;
			const result = await fixture.n8n.execute('replaceSlowStop');
			const sent = fixture.sandbox.requests().slice(before);
			expect(result.error?.message).toMatch(
				/^Indexing of token [0-9a-f]{32} \(audience "nightly"\) is still IN_PROGRESS after 2 s \(replace of more than 10,000 ids\)\. Audience "nightly" holds only this run's ids \(the replace removed its previous members\): items 1-10000 \(10,000 ids\) of 25,000 ids accepted; items 10001-25000 \(15,000 ids\) not sent; run again to complete it\. 1 of 3 requests were accepted: [0-9a-f]{32}\.$/,
			);
			expect(sent.filter((r) => r.route === 'replace').map((r) => [r.status, r.ids])).toEqual([[202, 10000]]);
			expect(sent.filter((r) => r.route === 'update')).toHaveLength(0);
		}, 10 * 60_000);

		it('under Continue: one wait only, then 15,000 error items at once', async () => {
			const before = fixture.sandbox.requests().length;
			const result = await fixture.n8n.execute('replaceSlowContinue');
			expect(result.error).toBeUndefined();
			const sent = fixture.sandbox.requests().slice(before);
			const views = sent.filter((r) => r.route === 'view' && r.path.includes('indexing_token='));
			console.log(`replace not applied in time, under Continue: node ran ${result.runData.Audience[0].executionTime} ms, ${views.length} view requests`);

			expect(sent.filter((r) => r.route === 'update')).toHaveLength(0);
			expect(sent.filter((r) => r.route === 'replace').map((r) => [r.status, r.ids])).toEqual([[202, 10000]]);
			// Every view asked about the one replace token: the follow-up chunks were not waited for again.
			const [accepted] = outputOf(result, 'Audience', 0);
			expect(new Set(views.map((r) => r.path.match(/indexing_token=([0-9a-f]+)/)?.[1]))).toEqual(new Set([accepted.json.indexingToken]));
			expect(pairedIndexes([accepted])).toEqual(range(10000));
			const errors = outputOf(result, 'Audience', 1);
			expect(errors).toHaveLength(15000);
			expect(pairedIndexes(errors)).toEqual(range(15000).map((i) => i + 10000));
			expect(errors[0].json.error).toMatch(/items 1-10000 \(10,000 ids\) of 25,000 ids accepted; items 10001-25000 \(15,000 ids\) not sent; run again to complete it\.$/);
		}, 10 * 60_000);
	});

	it('Wait for Indexing times out with 3 audiences under Continue: all 3 tokens reach the output with their states', async () => {
		for (const name of ['list_a', 'list_b', 'list_c']) await createBatchAudience(fixture.sandbox, name);
		fixture.sandbox.setIndexingDelay(120_000);
		const result = await fixture.n8n.execute('waitTimeout3');
		expect(result.error).toBeUndefined();
		const items = outputOf(result, 'Audience', 0);
		expect(items.map((i) => [i.json.audience, i.json.indexingState, i.json.indexingDone])).toEqual([
			['list_a', 'IN_PROGRESS', false],
			['list_b', 'IN_PROGRESS', false],
			['list_c', 'IN_PROGRESS', false],
		]);
		const tokens = routes(fixture, 'update').filter((r) => r.ids === 1).length;
		expect(tokens).toBe(3);
		expect(new Set(items.map((i) => i.json.indexingToken)).size).toBe(3);
		expect(items.every((i) => /^[0-9a-f]{32}$/.test(i.json.indexingToken))).toBe(true);
		expect(outputOf(result, 'Audience', 1)).toHaveLength(0);
	}, 10 * 60_000);

	describe('a create whose response is lost after the server processed it', () => {
		it('Batch: exactly one audience exists and the output says created', async () => {
			fixture.sandbox.setFaults({ rules: [{ api: 'batch', route: 'create', kind: 'lostResponse', count: 1 }] });
			const result = await fixture.n8n.execute('batchCreateLost');
			expect(result.error).toBeUndefined();
			expect(routes(fixture, 'create').map((r) => [r.status, r.fault])).toEqual([[0, 'lostResponse']]);
			expect(Object.keys(fixture.sandbox.state().batch.audiences)).toContain('fresh_audience');
			expect(outputOf(result, 'Audience')[0].json).toMatchObject({ audience: 'fresh_audience', created: true, responseLost: true });
		}, 5 * 60_000);

		it('CommBox: exactly one audience exists and the output says created', async () => {
			fixture.sandbox.setFaults({ rules: [{ api: 'commBox', route: 'POST /audiences', kind: 'lostResponse', count: 1 }] });
			const result = await fixture.n8n.execute('commBoxCreateLost');
			expect(result.error).toBeUndefined();
			const posts = fixture.sandbox.requests().filter((r) => r.api === 'commBox' && r.method === 'POST');
			expect(posts.map((r) => [r.status, r.fault])).toEqual([[0, 'lostResponse']]);
			const created = Object.values(fixture.sandbox.state().commBox.audiences).filter((a: any) => a.name === 'lost_response');
			expect(created).toHaveLength(1);
			const [item] = outputOf(result, 'Audience');
			expect(item.json).toMatchObject({ audienceId: (created[0] as any).id, rows: 2, status: 201 });
			expect(item.json.description).toMatch(/created/);
		}, 5 * 60_000);
	});

	describe('1,000 members, a replace with 999 invalid items under Continue, refused by default', () => {
		const howToAllow = /to allow it, lower "Minimum Share of Current Size \(%\)" in the node's options/;

		it('Batch', async () => {
			await createBatchAudience(fixture.sandbox, 'guarded', range(1000).map((i) => `m-${i}`));
			const result = await fixture.n8n.execute('batchGuard');
			expect(result.error).toBeUndefined();
			const errors = outputOf(result, 'Audience', 1);
			expect(pairedIndexes(errors)).toEqual(range(1000));
			expect(errors[0].json.error).toMatch(/^Replace refused: audience "guarded" would shrink from 1000 to 1 members, below the minimum share of 50%/);
			expect(errors[0].json.error).toMatch(howToAllow);
			expect(routes(fixture, 'replace')).toHaveLength(0);
			expect(fixture.sandbox.state().batch.audiences.guarded.nb_ids).toBe(1000);
		}, 5 * 60_000);

		it('legacy Custom Audience', async () => {
			await legacyPut(fixture, 'guarded', range(1000).map((i) => `m-${i}`));
			const result = await fixture.n8n.execute('legacyGuard');
			expect(result.error).toBeUndefined();
			const errors = outputOf(result, 'Audience', 1);
			expect(pairedIndexes(errors)).toEqual(range(1000));
			expect(errors[0].json.error).toMatch(howToAllow);
			expect(fixture.sandbox.requests().filter((r) => r.api === 'customAudience' && r.method === 'PUT')).toHaveLength(1);
			expect(fixture.sandbox.state().customAudience.audiences.guarded.nb_ids).toBe(1000);
		}, 5 * 60_000);

		it('CommBox Replace Static', async () => {
			await commBoxPut(fixture, '1001', range(1000).map((i) => `4477009${String(i).padStart(5, '0')}`));
			const result = await fixture.n8n.execute('commBoxGuard');
			expect(result.error).toBeUndefined();
			const errors = outputOf(result, 'Audience', 1);
			expect(pairedIndexes(errors)).toEqual(range(1000));
			const refusal = errors.find((e) => /^Replace refused/.test(e.json.error));
			expect(refusal?.json.error).toMatch(/^Replace refused: CommBox audience 1001 would shrink from 1000 to 1 members, below the minimum share of 50%/);
			expect(refusal?.json.error).toMatch(howToAllow);
			expect(fixture.sandbox.requests().filter((r) => r.api === 'commBox' && r.method === 'PUT')).toHaveLength(1);
			expect(fixture.sandbox.state().commBox.audiences['1001'].rows).toHaveLength(1000);
		}, 5 * 60_000);
	});

	describe('split-retry: 25,000 ids, 3 of which the API refuses', () => {
		beforeEach(async () => {
			await createBatchAudience(fixture.sandbox, 'split');
			fixture.sandbox.configure({ rejectIds: REJECTED });
		});

		// 3 chunks (10,000, 10,000, 5,000), one refused id each.
		const BOUND = 2 * splitRetryBound(10000, 1) + splitRetryBound(5000, 1);

		it('under Continue: 24,997 land, the 3 leave on the error output with the API\'s message, extra requests within the bound', async () => {
			const before = fixture.sandbox.requests().length;
			const result = await fixture.n8n.execute('splitContinue');
			expect(result.error).toBeUndefined();
			await fixture.sandbox.whenIdle();

			const members = fixture.sandbox.state().batch.audiences.split.members;
			expect(Object.keys(members)).toHaveLength(24997);
			for (const id of REJECTED) expect(members[id]).toBeUndefined();
			const errors = outputOf(result, 'Audience', 1);
			expect(errors.map((e) => /^Id "([^"]+)"/.exec(e.json.error)?.[1])).toEqual(REJECTED);
			expect(pairedIndexes(errors)).toEqual([17, 12345, 24000]);
			for (const error of errors) {
				expect(error.json.error).toMatch(/^Id "r-\d+" refused by Batch \(found by splitting its request\): Batch answered 400: ids\[0\]\.id: "r-\d+" is refused by a record-level rule/);
			}
			expect(pairedIndexes(outputOf(result, 'Audience', 0))).toEqual(range(25000).filter((i) => ![17, 12345, 24000].includes(i)));

			const updates = fixture.sandbox.requests().slice(before).filter((r) => r.route === 'update');
			const extra = updates.length - 3;
			console.log(`split-retry: ${updates.length} update requests for 3 chunks, ${extra} extra (bound ${BOUND}), ${updates.filter((r) => r.status === 400).length} refused`);
			expect(extra).toBeGreaterThan(0);
			expect(extra).toBeLessThanOrEqual(BOUND);
			expect(updates.filter((r) => r.status === 202).reduce((sum, r) => sum + r.ids, 0)).toBe(24997);
		}, 10 * 60_000);

		it('without Continue: the error names the 3 items and says the 24,997 were delivered', async () => {
			const result = await fixture.n8n.execute('splitStop');
			await fixture.sandbox.whenIdle();
			expect(result.error?.message).toMatch(
				/^3 items were refused by Batch: item 18 \(id "r-17"\), item 12346 \(id "r-12345"\), item 24001 \(id "r-24000"\)\. The other 24,997 ids were delivered in \d+ accepted requests\. First refusal: Batch answered 400: ids\[0\]\.id: "r-17" is refused/,
			);
			expect(Object.keys(fixture.sandbox.state().batch.audiences.split.members)).toHaveLength(24997);
		}, 10 * 60_000);
	});
});
