import { unparse } from '../vendor/papaparse';
import { show } from './messages';
import type { CountryCode } from '../vendor/libphonenumber';
import { defaultCountryOf, type PhoneReading, readPhone, withoutCountryCodeMessage } from './phone';
import type { AudienceCsv, CsvRowInput, InvalidItem } from './types';

const PHONE_COLUMN = 'phone1';
// Spreadsheets run text cells starting with these as formulas (CSV injection, OWASP).
const FORMULA_START = /^[=+\-@\t\r]/;
// A number or a phone-like value: an optional sign, then digits, spaces, dots, commas, dashes and
// parentheses only. Without letters or other operators it cannot call a function or refer to a cell.
const NUMBER_LIKE = /^[+-]?[\d .,()-]*\d[\d .,()-]*$/;
// On a plain object these names reach the prototype instead of becoming a cell (any case, to be safe).
const PROTOTYPE_NAMES = new Set(['__proto__', 'constructor', 'prototype']);

/** Why a column name is refused, for the messages that name it. */
export const RESERVED_COLUMN_RULE = 'CommBox files cannot have a column named __proto__, constructor or prototype';

/** `__proto__`, `constructor` or `prototype`, in any case, after trim: never a CommBox column. */
export function isReservedColumnName(name: string): boolean {
	// Every reserved name has 9 letters or more: most names are decided without allocating.
	if (name.length < 9) return false;
	return PROTOTYPE_NAMES.has(name.trim().toLowerCase());
}

interface Row {
	phone: string;
	/** The input's own object, read through own keys only (`hasOwn`), so a null-prototype object works as well. */
	columns: Record<string, unknown>;
	firstIndex: number;
	collapsedIndexes?: number[];
}

/** A leading `'` for text a spreadsheet would evaluate; numbers and phone-like values stay as they are. */
function neutralize(text: string): string {
	if (!FORMULA_START.test(text) || NUMBER_LIKE.test(text) || isPlainNumber(text)) return text;
	return `'${text}`;
}

function isPlainNumber(text: string): boolean {
	return text !== '' && text === text.trim() && Number.isFinite(Number(text));
}

function toCell(value: unknown): string {
	if (value === undefined || value === null) return '';
	if (typeof value === 'string') return neutralize(value);
	if (typeof value === 'number' || typeof value === 'boolean' || typeof value === 'bigint') return neutralize(String(value));
	if (value instanceof Date) return Number.isNaN(value.getTime()) ? '' : neutralize(value.toISOString());
	try {
		return neutralize(JSON.stringify(value) ?? '');
	} catch {
		return neutralize(String(value));
	}
}

function hasOwn(object: object, key: string): boolean {
	return Object.prototype.hasOwnProperty.call(object, key);
}

function isExtraColumn(name: string): boolean {
	return name.trim() !== '' && name.trim().toLowerCase() !== PHONE_COLUMN;
}

function pickColumns(rows: Row[], requested: string[] | undefined): string[] {
	if (requested) {
		if (requested.some((name) => typeof name !== 'string' || name.trim() === '')) {
			throw new Error('CSV column names must be non-empty text');
		}
		const reserved = requested.find(isReservedColumnName);
		if (reserved !== undefined) throw new Error(`CSV column name ${show(reserved)} is not allowed: ${RESERVED_COLUMN_RULE}`);
		return Array.from(new Set(requested.filter(isExtraColumn)));
	}
	const names = new Set<string>();
	for (const row of rows) for (const name of Object.keys(row.columns)) if (isExtraColumn(name)) names.add(name);
	return Array.from(names);
}

/** The first of a row's own keys that cannot be a column, if any. */
function reservedKeyOf(columns: Record<string, unknown>): string | undefined {
	for (const name of Object.keys(columns)) if (isReservedColumnName(name)) return name;
	return undefined;
}

export interface AudienceCsvOptions {
	/** The extra columns, in order; without it, the union of the rows' own keys. */
	columns?: string[];
	/** The Default Country: ISO code of the country of numbers written without `+` or `00` ('' for none). */
	defaultCountry?: string;
}

/**
 * The CommBox audience file: `phone1` (normalized, see `readPhone`) first, then the extra columns.
 * Rows with the same phone collapse into one: the last one's cells, at the first one's position.
 * Without `options.columns` the columns come from the rows' own keys, and a row with a key named
 * `__proto__`, `constructor` or `prototype` is invalid; in `options.columns` such a name throws, as
 * does a Default Country that is not a country code.
 */
export function buildAudienceCsv(rows: CsvRowInput[], options: AudienceCsvOptions = {}): AudienceCsv {
	const phones = readPhones(rows, defaultCountryOf(options.defaultCountry));
	const invalid: InvalidItem[] = [];
	const unique: Row[] = [];
	const byPhone = new Map<string, Row>();
	let duplicatesCollapsed = 0;

	rows.forEach((input, k) => {
		const phoneOrProblem = phones[k];
		if (typeof phoneOrProblem !== 'string') {
			invalid.push({ itemIndex: input.itemIndex, message: phoneOrProblem.message });
			return;
		}
		const phone = phoneOrProblem;
		const columns = input.columns ?? {};
		const reserved = options.columns === undefined ? reservedKeyOf(columns) : undefined;
		if (reserved !== undefined) {
			invalid.push({ itemIndex: input.itemIndex, message: `field ${show(reserved)} cannot be a column: ${RESERVED_COLUMN_RULE}` });
			return;
		}
		const existing = byPhone.get(phone);
		if (existing === undefined) {
			const row: Row = { phone, columns, firstIndex: input.itemIndex };
			unique.push(row);
			byPhone.set(phone, row);
		} else {
			existing.columns = columns;
			if (existing.collapsedIndexes === undefined) existing.collapsedIndexes = [];
			existing.collapsedIndexes.push(input.itemIndex);
			duplicatesCollapsed++;
		}
	});

	const extras = pickColumns(unique, options.columns);
	const header = [PHONE_COLUMN, ...extras.map(neutralize)];
	const itemIndexes: number[] = [];
	const data = unique.map((row) => {
		itemIndexes.push(row.firstIndex);
		if (row.collapsedIndexes) for (const index of row.collapsedIndexes) itemIndexes.push(index);
		const cells = [row.phone];
		for (const name of extras) cells.push(hasOwn(row.columns, name) ? toCell(row.columns[name]) : '');
		return cells;
	});
	itemIndexes.sort((a, b) => a - b);
	invalid.sort((a, b) => a.itemIndex - b.itemIndex);

	// Papa ends a header-only file with a newline, and a file with rows without one: same shape for both.
	const written = unparse({ fields: header, data }, { newline: '\r\n' });
	const csv = written.endsWith('\r\n') ? written.slice(0, -2) : written;
	return { csv, columns: header, rowCount: unique.length, itemIndexes, invalid, duplicatesCollapsed };
}

/**
 * Every row's phone1, or why it is invalid. A number without country code (no Default Country) is
 * shown written for the country most valid numbers are from, when it is a valid number there.
 */
function readPhones(rows: CsvRowInput[], defaultCountry: CountryCode | undefined): Array<string | { message: string }> {
	const readings: PhoneReading[] = rows.map((row) => readPhone(row.phone, defaultCountry));
	const withoutCountryCode = readings.some((reading) => reading.kind === 'invalid' && reading.withoutCountryCode !== undefined);
	const likelyCountry = withoutCountryCode ? mostCommonCountry(readings) : undefined;
	return readings.map((reading, k) => {
		if (reading.kind === 'valid') return reading.phone.digits;
		if (reading.withoutCountryCode !== undefined && likelyCountry !== undefined) {
			return { message: withoutCountryCodeMessage(rows[k].phone, reading.withoutCountryCode, likelyCountry) };
		}
		return { message: reading.message };
	});
}

/** The country most valid numbers are from. */
function mostCommonCountry(readings: PhoneReading[]): CountryCode | undefined {
	const counts = new Map<CountryCode, number>();
	let best: CountryCode | undefined;
	let bestCount = 0;
	for (const reading of readings) {
		const country = reading.kind === 'valid' ? reading.phone.country : undefined;
		if (country === undefined) continue;
		const n = (counts.get(country) ?? 0) + 1;
		counts.set(country, n);
		if (n > bestCount) {
			best = country;
			bestCount = n;
		}
	}
	return best;
}
