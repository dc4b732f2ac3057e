import { parseAttributes } from './attributes';
import type { Attributes } from './audiences';
import { malformed, missing } from './errors';
import { findUnknownField, isPlainObject } from './json';

export const MAX_IDS_PER_REQUEST = 10_000;
const MAX_TAG_LENGTH = 64;

export interface IdEntry {
	action: 'add' | 'remove';
	id: string;
	attributes: Attributes;
	tags: string[];
}

export interface IdsRules {
	/** `update`/PATCH entries carry an action; `replace`/PUT entries do not (they all add). */
	withAction: boolean;
	/** Only the legacy API takes `tags`. */
	withTags: boolean;
	minIds: 0 | 1;
}

/** Validates an `ids` array; any violation names the offending index, e.g. `ids[42].attributes: ...`. */
export function parseIdEntries(value: unknown, rules: IdsRules): IdEntry[] {
	if (value === undefined) throw missing('ids is required');
	if (!Array.isArray(value)) throw malformed('ids must be an array');
	if (value.length < rules.minIds || value.length > MAX_IDS_PER_REQUEST) {
		throw malformed(`ids must hold ${rules.minIds} to ${MAX_IDS_PER_REQUEST} entries, got ${value.length}`);
	}
	const allowedFields = [
		...(rules.withAction ? ['action'] : []),
		'id',
		'attributes',
		...(rules.withTags ? ['tags'] : []),
	];
	return value.map((entry, index) => parseIdEntry(entry, `ids[${index}]`, rules.withAction, allowedFields));
}

function parseIdEntry(entry: unknown, where: string, withAction: boolean, allowedFields: string[]): IdEntry {
	if (!isPlainObject(entry)) throw malformed(`${where}: must be an object`);
	const unknownField = findUnknownField(entry, allowedFields);
	if (unknownField) throw malformed(`${where}: unknown field "${unknownField}"`);
	const action = withAction ? parseAction(entry.action, where) : 'add';
	if (entry.id === undefined) throw missing(`${where}.id is required`);
	if (typeof entry.id !== 'string' || entry.id === '') throw malformed(`${where}.id must be a non-empty string`);
	if (action === 'remove') {
		const extra = ['attributes', 'tags'].find((field) => entry[field] !== undefined);
		if (extra) throw malformed(`${where}.${extra}: only accepted with action "add"`);
	}
	return {
		action,
		id: entry.id,
		attributes: entry.attributes === undefined ? {} : parseAttributes(entry.attributes, `${where}.attributes`),
		tags: entry.tags === undefined ? [] : parseTags(entry.tags, `${where}.tags`),
	};
}

function parseAction(value: unknown, where: string): 'add' | 'remove' {
	if (value === undefined) throw missing(`${where}.action is required`);
	if (value !== 'add' && value !== 'remove') throw malformed(`${where}.action must be "add" or "remove"`);
	return value;
}

function parseTags(value: unknown, where: string): string[] {
	if (!Array.isArray(value)) throw malformed(`${where}: must be an array of strings`);
	value.forEach((tag, index) => {
		if (typeof tag !== 'string' || tag === '' || tag.length > MAX_TAG_LENGTH) {
			throw malformed(`${where}[${index}]: a tag is a non-empty string of at most ${MAX_TAG_LENGTH} characters`);
		}
	});
	return value;
}

/**
 * Applies entries in order, which is what "the last action for an id wins" means. An add for an
 * existing member replaces its attributes (and tags) with the new ones.
 */
export function applyIdEntries<Member>(
	members: Map<string, Member>,
	entries: readonly IdEntry[],
	toMember: (entry: IdEntry) => Member,
	{ replaceAll = false } = {},
): void {
	if (replaceAll) members.clear();
	for (const entry of entries) {
		if (entry.action === 'add') members.set(entry.id, toMember(entry));
		else members.delete(entry.id);
	}
}
