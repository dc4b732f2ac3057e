import { malformed } from './errors';
import type { IdEntry } from './idsPayload';

/** Config (`rejectIds`, `rejectIdsMessage`); kept across resets. */
export interface RecordRules {
	/** Ids every Batch and legacy write refuses with a 400. */
	rejectedIds: ReadonlySet<string>;
	/** The refusal's whole message, naming no record; by default the message names the id and its index. */
	message?: string;
}

/**
 * Stands in for a record-level rule the API docs do not list (an id length limit, an attribute
 * value limit): a write holding one of the chosen ids is refused as a whole with a 400.
 */
export function checkRecordRules(entries: readonly IdEntry[], rules: RecordRules): void {
	if (rules.rejectedIds.size === 0) return;
	const index = entries.findIndex((entry) => rules.rejectedIds.has(entry.id));
	if (index < 0) return;
	throw malformed(rules.message ?? `ids[${index}].id: "${entries[index].id}" is refused by a record-level rule`);
}
