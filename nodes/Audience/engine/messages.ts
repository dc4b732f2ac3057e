import type { InvalidItem } from './types';

const MAX_SHOWN_LENGTH = 60;

/** Why a value was refused; returned (not thrown) by the readers so valid values cost no allocation. */
export class Problem {
	constructor(readonly message: string) {}
}

export function describeInvalidItem(item: InvalidItem): string {
	const who = item.id === undefined ? `Item ${item.itemIndex}` : `Item ${item.itemIndex} (id "${item.id}")`;
	return `${who}: ${item.message}`;
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
