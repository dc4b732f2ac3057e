import { parse } from 'papaparse';
import { buildAudienceCsv, type CsvRowInput } from '../../nodes/Audience/engine';
import { isReservedColumnName } from '../../nodes/Audience/engine/csv';

function rowsOf(csv: string): string[][] {
	const result = parse<string[]>(csv, { newline: '\r\n' });
	expect(result.errors).toEqual([]);
	return result.data;
}

describe('buildAudienceCsv', () => {
	it('puts phone1 first, then the union of columns in order of first appearance', () => {
		const result = buildAudienceCsv([
			{ itemIndex: 0, phone: '+33 6 12 34 56 78', columns: { name: 'Ada', email: 'ada@example.com' } },
			{ itemIndex: 1, phone: '442079832100', columns: { city: 'London', name: 'Bob' } },
		]);
		expect(result.columns).toEqual(['phone1', 'name', 'email', 'city']);
		expect(result.csv).toBe(
			['phone1,name,email,city', '33612345678,Ada,ada@example.com,', '442079832100,Bob,,London'].join('\r\n'),
		);
		expect(result).toMatchObject({ rowCount: 2, itemIndexes: [0, 1], invalid: [], duplicatesCollapsed: 0 });
	});

	it('uses the given columns, in the given order, and ignores the others', () => {
		const result = buildAudienceCsv(
			[{ itemIndex: 0, phone: '33612345678', columns: { name: 'Ada', email: 'a@x.io', secret: 'no' } }],
			{ columns: ['email', 'missing', 'name', 'email'] },
		);
		expect(result.columns).toEqual(['phone1', 'email', 'missing', 'name']);
		expect(rowsOf(result.csv)).toEqual([
			['phone1', 'email', 'missing', 'name'],
			['33612345678', 'a@x.io', '', 'Ada'],
		]);
	});

	it('drops a column named phone1 among the extras and ignores empty names in the data', () => {
		const result = buildAudienceCsv([{ itemIndex: 0, phone: '33612345678', columns: { phone1: '999', '': 'x', ' ': 'y', name: 'Ada' } }]);
		expect(result.columns).toEqual(['phone1', 'name']);
		expect(rowsOf(result.csv)[1]).toEqual(['33612345678', 'Ada']);
		expect(buildAudienceCsv([], { columns: ['PHONE1', 'name'] }).columns).toEqual(['phone1', 'name']);
	});

	it('throws on an empty column name in the options (a configuration error)', () => {
		expect(() => buildAudienceCsv([], { columns: ['name', ' '] })).toThrow('CSV column names must be non-empty text');
	});

	it('collapses duplicate phones: last cells win, first position kept, all indexes kept', () => {
		const rows: CsvRowInput[] = [
			{ itemIndex: 0, phone: '+33 6 12 34 56 78', columns: { name: 'Old' } },
			{ itemIndex: 1, phone: '442079832100', columns: { name: 'Bob' } },
			{ itemIndex: 2, phone: '0033612345678', columns: { name: 'New' } },
			{ itemIndex: 3, phone: '33 612 345 678', columns: { name: 'Newest' } },
		];
		const result = buildAudienceCsv(rows);
		expect(rowsOf(result.csv)).toEqual([
			['phone1', 'name'],
			['33612345678', 'Newest'],
			['442079832100', 'Bob'],
		]);
		expect(result).toMatchObject({ rowCount: 2, itemIndexes: [0, 1, 2, 3], duplicatesCollapsed: 2 });
	});

	it('reports invalid phones with their item index and leaves them out', () => {
		const result = buildAudienceCsv([
			{ itemIndex: 0, phone: '12', columns: {} },
			{ itemIndex: 1, phone: '33612345678', columns: {} },
			{ itemIndex: 2, phone: undefined, columns: {} },
			{ itemIndex: 3, phone: 'call me', columns: {} },
		]);
		expect(result.invalid).toEqual([
			{ itemIndex: 0, message: 'phone "12" is not a full international number (8 to 15 digits with country code)' },
			{ itemIndex: 2, message: 'missing phone' },
			{ itemIndex: 3, message: 'phone "call me" is not a full international number (8 to 15 digits with country code)' },
		]);
		expect(result).toMatchObject({ rowCount: 1, itemIndexes: [1] });
		expect(result.csv).toBe('phone1\r\n33612345678');
	});

	it('writes only the header when there is no valid row', () => {
		expect(buildAudienceCsv([])).toEqual({ csv: 'phone1', columns: ['phone1'], rowCount: 0, itemIndexes: [], invalid: [], duplicatesCollapsed: 0 });
	});

	it('renders cell values', () => {
		const result = buildAudienceCsv([
			{
				itemIndex: 0,
				phone: '33612345678',
				columns: {
					text: 'plain',
					number: 42.5,
					yes: true,
					date: new Date(Date.UTC(2024, 0, 31, 8)),
					object: { a: 1 },
					list: ['x', 'y'],
					empty: null,
					missing: undefined,
				},
			},
		]);
		expect(rowsOf(result.csv)[1]).toEqual(['33612345678', 'plain', '42.5', 'true', '2024-01-31T08:00:00.000Z', '{"a":1}', '["x","y"]', '', '']);
	});

	it('neutralizes text cells and headers that a spreadsheet would run as formulas', () => {
		const result = buildAudienceCsv([
			{
				itemIndex: 0,
				phone: '+33612345678',
				columns: {
					link: '=HYPERLINK("http://x")',
					sum: '=1+1',
					plusText: '+cmd|x',
					minusText: '-A1',
					at: '@SUM(A1:A2)',
					tab: '\tx',
					tabNumber: '\t5',
					cr: '\rx',
					safe: 'a=b',
					'=cmd': 'header',
				},
			},
		]);
		const [header, row] = rowsOf(result.csv);
		expect(header).toEqual(['phone1', 'link', 'sum', 'plusText', 'minusText', 'at', 'tab', 'tabNumber', 'cr', 'safe', "'=cmd"]);
		expect(row).toEqual([
			'33612345678',
			`'=HYPERLINK("http://x")`,
			"'=1+1",
			"'+cmd|x",
			"'-A1",
			"'@SUM(A1:A2)",
			"'\tx",
			"'\t5",
			"'\rx",
			'a=b',
			'header',
		]);
		expect(result.columns[10]).toBe("'=cmd");
	});

	it('leaves numbers and phone-like values unchanged, as text or as numbers', () => {
		const columns = {
			negative: '-12.5',
			negativeNumber: -3,
			positive: '+12',
			exponent: '-1e5',
			phone: '+33 1 23',
			dashed: '+1 (555) 123-4567',
			comma: '-1,5',
		};
		const result = buildAudienceCsv([{ itemIndex: 0, phone: '33612345678', columns }]);
		const [header, row] = rowsOf(result.csv);
		expect(header).toEqual(['phone1', ...Object.keys(columns)]);
		expect(row).toEqual(['33612345678', '-12.5', '-3', '+12', '-1e5', '+33 1 23', '+1 (555) 123-4567', '-1,5']);
	});

	it('quotes commas, quotes and newlines so they read back unchanged', () => {
		const tricky = { comma: 'Doe, Jane', quote: 'say "hi"', newline: 'line1\nline2', crlf: 'a\r\nb', spaces: '  padded  ', unicode: 'שלום 😀' };
		const result = buildAudienceCsv([{ itemIndex: 0, phone: '972541234567', columns: tricky }]);
		expect(result.csv).toContain('"Doe, Jane"');
		expect(result.csv).toContain('"say ""hi"""');
		const [header, row] = rowsOf(result.csv);
		expect(header).toEqual(['phone1', ...Object.keys(tricky)]);
		expect(row).toEqual(['972541234567', ...Object.values(tricky)]);
	});

	it('builds 100,000 rows with every item accounted for', () => {
		const rows: CsvRowInput[] = Array.from({ length: 100_000 }, (_, i) => ({
			itemIndex: i,
			phone: `+33 6 ${String(10_000_000 + (i % 90_000)).slice(0, 8)}`,
			columns: { name: `n${i}`, plan: 'gold' },
		}));
		const result = buildAudienceCsv(rows);
		expect(result.rowCount).toBe(90_000);
		expect(result.duplicatesCollapsed).toBe(10_000);
		expect(result.itemIndexes).toHaveLength(100_000);
		expect(rowsOf(result.csv)).toHaveLength(90_001);
	});
});

describe('buildAudienceCsv: phone numbers and the Default Country', () => {
	// A phone1-only file: one number a line after the header.
	const phonesOf = (csv: string) => csv.split('\r\n').slice(1);

	it('converts national numbers with the Default Country and collapses every format of one number', () => {
		const result = buildAudienceCsv(
			[
				{ itemIndex: 0, phone: '+33 6 12 34 56 04', columns: { name: 'A' } },
				{ itemIndex: 1, phone: '06 12 34 56 04', columns: { name: 'B' } },
				{ itemIndex: 2, phone: '0033612345604', columns: { name: 'C' } },
				{ itemIndex: 3, phone: '33612345604', columns: { name: 'D' } },
				{ itemIndex: 4, phone: 612345604, columns: { name: 'E' } },
				{ itemIndex: 5, phone: '+44 7400 123456', columns: { name: 'F' } },
				{ itemIndex: 6, phone: '972541234567', columns: { name: 'G' } },
			],
			{ defaultCountry: 'FR' },
		);
		expect(rowsOf(result.csv)).toEqual([
			['phone1', 'name'],
			['33612345604', 'E'],
			['447400123456', 'F'],
			['972541234567', 'G'],
		]);
		expect(result).toMatchObject({ invalid: [], duplicatesCollapsed: 4, itemIndexes: [0, 1, 2, 3, 4, 5, 6] });
	});

	it('without a Default Country, a national number is invalid; the message shows it written for the country most numbers are from', () => {
		const result = buildAudienceCsv([
			{ itemIndex: 0, phone: '+33 6 11 11 11 11', columns: {} },
			{ itemIndex: 1, phone: '06 12 34 56 04', columns: {} },
			{ itemIndex: 2, phone: '+44 7400 123456', columns: {} },
			{ itemIndex: 3, phone: '0033622222222', columns: {} },
			{ itemIndex: 4, phone: '07400 123457', columns: {} },
		]);
		expect(result.invalid).toEqual([
			{
				itemIndex: 1,
				message: 'phone "06 12 34 56 04" has no country code: for a number in France, write it as +33 6 12 34 56 04, or set the Default Country option',
			},
			// Not a French number: no example.
			{ itemIndex: 4, message: 'phone "07400 123457" has no country code: write it with + and its country code, or set the Default Country option' },
		]);
		expect(phonesOf(result.csv)).toEqual(['33611111111', '447400123456', '33622222222']);
	});

	it('with the Default Country, a number that is none of its numbers nor an international one is invalid', () => {
		const result = buildAudienceCsv(
			[
				{ itemIndex: 0, phone: '07400 123456', columns: {} },
				{ itemIndex: 1, phone: '+33 6 12 34 56 0', columns: {} },
				{ itemIndex: 2, phone: '06 12 34 56 04', columns: {} },
			],
			{ defaultCountry: 'FR' },
		);
		expect(result.invalid).toEqual([
			{ itemIndex: 0, message: 'phone "07400 123456" is not a valid phone number for France (the Default Country)' },
			{ itemIndex: 1, message: 'phone "+33 6 12 34 56 0" is not a valid phone number for France' },
		]);
		expect(result.csv).toBe('phone1\r\n33612345604');
	});

	it('reads a number valid both ways as a number of the Default Country, whatever the rest of the run', () => {
		// 438 314 3452: Canadian as a national number (+1), Austrian as an international one (+43).
		// 33612345604 and 447400123456 are international numbers only.
		const csv = buildAudienceCsv(
			[
				{ itemIndex: 0, phone: '33612345604', columns: {} },
				{ itemIndex: 1, phone: '447400123456', columns: {} },
				{ itemIndex: 2, phone: '(212) 555-0123', columns: {} },
				{ itemIndex: 3, phone: '4383143452', columns: {} },
			],
			{ defaultCountry: 'US' },
		);
		expect(phonesOf(csv.csv)).toEqual(['33612345604', '447400123456', '12125550123', '14383143452']);
	});

	it('throws on a Default Country that is not a country code (a configuration error)', () => {
		expect(() => buildAudienceCsv([], { defaultCountry: 'France' })).toThrow('Default Country "France" is not a country code');
	});
});

describe('column names that would touch a prototype', () => {
	const RULE = 'CommBox files cannot have a column named __proto__, constructor or prototype';

	it.each(['__proto__', 'constructor', 'prototype', '__PROTO__', ' Constructor ', 'PROTOTYPE'])('refuses %p among the given columns', (name) => {
		const rows: CsvRowInput[] = [{ itemIndex: 0, phone: '33612345678', columns: { name: 'Ada' } }];
		expect(() => buildAudienceCsv(rows, { columns: ['name', name] })).toThrow(`CSV column name ${JSON.stringify(name)} is not allowed: ${RULE}`);
	});

	it('without given columns, an item with such a key is invalid, naming it; the others are written without it', () => {
		const result = buildAudienceCsv([
			{ itemIndex: 0, phone: '33612345678', columns: JSON.parse('{"name": "Ada", "__proto__": "x"}') as Record<string, unknown> },
			{ itemIndex: 1, phone: '442079832100', columns: { name: 'Bob' } },
			{ itemIndex: 2, phone: '972541234567', columns: { Constructor: 'x', name: 'Cy' } },
			{ itemIndex: 3, phone: '33612345678', columns: { ' prototype ': 1 } },
		]);
		expect(result.invalid).toEqual([
			{ itemIndex: 0, message: `field "__proto__" cannot be a column: ${RULE}` },
			{ itemIndex: 2, message: `field "Constructor" cannot be a column: ${RULE}` },
			{ itemIndex: 3, message: `field " prototype " cannot be a column: ${RULE}` },
		]);
		// An invalid item collapses with nothing: item 3 has item 0's phone, neither is written.
		expect(result).toMatchObject({ columns: ['phone1', 'name'], rowCount: 1, itemIndexes: [1], duplicatesCollapsed: 0 });
		expect(result.csv).toBe('phone1,name\r\n442079832100,Bob');
	});

	it('an item with an invalid phone is reported for its phone', () => {
		const result = buildAudienceCsv([{ itemIndex: 0, phone: '12', columns: { constructor: 'x' } }]);
		expect(result.invalid).toEqual([{ itemIndex: 0, message: 'phone "12" is not a full international number (8 to 15 digits with country code)' }]);
	});

	it('with given columns, such a key of an item is ignored like any column not given', () => {
		const result = buildAudienceCsv([{ itemIndex: 0, phone: '33612345678', columns: JSON.parse('{"name": "Ada", "__proto__": "x"}') as Record<string, unknown> }], {
			columns: ['name'],
		});
		expect(result.invalid).toEqual([]);
		expect(result.csv).toBe('phone1,name\r\n33612345678,Ada');
	});

	it('names that are only near them are ordinary columns', () => {
		const columns = { proto: 1, constructor_name: 2, prototypes: 3, __proto: 4, toString: 5, hasOwnProperty: 6, valueOf: 7 };
		const result = buildAudienceCsv([{ itemIndex: 0, phone: '33612345678', columns }], {});
		expect(result.invalid).toEqual([]);
		expect(rowsOf(result.csv)).toEqual([
			['phone1', ...Object.keys(columns)],
			['33612345678', '1', '2', '3', '4', '5', '6', '7'],
		]);
	});

	it('reads cells kept in a null-prototype object, every name an own cell', () => {
		const cells = Object.assign(Object.create(null) as Record<string, unknown>, { toString: 'a', name: 'Ada' });
		const result = buildAudienceCsv([{ itemIndex: 0, phone: '33612345678', columns: cells }], { columns: ['name', 'toString', 'valueOf'] });
		expect(rowsOf(result.csv)).toEqual([
			['phone1', 'name', 'toString', 'valueOf'],
			['33612345678', 'Ada', 'a', ''],
		]);
	});

	it('isReservedColumnName: the three names in any case, after trim, and nothing else', () => {
		for (const name of ['__proto__', 'constructor', 'prototype', ' __Proto__\t', 'CONSTRUCTOR', 'Prototype ']) expect(isReservedColumnName(name)).toBe(true);
		for (const name of ['', 'proto', '__proto', 'constructors', 'proto type', 'phone1', 'toString']) expect(isReservedColumnName(name)).toBe(false);
	});
});
