import { Sandbox, startSandbox } from '../../sandbox';
import { batchGet, batchPost } from './helpers';

let sandbox: Sandbox;
beforeAll(async () => {
	sandbox = await startSandbox({ indexingDelayMs: 0 });
});
afterAll(() => sandbox.stop());
beforeEach(() => sandbox.reset());

function fifteenAttributes(index: number): Record<string, unknown> {
	return {
		plan: `plan-${index % 7}`,
		score: index * 1.5,
		age: 20 + (index % 50),
		vip: index % 2 === 0,
		'date(signup)': '2023-08-12T22:30:05Z',
		'date(last_seen)': '2024-02-29T08:00:00.123Z',
		'url(avatar)': `https://cdn.example.com/avatars/${index}.png`,
		interests: ['bikes', 'cinema', 'travel'],
		city: 'Paris',
		country: 'FR',
		language: 'fr',
		segment_a: 'a'.repeat(60),
		segment_b: 'b'.repeat(60),
		orders: index % 13,
		newsletter: true,
	};
}

it('accepts a 10,000-id update with 15 attributes each (202) and indexes it', async () => {
	const entries = Array.from({ length: 10_000 }, (_, index) => ({
		action: 'add',
		id: `customer-${index}`,
		attributes: fifteenAttributes(index),
	}));
	const reply = await batchPost(sandbox, 'update', { name: 'sandbox_audience', ids: entries });
	expect(reply.status).toBe(202);
	expect(sandbox.requests()[0]).toMatchObject({ status: 202, ids: 10_000 });
	await sandbox.whenIdle();
	const audience = sandbox.state().batch.audiences.sandbox_audience;
	expect(audience.nb_ids).toBe(10_000);
	expect(audience.members['customer-9999']).toEqual(fifteenAttributes(9999));
});

it('walks 250 created audiences with limit=100; count on the first page only', async () => {
	for (let start = 0; start < 250; start += 50) {
		await Promise.all(
			Array.from({ length: 50 }, (_, offset) =>
				batchPost(sandbox, 'create', { name: `audience_${start + offset}`, type: 'custom_ids' }),
			),
		);
	}
	const pages: Array<{ audiences: Array<{ name: string }>; count?: number; has_more: boolean; next_from?: string }> = [];
	let from: string | undefined;
	do {
		const reply = await batchGet(sandbox, 'list', { limit: '100', ...(from ? { from } : {}) });
		expect(reply.status).toBe(200);
		pages.push(reply.body);
		from = reply.body.next_from;
	} while (pages[pages.length - 1].has_more);

	expect(pages.map((page) => page.audiences.length)).toEqual([100, 100, 51]);
	expect(pages[0].count).toBe(251);
	expect(pages.slice(1).every((page) => !('count' in page))).toBe(true);
	expect(pages[2]).not.toHaveProperty('next_from');
	const names = pages.flatMap((page) => page.audiences.map((audience) => audience.name));
	expect(new Set(names).size).toBe(251);
	expect(names[0]).toBe('sandbox_audience');
});
