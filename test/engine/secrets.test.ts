import { secretMasker } from '../../nodes/Audience/engine/secrets';

describe('secretMasker', () => {
	it('masks a value as stored, trimmed, URL-encoded (either hex case, + for spaces) and JSON-escaped', () => {
		const key = ' my "secret"/key+é \n';
		const trimmed = key.trim();
		const mask = secretMasker([key]);
		const forms = [
			key,
			trimmed,
			encodeURIComponent(trimmed),
			encodeURIComponent(trimmed).replace(/%[0-9A-F]{2}/g, (escape) => escape.toLowerCase()),
			encodeURIComponent(trimmed).replace(/%20/g, '+'),
			encodeURI(trimmed),
			JSON.stringify(trimmed).slice(1, -1),
		];
		for (const form of forms) expect(mask(`before ${form} after`)).toBe('before *** after');
	});

	it('masks the longest form first, and leaves values too short to mask safely', () => {
		const mask = secretMasker(['abcd', 'abcdef', 'ab', undefined, 42]);
		expect(mask('x abcdef y abcd z ab')).toBe('x *** y *** z ab');
	});
});
