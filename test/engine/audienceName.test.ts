import { AUDIENCE_NAME_PATTERN, planSync, validateAudienceName } from '../../nodes/Audience/engine';

describe('validateAudienceName', () => {
	it.each(['vip', 'VIP_2024-q1', 'a', '0', '_-_', 'x'.repeat(255), '  padded  '])('accepts %j', (name) => {
		expect(validateAudienceName(name)).toBeUndefined();
	});

	it.each([
		['has space', /letters, digits, "_" and "-", at most 255 characters/],
		['x'.repeat(256), /at most 255 characters/],
		['accentué', /not valid/],
		['dot.name', /not valid/],
		['slash/name', /not valid/],
	])('rejects %j and says what is allowed', (name, message) => {
		expect(validateAudienceName(name)).toMatch(message);
	});

	it.each([undefined, null, '', '   '])('reports %j as missing', (name) => {
		expect(validateAudienceName(name)).toBe('missing audience name');
	});

	it.each([42, {}, ['vip'], true])('rejects the non-text %j', (name) => {
		expect(validateAudienceName(name)).toMatch(/must be text/);
	});

	it('exposes the documented pattern', () => {
		expect(AUDIENCE_NAME_PATTERN.source).toBe('^[A-Za-z0-9_-]{1,255}$');
	});

	it('is applied by planSync with the trimmed name', () => {
		const plan = planSync(
			[
				{ itemIndex: 0, audience: ' vip ', id: 'a' },
				{ itemIndex: 1, audience: 'bad name', id: 'b' },
				{ itemIndex: 2, audience: 'vip', id: 'c' },
			],
			{ mode: 'update' },
		);
		expect(plan.requests).toHaveLength(1);
		expect(plan.requests[0].audience).toBe('vip');
		expect(plan.requests[0].members.map((m) => m.id)).toEqual(['a', 'c']);
		expect(plan.invalid).toEqual([{ itemIndex: 1, id: 'b', message: expect.stringMatching(/audience name "bad name" is not valid/) }]);
	});
});
