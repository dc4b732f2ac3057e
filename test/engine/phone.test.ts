import { getCountries } from 'libphonenumber-js/min';
import { COUNTRIES, countryName, defaultCountryOf, normalizePhone, parsePhone } from '../../nodes/Audience/engine';

const NOT_FULL = (shown: string) => `phone ${shown} is not a full international number (8 to 15 digits with country code)`;
const NO_COUNTRY_CODE = (shown: string) =>
	`phone ${shown} has no country code: write it with + and its country code, or set the Default Country option`;
const NOT_VALID_FOR = (shown: string, country: string) => `phone ${shown} is not a valid phone number for ${country}`;
const UNKNOWN_COUNTRY_CODE = (shown: string) => `phone ${shown} does not start with a known country code`;

describe('normalizePhone', () => {
	it.each([
		['+33 6 12-34.56.78', '33612345678'],
		['0033612345678', '33612345678'],
		['(44) 20 7983 2100', '442079832100'],
		['442079832100', '442079832100'],
		['+1 (415) 555-0100', '14155550100'],
		['+972-54-123-4567', '972541234567'],
		['[49] 30/1234567', '49301234567'],
		['\t+33 612 345 678 ', '33612345678'],
		[33612345678, '33612345678'],
		// The national prefix written after the country code, as French numbers often are.
		['+33 (0)6 12 34 56 04', '33612345604'],
	])('%j -> %j', (raw, expected) => {
		expect(normalizePhone(raw)).toBe(expected);
	});

	it.each([
		['12'],
		['1234567'],
		['1234567890123456'],
		['+33 6 12 AB 56 78'],
		['phone'],
		['++33612345678'],
		['+0033612345678x'],
		['33-612-345-678 ext 9'],
		// 8 to 15 digits, but no valid number with a country code.
		['12345678'],
		['123456789012345'],
		[''],
		['   '],
		[undefined],
		[null],
		[true],
		[{ phone: '33612345678' }],
		[3.3612345678e10 + 0.5],
		[-33612345678],
		[NaN],
	])('rejects %j', (raw) => {
		expect(normalizePhone(raw)).toBeUndefined();
	});
});

describe('parsePhone: the formats people write', () => {
	it.each<[unknown, string | undefined, string]>([
		['+33 6 12 34 56 04', undefined, '33612345604'],
		['0033612345604', undefined, '33612345604'],
		['33612345604', undefined, '33612345604'],
		['06 12 34 56 04', 'FR', '33612345604'],
		['(054) 123-4567', 'IL', '972541234567'],
		['054-1234567', 'IL', '972541234567'],
		['07400 123456', 'GB', '447400123456'],
		['(201) 555-0123', 'US', '12015550123'],
	])('%j with Default Country %j -> %j', (raw, defaultCountry, expected) => {
		expect(parsePhone(raw, { defaultCountry })).toEqual({ phone: expected });
	});

	it.each<[unknown, string]>([
		// International numbers are taken as they are, whatever the Default Country.
		['+33 6 12 34 56 04', 'US'],
		['0033612345604', 'GB'],
		// Digits starting with the Default Country's own code.
		['33612345604', 'FR'],
		// A national number whose leading 0 a spreadsheet dropped, as text or as a number.
		['612345604', 'FR'],
		[612345604, 'FR'],
		// The code in any case.
		['06 12 34 56 04', 'fr'],
		[' 06 12 34 56 04 ', ' Fr '],
	])('%j with Default Country %j -> 33612345604', (raw, defaultCountry) => {
		expect(parsePhone(raw, { defaultCountry })).toEqual({ phone: '33612345604' });
	});

	it('reads digits that are no number of the Default Country as an international number', () => {
		expect(parsePhone('447400123456', { defaultCountry: 'FR' })).toEqual({ phone: '447400123456' });
		expect(parsePhone('972541234567', { defaultCountry: 'US' })).toEqual({ phone: '972541234567' });
	});

	it('a number valid both ways reads as a number of the Default Country', () => {
		// 438 314 3452 is a Canadian number (+1); +43 831 43452 would be an Austrian one.
		expect(parsePhone('4383143452', { defaultCountry: 'US' })).toEqual({ phone: '14383143452' });
		// Without a Default Country, digits are an international number when they are a valid one.
		expect(parsePhone('4383143452')).toEqual({ phone: '4383143452' });
	});
});

describe('parsePhone: invalid numbers, in a marketer\'s words', () => {
	it('a national number without a Default Country has no country code', () => {
		expect(parsePhone('06 12 34 56 04')).toEqual({ error: NO_COUNTRY_CODE('"06 12 34 56 04"') });
		expect(parsePhone('054-1234567')).toEqual({ error: NO_COUNTRY_CODE('"054-1234567"') });
		expect(parsePhone('12345678')).toEqual({ error: NO_COUNTRY_CODE('"12345678"') });
	});

	it('shows it written for the country the other numbers are from, when it is a number there', () => {
		expect(parsePhone('06 12 34 56 04', { likelyCountry: 'FR' })).toEqual({
			error: 'phone "06 12 34 56 04" has no country code: for a number in France, write it as +33 6 12 34 56 04, or set the Default Country option',
		});
		expect(parsePhone('07400 123456', { likelyCountry: 'GB' })).toEqual({
			error: 'phone "07400 123456" has no country code: for a number in the United Kingdom, write it as +44 7400 123456, or set the Default Country option',
		});
		// Not a UK number: no example.
		expect(parsePhone('06 12 34 56 04', { likelyCountry: 'GB' })).toEqual({ error: NO_COUNTRY_CODE('"06 12 34 56 04"') });
	});

	it.each<[unknown, string | undefined, string]>([
		['+33 6 12 34 56 0', undefined, NOT_VALID_FOR('"+33 6 12 34 56 0"', 'France')],
		['+33 6 12 34 56 0', 'FR', NOT_VALID_FOR('"+33 6 12 34 56 0"', 'France')],
		['0033 6 12 34 56 789', 'US', NOT_VALID_FOR('"0033 6 12 34 56 789"', 'France')],
		['+972 12 123 4567', undefined, NOT_VALID_FOR('"+972 12 123 4567"', 'Israel')],
		['+1 222 333 4444', undefined, NOT_VALID_FOR('"+1 222 333 4444"', 'country code +1')],
		['+999 1234 5678', undefined, UNKNOWN_COUNTRY_CODE('"+999 1234 5678"')],
		['+0612345604', undefined, UNKNOWN_COUNTRY_CODE('"+0612345604"')],
		['06 12 34 56 0', 'FR', NOT_VALID_FOR('"06 12 34 56 0"', 'France (the Default Country)')],
		['07400 123456', 'FR', NOT_VALID_FOR('"07400 123456"', 'France (the Default Country)')],
		['0612345604', 'GB', NOT_VALID_FOR('"0612345604"', 'the United Kingdom (the Default Country)')],
		['12345', 'FR', NOT_VALID_FOR('"12345"', 'France (the Default Country)')],
		['12345', undefined, NOT_FULL('"12345"')],
		['n/a', 'FR', NOT_FULL('"n/a"')],
		['+33 6 12 34 56 78 90 12 34 56', 'FR', NOT_FULL('"+33 6 12 34 56 78 90 12 34 56"')],
		[12, undefined, NOT_FULL('12')],
		['', 'FR', 'missing phone'],
		[undefined, undefined, 'missing phone'],
	])('%j with Default Country %j: %s', (raw, defaultCountry, error) => {
		expect(parsePhone(raw, { defaultCountry })).toEqual({ error });
	});
});

describe('Default Country', () => {
	it('is a country code, any case; empty is none', () => {
		expect(defaultCountryOf('FR')).toBe('FR');
		expect(defaultCountryOf(' il ')).toBe('IL');
		expect(defaultCountryOf('')).toBeUndefined();
		expect(defaultCountryOf(undefined)).toBeUndefined();
	});

	it.each<[unknown, string]>([
		['France', '"France"'],
		['ZZ', '"ZZ"'],
		[33, '33'],
	])('refuses %j, naming it', (value, shown) => {
		expect(() => defaultCountryOf(value)).toThrow(
			`Default Country ${shown} is not a country code: pick a country in the list, or give its two-letter ISO code, e.g. FR for France`,
		);
	});

	it("lists libphonenumber's countries, each once, sorted by name", () => {
		const codes = COUNTRIES.map(([code]) => code);
		expect([...codes].sort()).toEqual([...getCountries()].sort());
		const names = COUNTRIES.map(([, name]) => name);
		expect(names).toEqual([...names].sort((a, b) => a.localeCompare(b, 'en')));
		expect(new Set(names).size).toBe(names.length);
		expect([countryName('FR'), countryName('IL'), countryName('GB'), countryName('US')]).toEqual(['France', 'Israel', 'United Kingdom', 'United States']);
	});
});
