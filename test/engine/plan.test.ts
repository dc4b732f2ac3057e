import { MAX_IDS_PER_REQUEST, planSync, type MemberInput, type PlannedRequest } from '../../nodes/Audience/engine';
import { members } from './helpers';

function allIndexes(requests: PlannedRequest[]): number[] {
	return requests.flatMap((r) => r.itemIndexes).sort((a, b) => a - b);
}

function range(count: number, from = 0): number[] {
	return Array.from({ length: count }, (_, i) => from + i);
}

describe('duplicates', () => {
	const inputs: MemberInput[] = [
		{ itemIndex: 0, audience: 'vip', id: 'a', action: 'add', attributes: { plan: 'gold' } },
		{ itemIndex: 1, audience: 'vip', id: 'b', action: 'add' },
		{ itemIndex: 2, audience: 'vip', id: 'a', action: 'remove' },
		{ itemIndex: 3, audience: 'vip', id: 'c', action: 'add' },
		{ itemIndex: 4, audience: 'vip', id: 'a', action: 'add', attributes: { plan: 'silver' } },
		{ itemIndex: 5, audience: 'vip', id: 'b', action: 'remove' },
	];

	it('keeps the last occurrence at the position of the first, and every item index', () => {
		const plan = planSync(inputs, { mode: 'update' });
		expect(plan.requests).toEqual([
			{
				operation: 'update',
				audience: 'vip',
				members: [
					{ action: 'add', id: 'a', attributes: { plan: 'silver' } },
					{ action: 'remove', id: 'b' },
					{ action: 'add', id: 'c' },
				],
				itemIndexes: [0, 1, 2, 3, 4, 5],
				added: 2,
				removed: 1,
				duplicatesCollapsed: 3,
			},
		]);
		expect(plan.validCount).toBe(6);
		expect(plan.uniqueIds).toBe(3);
	});

	it('lets the last action win: add then remove is a remove, with no attributes', () => {
		const plan = planSync(inputs.slice(0, 3), { mode: 'update' });
		expect(plan.requests[0].members[0]).toEqual({ action: 'remove', id: 'a' });
	});

	it('only collapses within one audience', () => {
		const plan = planSync(
			[
				{ itemIndex: 0, audience: 'a', id: 'x' },
				{ itemIndex: 1, audience: 'b', id: 'x' },
				{ itemIndex: 2, audience: 'A', id: 'x' },
			],
			{ mode: 'update' },
		);
		expect(plan.requests.map((r) => [r.audience, r.members.length, r.duplicatesCollapsed])).toEqual([
			['a', 1, 0],
			['b', 1, 0],
			['A', 1, 0],
		]);
		expect(plan.uniqueIds).toBe(3);
	});

	it('does not collapse ids that differ in case', () => {
		const plan = planSync(
			[
				{ itemIndex: 0, audience: 'vip', id: 'Abc' },
				{ itemIndex: 1, audience: 'vip', id: 'abc' },
			],
			{ mode: 'update' },
		);
		expect(plan.uniqueIds).toBe(2);
	});

	it('does not count an invalid repeat as a duplicate', () => {
		const plan = planSync(
			[
				{ itemIndex: 0, audience: 'vip', id: 'a' },
				{ itemIndex: 1, audience: 'vip', id: 'a', action: 'bogus' },
			],
			{ mode: 'update' },
		);
		expect(plan.requests[0]).toMatchObject({ itemIndexes: [0], duplicatesCollapsed: 0, members: [{ action: 'add', id: 'a' }] });
		expect(plan.invalid.map((i) => i.itemIndex)).toEqual([1]);
	});

	it('carries a collapsed item in the request that holds the surviving id, across chunks', () => {
		// 'u0' first at item 0 (chunk 1), repeated at the end (after chunk 1 is full).
		const inputs = [...members(5), { itemIndex: 5, audience: 'vip', id: 'u0', action: 'remove' }];
		const plan = planSync(inputs, { mode: 'update', batchSize: 2 });
		expect(plan.requests.map((r) => r.members.map((m) => m.id))).toEqual([['u0', 'u1'], ['u2', 'u3'], ['u4']]);
		expect(plan.requests[0]).toMatchObject({ itemIndexes: [0, 1, 5], duplicatesCollapsed: 1, added: 1, removed: 1 });
		expect(plan.requests[0].members[0]).toEqual({ action: 'remove', id: 'u0' });
		expect(plan.requests[1].duplicatesCollapsed).toBe(0);
		expect(allIndexes(plan.requests)).toEqual(range(6));
	});

	it('sorts item indexes even when inputs arrive out of order', () => {
		const plan = planSync(
			[
				{ itemIndex: 7, audience: 'vip', id: 'a' },
				{ itemIndex: 3, audience: 'vip', id: 'b' },
			],
			{ mode: 'update' },
		);
		expect(plan.requests[0].itemIndexes).toEqual([3, 7]);
		expect(plan.requests[0].members.map((m) => m.id)).toEqual(['a', 'b']);
	});

	it('collapses a heavily repeated id without blowing the stack', () => {
		const inputs: MemberInput[] = range(200_000).map((i) => ({ itemIndex: i, audience: 'vip', id: 'same', action: i % 2 ? 'remove' : 'add' }));
		const plan = planSync(inputs, { mode: 'update' });
		expect(plan.requests).toHaveLength(1);
		expect(plan.requests[0]).toMatchObject({ members: [{ action: 'remove', id: 'same' }], duplicatesCollapsed: 199_999 });
		expect(plan.requests[0].itemIndexes).toHaveLength(200_000);
	});
});

describe('chunking', () => {
	it.each([
		[1, [1]],
		[9_999, [9_999]],
		[10_000, [10_000]],
		[10_001, [10_000, 1]],
		[25_003, [10_000, 10_000, 5_003]],
	])('%i ids -> requests of %j', (count, sizes) => {
		const plan = planSync(members(count), { mode: 'update' });
		expect(plan.requests.map((r) => r.members.length)).toEqual(sizes);
		expect(plan.requests.every((r) => r.operation === 'update' && r.audience === 'vip')).toBe(true);
		expect(plan.requests.map((r) => r.itemIndexes.length)).toEqual(sizes);
		expect(allIndexes(plan.requests)).toEqual(range(count));
		expect(plan.requests.flatMap((r) => r.members.map((m) => m.id))).toEqual(range(count).map((i) => `u${i}`));
		expect(plan.requests.reduce((sum, r) => sum + r.added, 0)).toBe(count);
		expect(plan).toMatchObject({ validCount: count, uniqueIds: count, invalid: [] });
	});

	it('counts unique ids, not items, against the limit', () => {
		const inputs = [...members(10_000), ...members(500, 'vip', 10_000)];
		const plan = planSync(inputs, { mode: 'update' });
		expect(plan.requests).toHaveLength(1);
		expect(plan.requests[0]).toMatchObject({ duplicatesCollapsed: 500 });
		expect(plan.requests[0].itemIndexes).toEqual(range(10_500));
	});

	it('honours the batch size option', () => {
		const plan = planSync(members(7), { mode: 'update', batchSize: 3 });
		expect(plan.requests.map((r) => r.members.length)).toEqual([3, 3, 1]);
		expect(plan.requests.map((r) => r.itemIndexes)).toEqual([[0, 1, 2], [3, 4, 5], [6]]);
		expect(planSync(members(3), { mode: 'update', batchSize: 1 }).requests).toHaveLength(3);
		expect(planSync(members(10_001), { mode: 'update', batchSize: MAX_IDS_PER_REQUEST }).requests).toHaveLength(2);
	});

	it.each([0, -1, 10_001, 2.5, NaN, '100' as unknown as number])('throws on batch size %j', (batchSize) => {
		expect(() => planSync(members(1), { mode: 'update', batchSize })).toThrow(/Batch size must be a whole number from 1 to 10000/);
	});

	it('throws on an unknown mode', () => {
		expect(() => planSync([], { mode: 'upsert' as never })).toThrow(/Unknown sync mode "upsert"/);
	});

	it('returns an empty plan for no input', () => {
		expect(planSync([], { mode: 'update' })).toEqual({ requests: [], invalid: [], validCount: 0, uniqueIds: 0 });
	});
});

describe('several audiences', () => {
	it('groups by audience in order of first appearance, each chunked on its own', () => {
		const inputs: MemberInput[] = [];
		for (let i = 0; i < 12_000; i++) {
			inputs.push({ itemIndex: i, audience: i % 3 === 0 ? 'beta' : 'alpha', id: `u${i}` });
		}
		const plan = planSync(inputs, { mode: 'update' });
		expect(plan.requests.map((r) => [r.audience, r.members.length])).toEqual([
			['beta', 4_000],
			['alpha', 8_000],
		]);
		expect(plan.requests[0].itemIndexes.every((i) => i % 3 === 0)).toBe(true);
		expect(allIndexes(plan.requests)).toEqual(range(12_000));

		const small = planSync(inputs, { mode: 'update', batchSize: 5_000 });
		expect(small.requests.map((r) => [r.audience, r.members.length])).toEqual([
			['beta', 4_000],
			['alpha', 5_000],
			['alpha', 3_000],
		]);
	});
});

describe('replace strategy', () => {
	it('replaces with the first 10,000 ids, then adds the rest with update', () => {
		const plan = planSync(members(23_000), { mode: 'replace' });
		expect(plan.requests.map((r) => [r.operation, r.members.length])).toEqual([
			['replace', 10_000],
			['update', 10_000],
			['update', 3_000],
		]);
		expect(plan.requests[0].members.every((m) => !('action' in m))).toBe(true);
		expect(plan.requests[0].members[0]).toEqual({ id: 'u0' });
		expect(plan.requests.slice(1).every((r) => r.members.every((m) => m.action === 'add'))).toBe(true);
		expect(plan.requests[1].members[0]).toEqual({ action: 'add', id: 'u10000' });
		expect(plan.requests.map((r) => [r.added, r.removed])).toEqual([
			[10_000, 0],
			[10_000, 0],
			[3_000, 0],
		]);
		expect(allIndexes(plan.requests)).toEqual(range(23_000));
	});

	it('keeps attributes on the follow-up update/add members', () => {
		const inputs = members(3).map((input) => ({ ...input, attributes: { n: input.itemIndex } }));
		const plan = planSync(inputs, { mode: 'replace', batchSize: 2 });
		expect(plan.requests.map((r) => [r.operation, r.members])).toEqual([
			['replace', [{ id: 'u0', attributes: { n: 0 } }, { id: 'u1', attributes: { n: 1 } }]],
			['update', [{ action: 'add', id: 'u2', attributes: { n: 2 } }]],
		]);
	});

	it('starts each audience with its own replace', () => {
		const inputs = [...members(3, 'a'), ...members(2, 'b', 3)];
		const plan = planSync(inputs, { mode: 'replace', batchSize: 2 });
		expect(plan.requests.map((r) => [r.audience, r.operation, r.members.length])).toEqual([
			['a', 'replace', 2],
			['a', 'update', 1],
			['b', 'replace', 2],
		]);
	});

	it('makes no request for an audience without valid members', () => {
		const plan = planSync([{ itemIndex: 0, audience: 'a', id: '' }], { mode: 'replace' });
		expect(plan.requests).toEqual([]);
	});
});

// Speed is measured by `npm run bench`, never asserted here.
describe('scale', () => {
	it('plans 200,000 inputs with attributes, accounting for every item', () => {
		const count = 200_000;
		const inputs: MemberInput[] = new Array(count);
		for (let i = 0; i < count; i++) {
			inputs[i] = {
				itemIndex: i,
				audience: i % 2 ? 'alpha' : 'beta',
				id: `user-${i % 180_000}`,
				action: 'add',
				attributes: [
					{ name: 'plan', type: 'string', value: 'gold' },
					{ name: 'since', type: 'date', value: '2024-01-31' },
				],
			};
		}
		const plan = planSync(inputs, { mode: 'update' });
		expect(plan.validCount).toBe(count);
		expect(plan.uniqueIds).toBe(180_000);
		expect(plan.requests.reduce((sum, r) => sum + r.duplicatesCollapsed, 0)).toBe(20_000);
		expect(plan.requests.reduce((sum, r) => sum + r.itemIndexes.length, 0)).toBe(count);
	});
});
