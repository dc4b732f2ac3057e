const ISO_DATE = /^(\d{4})-(\d{2})-(\d{2})(?:T(\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?(Z|[+-]\d{2}:\d{2})?)?$/;
const MAX_YEAR = 9999;

function daysInMonth(year: number, month: number): number {
	if (month === 2) return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0 ? 29 : 28;
	return month === 4 || month === 6 || month === 9 || month === 11 ? 30 : 31;
}

/** `YYYY-MM-DDTHH:mm:ssZ`, with `.sss` only when the milliseconds are not zero. */
export function formatIsoUtc(epochMillis: number): string | undefined {
	const date = new Date(epochMillis);
	const year = date.getUTCFullYear();
	if (Number.isNaN(year) || year < 0 || year > MAX_YEAR) return undefined;
	const iso = date.toISOString();
	return date.getUTCMilliseconds() === 0 ? `${iso.slice(0, 19)}Z` : iso;
}

const ZERO = 48;

/** Digits at [from, to) as a number, or -1 when one is not a digit. */
function digits(text: string, from: number, to: number): number {
	let value = 0;
	for (let i = from; i < to; i++) {
		const d = text.charCodeAt(i) - ZERO;
		if (d < 0 || d > 9) return -1;
		value = value * 10 + d;
	}
	return value;
}

/**
 * The form nearly every date arrives in (what `toISOString()` and most APIs write):
 * `YYYY-MM-DDTHH:mm:ssZ` or `YYYY-MM-DDTHH:mm:ss.sssZ`. Read without a regular expression, as it
 * runs once per date attribute of every item; anything else is left to the general reader.
 */
function canonicalUtc(text: string): string | undefined {
	const length = text.length;
	if (length !== 20 && length !== 24) return undefined;
	if (text.charCodeAt(length - 1) !== 90 /* Z */ || text[4] !== '-' || text[7] !== '-' || text[10] !== 'T' || text[13] !== ':' || text[16] !== ':') {
		return undefined;
	}
	const year = digits(text, 0, 4);
	const month = digits(text, 5, 7);
	const day = digits(text, 8, 10);
	const hours = digits(text, 11, 13);
	const minutes = digits(text, 14, 16);
	const seconds = digits(text, 17, 19);
	if (year < 0 || month < 1 || month > 12 || day < 1 || day > daysInMonth(year, month)) return undefined;
	if (hours < 0 || hours > 23 || minutes < 0 || minutes > 59 || seconds < 0 || seconds > 59) return undefined;
	if (length === 20) return text;
	const millis = text[19] === '.' ? digits(text, 20, 23) : -1;
	if (millis < 0) return undefined;
	return millis === 0 ? `${text.slice(0, 19)}Z` : text;
}

/** An ISO-8601 string (no zone = UTC) as ISO-8601 UTC; undefined for malformed or impossible dates. */
export function isoStringToUtc(text: string): string | undefined {
	const canonical = canonicalUtc(text);
	if (canonical !== undefined) return canonical;
	const m = ISO_DATE.exec(text);
	if (!m) return undefined;
	const year = Number(m[1]);
	const month = Number(m[2]);
	const day = Number(m[3]);
	if (month < 1 || month > 12 || day < 1 || day > daysInMonth(year, month)) return undefined;
	const hh = m[4] || '00';
	const mm = m[5] || '00';
	const ss = m[6] || '00';
	if (Number(hh) > 23 || Number(mm) > 59 || Number(ss) > 59) return undefined;
	// Fractions finer than milliseconds are truncated.
	const millis = m[7] ? m[7].slice(0, 3).padEnd(3, '0') : '000';
	const zone = m[8];
	if (!zone || zone === 'Z') {
		// Already UTC: reuse the text (no Date, few string pieces), this runs once per attribute.
		if (text.length === 20 && zone === 'Z' && m[6] !== undefined) return text;
		if (m[4] === undefined) return `${text}T00:00:00Z`;
		const upToSeconds = m[6] === undefined ? `${text.slice(0, 16)}:00` : text.slice(0, 19);
		return millis === '000' ? `${upToSeconds}Z` : `${upToSeconds}.${millis}Z`;
	}
	const zoneHours = Number(zone.slice(1, 3));
	const zoneMinutes = Number(zone.slice(4, 6));
	if (zoneHours > 23 || zoneMinutes > 59) return undefined;
	const offsetMinutes = (zone[0] === '-' ? -1 : 1) * (zoneHours * 60 + zoneMinutes);
	// setUTCFullYear, because Date.UTC maps years 0..99 to 1900..1999.
	const date = new Date(0);
	date.setUTCFullYear(year, month - 1, day);
	date.setUTCHours(Number(hh), Number(mm), Number(ss), Number(millis));
	return formatIsoUtc(date.getTime() - offsetMinutes * 60_000);
}

/** Luxon DateTime (what n8n expressions such as `$now` return) without importing Luxon. */
export function isDateTimeLike(value: unknown): value is { toJSDate(): Date } {
	return typeof value === 'object' && value !== null && typeof (value as { toJSDate?: unknown }).toJSDate === 'function';
}

/** A Date, a Luxon DateTime, epoch milliseconds or an ISO-8601 string, as ISO-8601 UTC. */
export function toIsoUtc(value: unknown): string | undefined {
	if (typeof value === 'string') return isoStringToUtc(value.trim());
	if (typeof value === 'number') return Number.isFinite(value) ? formatIsoUtc(value) : undefined;
	if (value instanceof Date) return formatIsoUtc(value.getTime());
	if (isDateTimeLike(value)) return toIsoUtc(value.toJSDate());
	return undefined;
}
