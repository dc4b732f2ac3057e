import { malformed } from './errors';
import type { IdEntry } from './idsPayload';

/**
 * Stands in for a record-level rule the API docs do not list (an id length limit, an attribute
 * value limit): a write holding one of the chosen ids is refused as a whole with a 400 naming it.
 */
export function checkRecordRules(entries: readonly IdEntry[], rejectedIds: ReadonlySet<string>): void {
	if (rejectedIds.size === 0) return;
	const index = entries.findIndex((entry) => rejectedIds.has(entry.id));
	if (index >= 0) throw malformed(`ids[${index}].id: "${entries[index].id}" is refused by a record-level rule`);
}
