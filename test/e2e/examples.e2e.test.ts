import { readdirSync, readFileSync } from 'fs';
import { join } from 'path';
import { batchCall, pairedIndexes, range, startE2e, stopE2e, type E2eFixture } from '../../harness/fixture';
import { outputOf, type WorkflowJson } from '../../harness/n8n';

/** Every workflow of examples/ runs in a real n8n against the sandbox and does what it says. */
const EXAMPLES = join(__dirname, '../../examples');
const examples: Record<string, WorkflowJson> = Object.fromEntries(
	readdirSync(EXAMPLES)
		.filter((file) => file.endsWith('.json'))
		.map((file) => [file.replace(/\.json$/, ''), JSON.parse(readFileSync(join(EXAMPLES, file), 'utf8'))]),
);

describe('example workflows in a real n8n', () => {
	let fixture: E2eFixture;

	beforeAll(async () => {
		fixture = await startE2e(Object.values(examples), 200);
	}, 20 * 60_000);
	afterAll(async () => await stopE2e(fixture));
	beforeEach(() => {
		fixture.sandbox.reset();
		fixture.sandbox.setIndexingDelay(200);
	});

	// notify-when-applied starts from a polling trigger: audienceTrigger.e2e.test.ts runs it under `n8n start`.
	it('covers every example file', () => {
		expect(Object.keys(examples).sort()).toEqual([
			'commbox-static-from-sheet',
			'crm-contacts-to-batch-and-commbox',
			'nightly-replace',
			'notify-when-applied',
			'unsubscribes-removed',
		]);
	});

	it('flagship: 5,000 CRM contacts land in Batch (APPLIED) and in the CommBox static audience', async () => {
		const result = await fixture.n8n.execute(examples['crm-contacts-to-batch-and-commbox'].id);
		expect(result.error).toBeUndefined();
		const checks = outputOf(result, 'Wait until applied');
		expect(checks.map((c) => c.json.indexingState)).toEqual(['APPLIED']);
		const batch = fixture.sandbox.state().batch.audiences.sandbox_audience;
		expect(batch.nb_ids).toBe(5000);
		expect(batch.members['crm-00004']).toEqual({ plan: 'pro', score: 48, 'date(signed_up)': '2024-05-05T00:00:00Z' });

		const commBox = fixture.sandbox.state().commBox.audiences['1001'];
		expect(commBox.rows).toHaveLength(5000);
		expect(commBox.columns).toEqual(['phone1', 'email', 'first_name']);
		expect(commBox.rows[0]).toEqual({ phone1: '33610000000', email: 'contact0@example.com', first_name: 'Contact 0' });
		expect(pairedIndexes(outputOf(result, 'Replace CommBox static audience'))).toEqual(range(5000));
	}, 5 * 60_000);

	it('nightly replace: the audience holds exactly tonight\'s 3,000 subscribers', async () => {
		await batchCall(fixture.sandbox, 'update', { name: 'sandbox_audience', ids: range(2000).map((i) => ({ action: 'add', id: `old-${i}` })) });
		await fixture.sandbox.whenIdle();
		const result = await fixture.n8n.execute(examples['nightly-replace'].id);
		expect(result.error).toBeUndefined();
		expect(outputOf(result, 'Replace audience')[0].json).toMatchObject({ operation: 'replace', ids: 3000, indexingState: 'APPLIED' });
		const members = Object.keys(fixture.sandbox.state().batch.audiences.sandbox_audience.members);
		expect(members.sort()).toEqual(range(3000).map((i) => `sub-${i}`).sort());
	}, 5 * 60_000);

	it('unsubscribes: the three contacts leave the audience, one output item each', async () => {
		await batchCall(fixture.sandbox, 'update', { name: 'sandbox_audience', ids: range(5).map((i) => ({ action: 'add', id: `crm-0000${i}` })) });
		await fixture.sandbox.whenIdle();
		const result = await fixture.n8n.execute(examples['unsubscribes-removed'].id);
		expect(result.error).toBeUndefined();
		await fixture.sandbox.whenIdle();
		expect(Object.keys(fixture.sandbox.state().batch.audiences.sandbox_audience.members).sort()).toEqual(['crm-00000', 'crm-00004']);
		const items = outputOf(result, 'Remove from audience');
		expect(items.map((i) => [i.json.id, i.pairedItem.item])).toEqual([
			['crm-00001', 0],
			['crm-00002', 1],
			['crm-00003', 2],
		]);
	}, 5 * 60_000);

	it('CommBox from a sheet: one CSV with normalized phones, duplicates collapsed', async () => {
		const result = await fixture.n8n.execute(examples['commbox-static-from-sheet'].id);
		expect(result.error).toBeUndefined();
		const audience = fixture.sandbox.state().commBox.audiences['1001'];
		expect(audience.columns).toEqual(['phone1', 'Name', 'City']);
		expect(audience.rows).toEqual([
			{ phone1: '972541234567', Name: 'Dana L.', City: 'Tel Aviv' },
			{ phone1: '447911123456', Name: 'Sam', City: 'London' },
			{ phone1: '33612345678', Name: 'Lou', City: 'Paris' },
		]);
		expect(fixture.sandbox.requests().filter((r) => r.api === 'commBox' && r.method === 'PUT')).toHaveLength(1);
	}, 5 * 60_000);
});
