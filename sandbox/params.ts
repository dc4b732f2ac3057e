import type { TokenState, TrackedAudience } from './audiences';
import { malformed, missing } from './errors';

/** Audience names of both Batch APIs: letters, digits, `_`, `-`, at most 255, case sensitive. */
const AUDIENCE_NAME = /^[A-Za-z0-9_-]{1,255}$/;

export function parseAudienceName(value: unknown, field = 'name'): string {
	if (value === undefined || value === null || value === '') throw missing(`${field} is required`);
	if (typeof value !== 'string' || !AUDIENCE_NAME.test(value)) {
		throw malformed(`${field} must be 1 to 255 letters, digits, "_" or "-"`);
	}
	return value;
}

export function parseOptionalString(value: unknown, field: string): string | undefined {
	if (value === undefined) return undefined;
	if (typeof value !== 'string') throw malformed(`${field} must be a string`);
	return value;
}

/** A query parameter holding a whole number in [min, max]; `fallback` when absent. */
export function parseIntegerParam(
	raw: string | null,
	field: string,
	{ min, max, fallback }: { min: number; max: number; fallback: number },
): number {
	if (raw === null) return fallback;
	const value = /^\d{1,15}$/.test(raw) ? Number(raw) : NaN;
	if (!(value >= min && value <= max)) throw malformed(`${field} must be an integer from ${min} to ${max}`);
	return value;
}

/** `?limit=`: 1 to 100, default 10, on both Batch APIs' list routes. */
export function parseListLimit(query: URLSearchParams): number {
	return parseIntegerParam(query.get('limit'), 'limit', { min: 1, max: 100, fallback: 10 });
}

/** The state `?indexing_token=` asks about: that write's, or the last write's when no token is given. */
export function requestedIndexingState<Member>(audience: TrackedAudience<Member>, query: URLSearchParams): TokenState {
	const token = query.get('indexing_token');
	const state = token === null ? audience.lastState() : audience.tokenState(token);
	if (!state) throw malformed(`indexing_token is not a token of the audience "${audience.name}"`);
	return state;
}
