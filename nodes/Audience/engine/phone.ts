import { PHONE_DIGITS_PATTERN } from './limits';

const SEPARATORS = /[\s\-.()[\]/]/g;

/**
 * A phone number as CommBox's `phone1` wants it: digits only, country code first, no `+`.
 * Undefined when it is not 8 to 15 digits once separators and a leading `+` or `00` are removed.
 */
export function normalizePhone(raw: unknown): string | undefined {
	let text: string;
	if (typeof raw === 'string') text = raw;
	else if (typeof raw === 'number' && Number.isSafeInteger(raw) && raw > 0) text = String(raw);
	else return undefined;
	text = text.replace(SEPARATORS, '');
	if (text.startsWith('+')) text = text.slice(1);
	else if (text.startsWith('00')) text = text.slice(2);
	return PHONE_DIGITS_PATTERN.test(text) ? text : undefined;
}
