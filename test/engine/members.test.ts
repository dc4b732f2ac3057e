import { describeInvalidItem, planSync, type MemberInput, type SyncRules } from '../../nodes/Audience/engine';

function planOne(input: Partial<MemberInput>, rules: SyncRules = { mode: 'update' }) {
	return planSync([{ itemIndex: 0, audience: 'vip', id: 'u1', ...input }], rules);
}

describe('ids', () => {
	it.each([
		['abc', 'abc'],
		['  padded  ', 'padded'],
		[42, '42'],
		[0, '0'],
		[-7.5, '-7.5'],
	])('accepts %j as id %j', (id, expected) => {
		expect(planOne({ id }).requests[0].members).toEqual([{ action: 'add', id: expected }]);
	});

	it.each([[undefined], [null], [''], ['   ']])('reports %j as missing id, without an id', (id) => {
		expect(planOne({ id }).invalid).toEqual([{ itemIndex: 0, message: 'missing id' }]);
	});

	it.each([
		[NaN, 'id NaN is not a valid id'],
		[Infinity, 'id Infinity is not a valid id'],
		[{ id: 1 }, 'id must be text or a number, got an object'],
		[true, 'id must be text or a number, got true'],
	])('rejects %j', (id, message) => {
		expect(planOne({ id }).invalid).toEqual([{ itemIndex: 0, message }]);
	});

	it('treats the number 42 and the text "42" as the same id', () => {
		const plan = planSync(
			[
				{ itemIndex: 0, audience: 'vip', id: 42 },
				{ itemIndex: 1, audience: 'vip', id: '42' },
			],
			{ mode: 'update' },
		);
		expect(plan.uniqueIds).toBe(1);
		expect(plan.requests[0].duplicatesCollapsed).toBe(1);
	});
});

describe('actions (update)', () => {
	it.each([
		['add', 'add'],
		['remove', 'remove'],
		[' Remove ', 'remove'],
		['ADD', 'add'],
		[undefined, 'add'],
	])('reads %j as %j', (action, expected) => {
		expect(planOne({ action }).requests[0].members[0].action).toBe(expected);
	});

	it.each([
		['delete', 'unknown action "delete" (use add or remove)'],
		['', 'unknown action "" (use add or remove)'],
		[null, 'unknown action null (use add or remove)'],
		[1, 'unknown action 1 (use add or remove)'],
	])('rejects %j', (action, message) => {
		expect(planOne({ action }).invalid).toEqual([{ itemIndex: 0, id: 'u1', message }]);
	});

	it('counts added and removed members', () => {
		const plan = planSync(
			[
				{ itemIndex: 0, audience: 'vip', id: 'a', action: 'add' },
				{ itemIndex: 1, audience: 'vip', id: 'b', action: 'remove' },
				{ itemIndex: 2, audience: 'vip', id: 'c', action: 'add' },
			],
			{ mode: 'update' },
		);
		expect(plan.requests[0]).toMatchObject({ operation: 'update', added: 2, removed: 1 });
	});
});

describe('replace mode', () => {
	it('ignores the action, even an unknown one, and sends no action key', () => {
		const plan = planSync(
			[
				{ itemIndex: 0, audience: 'vip', id: 'a', action: 'remove' },
				{ itemIndex: 1, audience: 'vip', id: 'b', action: 'whatever' },
			],
			{ mode: 'replace' },
		);
		expect(plan.invalid).toEqual([]);
		expect(plan.requests).toHaveLength(1);
		expect(plan.requests[0]).toMatchObject({ operation: 'replace', added: 2, removed: 0 });
		expect(plan.requests[0].members).toEqual([{ id: 'a' }, { id: 'b' }]);
		for (const member of plan.requests[0].members) expect(Object.keys(member)).not.toContain('action');
	});
});

describe('tags', () => {
	const legacy: SyncRules = { mode: 'update', allowTags: true };

	it.each([
		[['vip', 'fr'], ['vip', 'fr']],
		['vip, fr ,, ', ['vip', 'fr']],
		[[' vip ', 'vip'], ['vip']],
		['t'.repeat(64), ['t'.repeat(64)]],
	])('accepts %j as %j', (tags, expected) => {
		expect(planOne({ tags }, legacy).requests[0].members).toEqual([{ action: 'add', id: 'u1', tags: expected }]);
	});

	it('sends attributes and tags together', () => {
		expect(planOne({ tags: 'a', attributes: { plan: 'gold' } }, legacy).requests[0].members).toEqual([
			{ action: 'add', id: 'u1', attributes: { plan: 'gold' }, tags: ['a'] },
		]);
	});

	it.each([[undefined], [null], [''], [[]]])('treats %j as no tags', (tags) => {
		expect(planOne({ tags }, legacy).requests[0].members).toEqual([{ action: 'add', id: 'u1' }]);
		expect(planOne({ tags }).invalid).toEqual([]);
	});

	it.each([
		[['t'.repeat(65)], /is longer than 64 characters/],
		[['ok', '  '], /a tag is empty/],
		[[1], /tags must be texts/],
		[{ a: 1 }, /tags must be a list of texts or a comma-separated text/],
	])('rejects %j', (tags, message) => {
		expect(planOne({ tags }, legacy).invalid[0].message).toMatch(message);
	});

	it('rejects tags with action remove', () => {
		expect(planOne({ tags: 'vip', action: 'remove' }, legacy).invalid).toEqual([
			{ itemIndex: 0, id: 'u1', message: 'tags are only accepted with action add' },
		]);
	});

	it('rejects tags unless allowed (Batch 2.x has no tags)', () => {
		expect(planOne({ tags: 'vip' }).invalid).toEqual([
			{ itemIndex: 0, id: 'u1', message: 'tags are only accepted by the legacy Custom Audience API' },
		]);
		expect(planOne({ tags: ['vip'] }, { mode: 'replace' }).invalid).toHaveLength(1);
	});

	it('keeps tags in legacy replace', () => {
		expect(planOne({ tags: 'vip' }, { mode: 'replace', allowTags: true }).requests[0].members).toEqual([{ id: 'u1', tags: ['vip'] }]);
	});
});

describe('invalid items', () => {
	it('reports all of them, in item order, with index and id, and excludes them', () => {
		const inputs: MemberInput[] = [
			{ itemIndex: 0, audience: 'vip', id: 'ok1' },
			{ itemIndex: 1, audience: 'vip', id: '' },
			{ itemIndex: 2, audience: 'vip', id: 'b', action: 'drop' },
			{ itemIndex: 3, audience: 'vip', id: 'ok2' },
			{ itemIndex: 4, audience: 'vip', id: 'c', attributes: { when: { date: 1 } } },
			{ itemIndex: 5, audience: 'bad name', id: 'd', action: 'nope' },
		];
		const plan = planSync(inputs, { mode: 'update' });
		expect(plan.invalid).toEqual([
			{ itemIndex: 1, message: 'missing id' },
			{ itemIndex: 2, id: 'b', message: 'unknown action "drop" (use add or remove)' },
			{ itemIndex: 4, id: 'c', message: expect.stringMatching(/^attribute "when": an object is not an accepted value/) },
			{
				itemIndex: 5,
				id: 'd',
				// One problem per line.
				message: expect.stringMatching(/^audience name "bad name" is not valid[^\n]*\nunknown action "nope" \(use add or remove\)$/),
			},
		]);
		expect(plan.validCount).toBe(2);
		expect(plan.requests[0].members.map((m) => m.id)).toEqual(['ok1', 'ok2']);
		expect(plan.requests[0].itemIndexes).toEqual([0, 3]);
	});

	it('sorts them by item index whatever the input order', () => {
		const plan = planSync(
			[
				{ itemIndex: 9, audience: 'vip', id: '' },
				{ itemIndex: 2, audience: 'vip', id: '' },
			],
			{ mode: 'update' },
		);
		expect(plan.invalid.map((i) => i.itemIndex)).toEqual([2, 9]);
	});

	it('never throws on hostile values', () => {
		const hostile = {
			get value() {
				throw new Error('boom');
			},
			name: 'x',
			type: 'auto',
		};
		const plan = planSync(
			[
				{ itemIndex: 0, audience: Symbol('a'), id: 'a' },
				{ itemIndex: 1, audience: 'vip', id: 'b', attributes: [hostile] as never },
				{ itemIndex: 2, audience: 'vip', id: 10n },
				{ itemIndex: 3, audience: 'vip', id: 'c', attributes: { big: 10n } },
			],
			{ mode: 'update' },
		);
		expect(plan.invalid.map((i) => i.itemIndex)).toEqual([0, 1, 2, 3]);
		expect(plan.invalid[1].message).toBe('could not be read: boom');
		expect(plan.requests).toEqual([]);
	});

	it('gives no request when every item is invalid', () => {
		const plan = planSync([{ itemIndex: 0, audience: 'vip', id: '' }], { mode: 'replace' });
		expect(plan).toEqual({ requests: [], invalid: [{ itemIndex: 0, message: 'missing id' }], validCount: 0, uniqueIds: 0 });
	});
});

describe('describeInvalidItem', () => {
	// Item numbers count from 1, as a person counts the items in the editor: index 12 is item 13.
	it('prefixes the item and its id', () => {
		expect(
			describeInvalidItem({ itemIndex: 12, id: 'abc', message: 'attribute "since": "31/02/2024" is not a date such as 2025-02-28 or 2025-02-28T10:00:00Z' }),
		).toBe('Item 13 (id "abc"): attribute "since": "31/02/2024" is not a date such as 2025-02-28 or 2025-02-28T10:00:00Z');
	});

	it('leaves the id out when there is none', () => {
		expect(describeInvalidItem({ itemIndex: 12, message: 'missing id' })).toBe('Item 13: missing id');
	});

	it('gives each problem of the item its own line, each naming the item', () => {
		expect(describeInvalidItem({ itemIndex: 6, id: 'u6', message: 'attribute "n": "abc" is not a number\nunknown action "nope" (use add or remove)' })).toBe(
			'Item 7 (id "u6"): attribute "n": "abc" is not a number\nItem 7 (id "u6"): unknown action "nope" (use add or remove)',
		);
		expect(describeInvalidItem({ itemIndex: 0, message: 'missing id\nattribute "d": "x" is not a date such as 2025-02-28 or 2025-02-28T10:00:00Z' })).toBe(
			'Item 1: missing id\nItem 1: attribute "d": "x" is not a date such as 2025-02-28 or 2025-02-28T10:00:00Z',
		);
	});
});

describe('a missing id names its field and what it gave', () => {
	it.each([
		[undefined, 'nothing'],
		[null, 'null'],
		['', '""'],
		['   ', '"   "'],
	])('%j', (id, shown) => {
		const plan = planSync([{ itemIndex: 0, audience: 'a', id }], { mode: 'update', idField: 'Custom User ID' });
		expect(plan.invalid).toEqual([{ itemIndex: 0, message: `missing id: the "Custom User ID" field gave ${shown}` }]);
	});
});
