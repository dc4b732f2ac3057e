import type { Attributes } from './audiences';
import { malformed } from './errors';
import { isPlainObject } from './json';

export const MAX_ATTRIBUTES = 15;
const MAX_STRING_LENGTH = 300;
const MAX_URL_LENGTH = 2048;
const MAX_ARRAY_ITEMS = 25;
const ATTRIBUTE_NAME = /^[a-zA-Z0-9_]{1,30}$/;
const TYPED_KEY = /^(date|url)\((.*)\)$/;
/** Date and time, optional fraction, optional `Z` or offset (the docs show both forms). */
const ISO_DATE_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,9})?(Z|[+-]\d{2}:?\d{2})?$/;

/** Checks an `attributes` object (docs/api-notes.md#batch-2x-attribute-rules); returns it as received. */
export function parseAttributes(value: unknown, where: string): Attributes {
	if (!isPlainObject(value)) throw malformed(`${where}: must be an object`);
	const keys = Object.keys(value);
	if (keys.length > MAX_ATTRIBUTES) throw malformed(`${where}: more than ${MAX_ATTRIBUTES} attributes`);
	for (const key of keys) checkAttribute(key, value[key], `${where}.${key}`);
	return value;
}

function checkAttribute(key: string, value: unknown, where: string): void {
	const typed = TYPED_KEY.exec(key);
	const name = typed ? typed[2] : key;
	if (!ATTRIBUTE_NAME.test(name)) throw malformed(`${where}: a name is 1 to 30 letters, digits or "_"`);
	if (typed?.[1] === 'date') checkDate(value, where);
	else if (typed?.[1] === 'url') checkUrl(value, where);
	else checkPlainValue(value, where);
}

function checkDate(value: unknown, where: string): void {
	if (typeof value !== 'string' || !ISO_DATE_TIME.test(value) || Number.isNaN(Date.parse(value))) {
		throw malformed(`${where}: must be an ISO-8601 date and time, e.g. 2023-08-12T22:30:05Z`);
	}
}

function checkUrl(value: unknown, where: string): void {
	if (typeof value !== 'string' || value.length > MAX_URL_LENGTH || !isHttpUrl(value)) {
		throw malformed(`${where}: must be an absolute http(s) URL of at most ${MAX_URL_LENGTH} characters`);
	}
}

function isHttpUrl(value: string): boolean {
	try {
		const { protocol } = new URL(value);
		return protocol === 'http:' || protocol === 'https:';
	} catch {
		return false;
	}
}

function checkPlainValue(value: unknown, where: string): void {
	if (typeof value === 'boolean' || (typeof value === 'number' && Number.isFinite(value))) return;
	if (typeof value === 'string') return checkString(value, where);
	if (Array.isArray(value)) {
		if (value.length > MAX_ARRAY_ITEMS) throw malformed(`${where}: an array holds at most ${MAX_ARRAY_ITEMS} items`);
		value.forEach((item, index) => {
			if (typeof item !== 'string') throw malformed(`${where}[${index}]: array items must be strings`);
			checkString(item, `${where}[${index}]`);
		});
		return;
	}
	throw malformed(`${where}: must be a string, number, boolean or array of strings`);
}

function checkString(value: string, where: string): void {
	if (value.length > MAX_STRING_LENGTH) throw malformed(`${where}: a string has at most ${MAX_STRING_LENGTH} characters`);
}
