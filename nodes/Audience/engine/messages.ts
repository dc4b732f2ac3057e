import type { InvalidItem } from './types';

const MAX_SHOWN_LENGTH = 60;

/** Why a value was refused; returned (not thrown) by the readers so valid values cost no allocation. */
export class Problem {
	constructor(readonly message: string) {}
}

/**
 * Item numbers as a person counts the items in the editor's tables: the first item is item 1 (n8n's
 * own "Item Index" counts from 0).
 */
export const itemNumber = (itemIndex: number) => itemIndex + 1;

/** `Item 7 (id "u-6"): …`, one line per problem of the item. */
export function describeInvalidItem(item: InvalidItem): string {
	const who = item.id === undefined ? `Item ${itemNumber(item.itemIndex)}` : `Item ${itemNumber(item.itemIndex)} (id "${item.id}")`;
	return item.message
		.split('\n')
		.map((problem) => `${who}: ${problem}`)
		.join('\n');
}

/** A short, safe rendering of any value for an error message (never throws). */
export function show(value: unknown): string {
	if (typeof value === 'string') {
		const shown = value.length > MAX_SHOWN_LENGTH ? `${value.slice(0, MAX_SHOWN_LENGTH)}…` : value;
		return JSON.stringify(shown);
	}
	if (typeof value === 'number' || typeof value === 'boolean' || typeof value === 'bigint') return String(value);
	if (value === null) return 'null';
	if (value === undefined) return 'nothing';
	if (Array.isArray(value)) return 'a list';
	if (value instanceof Date) return 'a Date';
	if (typeof value === 'object') return 'an object';
	return `a ${typeof value}`;
}

/** Longest API text (an error body's message) kept in a message, a description or an output item. */
export const MAX_API_TEXT_LENGTH = 500;

/** `text` cut to `max` characters, saying how much was left out. */
export function cutText(text: string, max = MAX_API_TEXT_LENGTH): string {
	if (text.length <= max) return text;
	return `${text.slice(0, max)}… (${(text.length - max).toLocaleString('en-US')} more characters cut)`;
}

/** A count as a reader expects it: `25,000`. */
export const count = (n: number) => n.toLocaleString('en-US');
