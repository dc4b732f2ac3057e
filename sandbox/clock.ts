/** Hands out strictly increasing timestamps (at least 1 ms apart), so two writes never share an `updated`. */
export class MonotonicClock {
	private last = 0;

	now(): Date {
		this.last = Math.max(Date.now(), this.last + 1);
		return new Date(this.last);
	}
}

/** `2023-08-12T22:30:05.123Z` (Batch 2.x, CommBox `response_time`). */
export function isoUtc(date: Date): string {
	return date.toISOString();
}

/** `2023-08-12T22:30:05.123`: the legacy API's timestamps carry no timezone suffix. */
export function isoWithoutZone(date: Date): string {
	return date.toISOString().slice(0, -1);
}

/** `2023-08-12T22:30:05Z` (CommBox `created_time`, as in its docs' example). */
export function isoUtcSeconds(date: Date): string {
	return `${date.toISOString().slice(0, 19)}Z`;
}
