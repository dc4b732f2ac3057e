import { MAX_TAG_LENGTH } from './limits';
import { Problem } from './messages';

/** Tags as a list of texts or a comma-separated text, duplicates removed; undefined when there are none. */
export function readTags(raw: unknown): string[] | undefined | Problem {
	if (raw === undefined || raw === null || raw === '') return undefined;
	let items: unknown[];
	if (typeof raw === 'string') items = raw.split(',').filter((part) => part.trim() !== '');
	else if (Array.isArray(raw)) items = raw;
	else return new Problem('tags must be a list of texts or a comma-separated text');
	const tags = new Set<string>();
	for (const item of items) {
		if (typeof item !== 'string') return new Problem('tags must be texts');
		const tag = item.trim();
		if (tag === '') return new Problem('a tag is empty');
		if (tag.length > MAX_TAG_LENGTH) {
			return new Problem(`tag "${tag.slice(0, 20)}…" is longer than ${MAX_TAG_LENGTH} characters`);
		}
		tags.add(tag);
	}
	return tags.size === 0 ? undefined : Array.from(tags);
}
