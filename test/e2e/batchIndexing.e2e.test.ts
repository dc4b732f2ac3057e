import { batchCall, createBatchAudience, pairedIndexes, range, startE2e, stopE2e, type E2eFixture } from '../../harness/fixture';
import { outputOf } from '../../harness/n8n';
import { AUDIENCE, byName, CREDENTIAL_REFS, linearWorkflow, type NodeSpec } from '../../harness/workflows';

/** Issue "Check Indexing, the other Batch operations": real n8n 2.40.7 against the sandbox. */
const batchNode = (name: string, operation: string, parameters: Record<string, unknown> = {}, extra: Partial<NodeSpec> = {}): NodeSpec => ({
	name,
	type: AUDIENCE,
	parameters: { resource: 'batch', operation, ...parameters },
	credentials: CREDENTIAL_REFS.batch,
	...extra,
});

const CONTACTS = `return Array.from({ length: 25000 }, (_, i) => ({ json: { id: 'c-' + i, list: i % 2 ? 'odd_list' : 'even_list' } }));`;

const workflows = [
	// Check Indexing gets nothing but the credential and "wait": audience and token come from the Update output.
	linearWorkflow('syncThenWait', CONTACTS, [
		batchNode('Update', 'update', { audience: { __rl: true, mode: 'name', value: '={{ $json.list }}' } }),
		batchNode('Check Indexing', 'checkIndexing', { options: { waitUntilDone: true, pollInterval: 0.2 } }),
	]),
	linearWorkflow('waitTimesOut', 'return [{ json: { id: "slow-1" } }];', [
		batchNode('Update', 'update', { audience: byName('slow') }),
		batchNode('Check Indexing', 'checkIndexing', { options: { waitUntilDone: true, pollInterval: 0.2, waitTimeout: 2 } }),
	]),
	linearWorkflow('waitTimesOutItem', 'return [{ json: { id: "slow-1" } }];', [
		batchNode('Update', 'update', { audience: byName('slow') }),
		batchNode('Check Indexing', 'checkIndexing', { options: { waitUntilDone: true, pollInterval: 0.2, waitTimeout: 2 } }, { onError: 'continueRegularOutput' }),
	]),
	linearWorkflow('getManyAll', 'return [{ json: {} }];', [batchNode('Get Many', 'getMany', { returnAll: true })]),
	linearWorkflow('getManyLimit', 'return [{ json: {} }];', [batchNode('Get Many', 'getMany', { returnAll: false, limit: 130 })]),
	linearWorkflow('createGetDelete', 'return [{ json: { name: "made_here" } }];', [
		batchNode('Create', 'create', { name: '={{ $json.name }}', displayName: 'Made in n8n' }),
		batchNode('Get', 'get', { audience: { __rl: true, mode: 'name', value: '={{ $json.audience }}' } }),
		batchNode('Delete', 'delete', { audience: { __rl: true, mode: 'name', value: '={{ $json.name }}' } }),
	]),
];

describe('Check Indexing and the other Batch operations in a real n8n', () => {
	let fixture: E2eFixture;

	beforeAll(async () => {
		fixture = await startE2e(workflows, 300);
	}, 20 * 60_000);
	afterAll(async () => await stopE2e(fixture));
	beforeEach(() => {
		fixture.sandbox.reset();
		fixture.sandbox.setIndexingDelay(300);
	});

	it('Update -> Check Indexing (wait) ends with every token APPLIED, asking once per token', async () => {
		await createBatchAudience(fixture.sandbox, 'odd_list');
		await createBatchAudience(fixture.sandbox, 'even_list');
		const result = await fixture.n8n.execute('syncThenWait');
		expect(result.error).toBeUndefined();

		const updates = outputOf(result, 'Update');
		expect(updates.map((u) => [u.json.audience, u.json.ids])).toEqual([
			['even_list', 10000],
			['even_list', 2500],
			['odd_list', 10000],
			['odd_list', 2500],
		]);
		const checks = outputOf(result, 'Check Indexing');
		expect(checks).toHaveLength(4);
		expect(checks.map((c) => [c.json.audience, c.json.indexingToken, c.json.indexingState, c.json.done])).toEqual(
			updates.map((u) => [u.json.audience, u.json.indexingToken, 'APPLIED', true]),
		);
		expect(checks.map((c) => c.pairedItem)).toEqual([{ item: 0 }, { item: 1 }, { item: 2 }, { item: 3 }]);
		// An audience's 2 requests are in flight together and applied in the order they were accepted:
		// the token accepted last is APPLIED with both chunks (12,500 members), the other maybe alone.
		for (const audience of ['even_list', 'odd_list']) {
			const seen = checks.filter((c) => c.json.audience === audience).map((c) => c.json.nb_ids);
			expect(seen).toContain(12500);
			expect([10000, 12500]).toContain(seen[0]);
			expect([2500, 12500]).toContain(seen[1]);
		}
		expect(pairedIndexes(updates)).toEqual(range(25000));
	}, 5 * 60_000);

	it('wait mode times out with an error naming the token and its state', async () => {
		await createBatchAudience(fixture.sandbox, 'slow');
		fixture.sandbox.setIndexingDelay(60_000);
		const result = await fixture.n8n.execute('waitTimesOut');
		const token = outputOf(result, 'Update')[0].json.indexingToken;
		expect(result.error?.message).toBe(`Indexing of token ${token} (audience "slow") is still IN_PROGRESS after 2 s`);

		const continued = await fixture.n8n.execute('waitTimesOutItem');
		expect(continued.error).toBeUndefined();
		const [item] = outputOf(continued, 'Check Indexing');
		expect(item.json.error).toMatch(/^Indexing of token [0-9a-f]{32} \(audience "slow"\) is still IN_PROGRESS after 2 s$/);
		expect(item.pairedItem).toEqual([{ item: 0 }]);
	}, 5 * 60_000);

	it('Get Many with Return All walks every page of 250 audiences; Limit returns that many', async () => {
		for (let i = 0; i < 249; i++) await batchCall(fixture.sandbox, 'create', { name: `list_${String(i).padStart(3, '0')}`, type: 'custom_ids' });
		const all = outputOf(await fixture.n8n.execute('getManyAll'), 'Get Many');
		expect(all).toHaveLength(250);
		expect(new Set(all.map((a) => a.json.name)).size).toBe(250);
		expect(all.map((a) => a.json.name)).toContain('sandbox_audience');
		const pages = fixture.sandbox.requests().filter((r) => r.route === 'list');
		expect(pages.map((r) => r.status)).toEqual([200, 200, 200]);

		const limited = outputOf(await fixture.n8n.execute('getManyLimit'), 'Get Many');
		expect(limited).toHaveLength(130);
		expect(limited.every((a) => a.pairedItem.item === 0)).toBe(true);
	}, 5 * 60_000);

	it('creates, gets and deletes an audience', async () => {
		const result = await fixture.n8n.execute('createGetDelete');
		expect(result.error).toBeUndefined();
		expect(outputOf(result, 'Create')[0].json).toMatchObject({ audience: 'made_here', created: true });
		expect(outputOf(result, 'Get')[0].json).toMatchObject({ name: 'made_here', display_name: 'Made in n8n', nb_ids: 0 });
		expect(outputOf(result, 'Delete')[0].json).toMatchObject({ audience: 'made_here', deleted: true });
		await fixture.sandbox.whenIdle();
		expect(fixture.sandbox.state().batch.audiences.made_here).toBeUndefined();
	}, 5 * 60_000);
});
