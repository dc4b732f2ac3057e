import {
	MAX_ATTRIBUTES_PER_ID,
	planSync,
	type AttributeType,
	type MemberInput,
	type SyncPlan,
} from '../../nodes/Audience/engine';

function planWith(attributes: MemberInput['attributes'], action: unknown = 'add'): SyncPlan {
	return planSync([{ itemIndex: 0, audience: 'vip', id: 'u1', action, attributes }], { mode: 'update' });
}

/** The attributes sent for one mapped attribute, or the error message. */
function typed(type: AttributeType, value: unknown, name = 'x'): Record<string, unknown> | undefined | string {
	const plan = planWith([{ name, type, value }]);
	if (plan.invalid.length > 0) return plan.invalid[0].message;
	return plan.requests[0].members[0].attributes;
}

describe('attribute typing', () => {
	describe('auto', () => {
		it.each([
			['text', 'text'],
			[3, 3],
			[2.5, 2.5],
			[-1, -1],
			[true, true],
			[false, false],
			[0, 0],
			[['bikes', 'cinema'], ['bikes', 'cinema']],
			[[], []],
		])('keeps %j as it is', (value, expected) => {
			expect(typed('auto', value)).toEqual({ x: expected });
		});

		it('asks for type Date for a Date', () => {
			expect(typed('auto', new Date('2024-01-31T00:00:00Z'))).toBe('attribute "x": a Date needs a type: use type Date');
		});

		it.each([
			[{ a: 1 }, /an object is not an accepted value/],
			[NaN, /NaN is not a finite number/],
			[Infinity, /is not a finite number/],
			[['a', 1], /a list with items that are not text/],
			['x'.repeat(301), /longer than 300 characters/],
			[Array.from({ length: 26 }, (_, i) => `v${i}`), /has 26 items \(at most 25\)/],
		])('rejects %j', (value, message) => {
			expect(typed('auto', value)).toMatch(message);
		});

		it('accepts exactly 300 characters, counted as characters not UTF-16 units', () => {
			expect(typed('auto', 'x'.repeat(300))).toEqual({ x: 'x'.repeat(300) });
			expect(typed('auto', '😀'.repeat(300))).toEqual({ x: '😀'.repeat(300) });
		});
	});

	describe('string', () => {
		it.each([
			['text', 'text'],
			[42, '42'],
			[1.5, '1.5'],
			[true, 'true'],
			['  spaced  ', '  spaced  '],
		])('turns %j into %j', (value, expected) => {
			expect(typed('string', value)).toEqual({ x: expected });
		});

		it.each([[{ a: 1 }], [['a']], [new Date(0)]])('rejects %j', (value) => {
			expect(typed('string', value)).toMatch(/is not text/);
		});

		it('rejects more than 300 characters', () => {
			expect(typed('string', 'y'.repeat(300))).toEqual({ x: 'y'.repeat(300) });
			expect(typed('string', 'y'.repeat(301))).toBe(`attribute "x": "${'y'.repeat(60)}…" is longer than 300 characters`);
		});
	});

	describe('number', () => {
		it.each([
			[3, 3],
			[-2.5, -2.5],
			['42', 42],
			[' 7.25 ', 7.25],
			['-3', -3],
			['1e3', 1000],
			['.5', 0.5],
		])('turns %j into %j', (value, expected) => {
			expect(typed('number', value)).toEqual({ x: expected });
		});

		it.each([['abc'], ['12abc'], ['0x10'], ['  '], [true], [NaN], [Infinity], [{}], [['1']]])('rejects %j', (value) => {
			expect(typed('number', value)).toMatch(/is not a number$/);
		});
	});

	describe('boolean', () => {
		it.each([
			[true, true],
			[false, false],
			['true', true],
			['FALSE', false],
			[' Yes ', true],
			['no', false],
			['1', true],
			['0', false],
			[1, true],
			[0, false],
		])('turns %j into %j', (value, expected) => {
			expect(typed('boolean', value)).toEqual({ x: expected });
		});

		it.each([['maybe'], [2], ['y'], [{}], [[true]]])('rejects %j', (value) => {
			expect(typed('boolean', value)).toMatch(/is not a boolean/);
		});
	});

	describe('date', () => {
		it.each([
			['2024-01-31', '2024-01-31T00:00:00Z'],
			['2024-01-31T10:20', '2024-01-31T10:20:00Z'],
			['2024-01-31T10:20:30', '2024-01-31T10:20:30Z'],
			['2024-01-31T10:20:30Z', '2024-01-31T10:20:30Z'],
			['2024-01-31T10:20:30.000Z', '2024-01-31T10:20:30Z'],
			['2024-01-31T10:20:30.120Z', '2024-01-31T10:20:30.120Z'],
			['2024-01-31T10:20:30.5', '2024-01-31T10:20:30.500Z'],
			['2024-01-31T01:00:00+02:00', '2024-01-30T23:00:00Z'],
			['2024-01-31T23:30:00-01:45', '2024-02-01T01:15:00Z'],
			['2024-02-29', '2024-02-29T00:00:00Z'],
			['2000-02-29', '2000-02-29T00:00:00Z'],
			['0050-06-01', '0050-06-01T00:00:00Z'],
			[' 2024-01-31 ', '2024-01-31T00:00:00Z'],
			['2024-02-29T23:59:59.999Z', '2024-02-29T23:59:59.999Z'],
			['0000-01-01T00:00:00.000Z', '0000-01-01T00:00:00Z'],
			['9999-12-31T23:59:59Z', '9999-12-31T23:59:59Z'],
		])('turns %j into %j', (value, expected) => {
			expect(typed('date', value, 'since')).toEqual({ 'date(since)': expected });
		});

		it('accepts a Date object and epoch milliseconds', () => {
			expect(typed('date', new Date(Date.UTC(2023, 7, 12, 22, 30, 5)))).toEqual({ 'date(x)': '2023-08-12T22:30:05Z' });
			expect(typed('date', Date.UTC(2023, 7, 12, 22, 30, 5, 7))).toEqual({ 'date(x)': '2023-08-12T22:30:05.007Z' });
			expect(typed('date', 0)).toEqual({ 'date(x)': '1970-01-01T00:00:00Z' });
		});

		it('accepts a Luxon-like DateTime (what n8n expressions return)', () => {
			const dateTime = { toJSDate: () => new Date(Date.UTC(2024, 0, 31)) };
			expect(typed('date', dateTime)).toEqual({ 'date(x)': '2024-01-31T00:00:00Z' });
		});

		it.each([
			'31/02/2024',
			'2024-02-31',
			'2023-02-29',
			'1900-02-29',
			'2024-13-01',
			'2024-00-10',
			'2024-04-31',
			'2024-01-31T24:00',
			'2024-01-31T10:60',
			'2024-01-31T10:20:60',
			'2024-01-31 10:20',
			'2024-1-5',
			'2024-01-31T10:20:30+0200',
			'2024-01-31T10:20:30+02:60',
			'yesterday',
			'1706659200000',
			'2023-02-29T00:00:00Z',
			'2024-04-31T00:00:00.000Z',
			'2024-01-31T24:00:00Z',
			'2024-01-31T10:60:00.000Z',
			'2024-01-31T10:20:60Z',
			'2024-01-31T10:20:30,000Z',
			'2024-01-31T10:20:3aZ',
			'2024-01-31T10:20:30.0a0Z',
			'2024-01-31 10:20:30Z',
			'2024/01/31T10:20:30Z',
			'2024-01-31T10:20:30.000z',
		])('rejects the string %j', (value) => {
			expect(typed('date', value, 'since')).toBe(`attribute "since": ${JSON.stringify(value)} is not a date such as 2025-02-28 or 2025-02-28T10:00:00Z`);
		});

		it.each([[new Date('nope')], [NaN], [8.64e15 + 1], [true], [{}], [[2024, 1, 31]]])('rejects %j', (value) => {
			expect(typed('date', value)).toMatch(/is not a date/);
		});

		it('rejects a year beyond 9999', () => {
			expect(typed('date', Date.UTC(10000, 0, 1))).toMatch(/is not a date/);
		});
	});

	describe('url', () => {
		it.each(['https://example.com/image.jpg', 'http://example.com', 'https://a.b/c?d=e#f'])('accepts %j', (value) => {
			expect(typed('url', value, 'img')).toEqual({ 'url(img)': value });
		});

		it('trims the value', () => {
			expect(typed('url', ' https://example.com/x ')).toEqual({ 'url(x)': 'https://example.com/x' });
		});

		it.each(['example.com', '/relative/path', 'ftp://example.com/file', 'mailto:a@b.c', 'javascript:alert(1)', 'https://exa mple.com', 'https://', 'not a url'])(
			'rejects %j',
			(value) => {
				expect(typed('url', value)).toMatch(/is not an absolute http\(s\) URL/);
			},
		);

		it('rejects non-text values', () => {
			expect(typed('url', 42)).toMatch(/is not an absolute http\(s\) URL/);
		});

		it('accepts up to 2048 characters', () => {
			const base = 'https://example.com/';
			const max = base + 'a'.repeat(2048 - base.length);
			expect(typed('url', max)).toEqual({ 'url(x)': max });
			expect(typed('url', `${max}a`)).toMatch(/is longer than 2048 characters/);
		});
	});

	describe('array', () => {
		it.each([
			[['a', 'b'], ['a', 'b']],
			[['a', 2, 3.5], ['a', '2', '3.5']],
			['bikes, cinema ,,  ', ['bikes', 'cinema']],
			['single', ['single']],
			[[' padded ', ''], ['padded']],
		])('turns %j into %j', (value, expected) => {
			expect(typed('array', value, 'interests')).toEqual({ interests: expected });
		});

		it('accepts 25 items and rejects 26', () => {
			const items = Array.from({ length: 25 }, (_, i) => `i${i}`);
			expect(typed('array', items)).toEqual({ x: items });
			expect(typed('array', [...items, 'one more'])).toMatch(/has 26 items \(at most 25\)/);
			expect(typed('array', [...items, 'one more'].join(','))).toMatch(/has 26 items/);
		});

		it.each([
			[[true], /items that are not text or numbers/],
			[[{ a: 1 }], /items that are not text or numbers/],
			[[null], /items that are not text or numbers/],
			[42, /is not a list/],
			[{ a: 'b' }, /is not a list/],
			[['z'.repeat(301)], /item longer than 300 characters/],
		])('rejects %j', (value, message) => {
			expect(typed('array', value)).toMatch(message);
		});
	});
});

describe('attribute sets', () => {
	function attributeList(count: number) {
		return Array.from({ length: count }, (_, i) => ({ name: `a${i}`, type: 'auto' as const, value: i }));
	}

	it(`accepts ${MAX_ATTRIBUTES_PER_ID} attributes and rejects 16`, () => {
		expect(Object.keys(planWith(attributeList(15)).requests[0].members[0].attributes!)).toHaveLength(15);
		const plan = planWith(attributeList(16));
		expect(plan.requests).toHaveLength(0);
		expect(plan.invalid).toEqual([{ itemIndex: 0, id: 'u1', message: '16 attributes given, at most 15 per id' }]);
	});

	it('counts attributes after dropping empty values, which are not sent', () => {
		const list = [...attributeList(15), { name: 'e1', type: 'string' as const, value: '' }, { name: 'e2', type: 'date' as const, value: null }, { name: 'e3', type: 'number' as const, value: undefined }];
		const attributes = planWith(list).requests[0].members[0].attributes!;
		expect(Object.keys(attributes)).toHaveLength(15);
		expect(attributes).not.toHaveProperty('e1');
	});

	it('sends no attributes key when every value is empty', () => {
		const member = planWith({ a: '', b: null, c: undefined }).requests[0].members[0];
		expect(member).toEqual({ action: 'add', id: 'u1' });
		expect('attributes' in member).toBe(false);
	});

	it.each([
		['has-dash'],
		['has space'],
		['a'.repeat(31)],
		[''],
		['é'],
		['$email_address'],
	])('rejects the attribute name %j', (name) => {
		expect(typed('auto', 'v', name)).toMatch(/attribute name .* is not valid: use 1 to 30 letters, digits or "_"/);
	});

	it('accepts a 30-character name with letters, digits and underscores', () => {
		const name = 'Ab_1'.repeat(7) + 'xy';
		expect(typed('auto', 'v', name)).toEqual({ [name]: 'v' });
	});

	it('rejects duplicate names (case-insensitive, typed or not)', () => {
		expect(planWith([{ name: 'a', type: 'auto', value: 1 }, { name: 'a', type: 'auto', value: 2 }]).invalid[0].message).toBe(
			'attribute "a" is given more than once',
		);
		expect(planWith({ plan: 'gold', PLAN: 'silver' }).invalid[0].message).toBe('attribute "PLAN" is given more than once');
		expect(planWith({ since: 'x', 'date(since)': '2024-01-01' }).invalid[0].message).toMatch(/"since" is given more than once/);
	});

	it('reports every attribute problem of an item', () => {
		const plan = planWith([
			{ name: 'n', type: 'number', value: 'abc' },
			{ name: 'd', type: 'date', value: '2024-02-31' },
		]);
		expect(plan.invalid[0].message).toBe(
			'attribute "n": "abc" is not a number\nattribute "d": "2024-02-31" is not a date such as 2025-02-28 or 2025-02-28T10:00:00Z',
		);
	});

	describe('JSON object', () => {
		it('types plain keys automatically and honours date(x) / url(x) keys', () => {
			const plan = planWith({
				plan: 'gold',
				score: 3,
				'date(since)': '2024-01-31',
				'url(avatar)': 'https://example.com/a.png',
				interests: ['bikes'],
				' spaced ': 'ok',
			});
			expect(plan.requests[0].members[0].attributes).toEqual({
				plan: 'gold',
				score: 3,
				'date(since)': '2024-01-31T00:00:00Z',
				'url(avatar)': 'https://example.com/a.png',
				interests: ['bikes'],
				spaced: 'ok',
			});
		});

		it('validates the name inside date() / url()', () => {
			expect(planWith({ 'date(bad-name)': '2024-01-31' }).invalid[0].message).toMatch(/attribute name "bad-name" is not valid/);
			expect(planWith({ 'url(x)': 'nope' }).invalid[0].message).toMatch(/attribute "x": "nope" is not an absolute http\(s\) URL/);
		});

		it('accepts the object as JSON text', () => {
			expect(planWith('{"plan":"gold","date(since)":"2024-01-31"}' as never).requests[0].members[0].attributes).toEqual({
				plan: 'gold',
				'date(since)': '2024-01-31T00:00:00Z',
			});
		});

		it.each([['not json'], [42], ['[1]'], [new Date()]])('rejects attributes given as %j', (value) => {
			expect(planWith(value as never).invalid[0].message).toMatch(/attributes (are not valid JSON|must be a JSON object)/);
		});
	});

	describe('mapped list', () => {
		it('rejects entries without a name or with an unknown type', () => {
			expect(planWith([{ type: 'auto', value: 1 }] as never).invalid[0].message).toBe('every mapped attribute needs a name');
			expect(planWith([{ name: 'a', type: 'float', value: 1 }] as never).invalid[0].message).toBe('attribute "a": unknown type "float"');
		});

		it('does not read date(x) in a mapped name', () => {
			expect(planWith([{ name: 'date(x)', type: 'auto', value: '2024-01-01' }]).invalid[0].message).toMatch(/attribute name "date\(x\)" is not valid/);
		});
	});

	describe('with action remove', () => {
		it('rejects attributes that have a value', () => {
			const plan = planWith({ plan: 'gold' }, 'remove');
			expect(plan.invalid).toEqual([{ itemIndex: 0, id: 'u1', message: 'attributes are only accepted with action add' }]);
		});

		it('ignores attributes whose values are all empty', () => {
			const plan = planWith({ plan: '', score: null }, 'remove');
			expect(plan.invalid).toEqual([]);
			expect(plan.requests[0].members).toEqual([{ action: 'remove', id: 'u1' }]);
		});
	});

	it('keeps attributes in replace mode (no action there)', () => {
		const plan = planSync([{ itemIndex: 0, audience: 'vip', id: 'u1', action: 'remove', attributes: { plan: 'gold' } }], { mode: 'replace' });
		expect(plan.invalid).toEqual([]);
		expect(plan.requests[0].members).toEqual([{ id: 'u1', attributes: { plan: 'gold' } }]);
	});
});

describe('attribute names that would reach an object prototype', () => {
	it.each(['__proto__', 'constructor', 'prototype', 'Constructor'])('%s is refused, as a mapped field and as a JSON key', (name) => {
		for (const attributes of [[{ name, type: 'auto' as const, value: 'x' }], JSON.parse(`{"plan": "pro", ${JSON.stringify(name)}: {"admin": true}}`)]) {
			const plan = planWith(attributes);
			expect(plan.invalid.map((item) => item.message)).toEqual([
				`attribute name ${JSON.stringify(name)} is reserved: it would change the object's prototype instead of being sent`,
			]);
			expect(plan.requests).toEqual([]);
		}
	});
});

describe('mapped fields repeated over many items', () => {
	const fields = (plan: unknown, score: unknown, since: unknown) => [
		{ name: 'plan', type: 'string' as const, value: plan },
		{ name: ' score ', type: 'number' as const, value: score },
		{ name: 'since', type: 'date' as const, value: since },
	];

	it('types each item by its own values, and an item with other names is checked on its own', () => {
		const plan = planSync(
			[
				{ itemIndex: 0, audience: 'vip', id: 'u0', attributes: fields('pro', 3, '2024-01-31T10:00:00.000Z') },
				{ itemIndex: 1, audience: 'vip', id: 'u1', attributes: fields('', '12', null) },
				{ itemIndex: 2, audience: 'vip', id: 'u2', attributes: fields('team', 'lots', 'soon') },
				{ itemIndex: 3, audience: 'vip', id: 'u3', attributes: [...fields('a', 1, undefined), { name: 'PLAN', type: 'string', value: 'b' }] },
				{ itemIndex: 4, audience: 'vip', id: 'u4', attributes: fields(undefined, undefined, '') },
				{ itemIndex: 5, audience: 'vip', id: 'u5', attributes: fields('free', 0, 0) },
			],
			{ mode: 'update' },
		);
		expect(plan.requests[0].members).toEqual([
			{ action: 'add', id: 'u0', attributes: { plan: 'pro', score: 3, 'date(since)': '2024-01-31T10:00:00Z' } },
			{ action: 'add', id: 'u1', attributes: { score: 12 } },
			{ action: 'add', id: 'u4' },
			{ action: 'add', id: 'u5', attributes: { plan: 'free', score: 0, 'date(since)': '1970-01-01T00:00:00Z' } },
		]);
		expect(plan.invalid).toEqual([
			{ itemIndex: 2, id: 'u2', message: 'attribute "score": "lots" is not a number\nattribute "since": "soon" is not a date such as 2025-02-28 or 2025-02-28T10:00:00Z' },
			{ itemIndex: 3, id: 'u3', message: 'attribute "PLAN" is given more than once' },
		]);
	});
});
