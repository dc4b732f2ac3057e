import { type CountryCode, getCountries, getCountryCallingCode, parsePhoneNumber } from '../vendor/libphonenumber';
import { countryInSentence } from './countries';
import { PHONE_DIGITS_PATTERN, PHONE_MAX_DIGITS, PHONE_MIN_DIGITS } from './limits';
import { show } from './messages';

const SEPARATORS = /[\s\-.()[\]/]/g;
const DIGITS = /^[0-9]+$/;

/** A phone number as CommBox's phone1 wants it. */
export interface Phone {
	/** Digits only, country code first, no `+`. */
	digits: string;
	/** The number's country, when libphonenumber tells it (several countries share +1, +7, +44…). */
	country?: CountryCode;
}

/** How one phone value reads; see `readPhone`. */
export type PhoneReading =
	| { kind: 'valid'; phone: Phone }
	| {
			kind: 'invalid';
			message: string;
			/** The digits of a number written without country code and without a Default Country. */
			withoutCountryCode?: string;
	  };

export interface PhoneOptions {
	/** The Default Country: ISO code of the country of numbers written without `+` or `00`; '' for none. */
	defaultCountry?: string;
	/** The country most other numbers are from: the message of a number without country code shows it written for that country. */
	likelyCountry?: CountryCode;
}

/** CommBox's phone1 for one value, or undefined when it is invalid (see `parsePhone` for why). */
export function normalizePhone(raw: unknown, options: PhoneOptions = {}): string | undefined {
	const result = parsePhone(raw, options);
	return 'phone' in result ? result.phone : undefined;
}

/** CommBox's phone1 for one value, or why it is invalid, in a marketer's words. */
export function parsePhone(raw: unknown, options: PhoneOptions = {}): { phone: string } | { error: string } {
	const reading = readPhone(raw, defaultCountryOf(options.defaultCountry));
	if (reading.kind === 'valid') return { phone: reading.phone.digits };
	if (reading.withoutCountryCode !== undefined) return { error: withoutCountryCodeMessage(raw, reading.withoutCountryCode, options.likelyCountry) };
	return { error: reading.message };
}

let countryCodes: Set<string> | undefined;
let callingCodes: Map<string, CountryCode[]> | undefined;

/** Every country code libphonenumber knows, and the countries of each calling code. */
function known(): { countries: Set<string>; callingCodes: Map<string, CountryCode[]> } {
	if (countryCodes === undefined || callingCodes === undefined) {
		const countries = getCountries();
		countryCodes = new Set(countries);
		callingCodes = new Map();
		for (const country of countries) {
			const code = getCountryCallingCode(country);
			callingCodes.set(code, [...(callingCodes.get(code) ?? []), country]);
		}
	}
	return { countries: countryCodes, callingCodes };
}

/**
 * The Default Country option's value as a country code (any case, trimmed): undefined for none ('').
 * Throws, naming the value, when it is not a country libphonenumber knows.
 */
export function defaultCountryOf(value: unknown): CountryCode | undefined {
	if (value === undefined || value === null || (typeof value === 'string' && value.trim() === '')) return undefined;
	const code = typeof value === 'string' ? value.trim().toUpperCase() : '';
	if (!known().countries.has(code)) {
		throw new Error(`Default Country ${show(value)} is not a country code: pick a country in the list, or give its two-letter ISO code, e.g. FR for France`);
	}
	return code as CountryCode;
}

const notFull = (raw: unknown): PhoneReading => ({
	kind: 'invalid',
	message: `phone ${show(raw)} is not a full international number (${PHONE_MIN_DIGITS} to ${PHONE_MAX_DIGITS} digits with country code)`,
});

/**
 * How one phone value reads, for CommBox's `phone1`: digits only, country code first, no `+` (E.164
 * without its `+`), 8 to 15 digits. libphonenumber-js checks each number against its country's
 * calling code, lengths and leading digits. `defaultCountry` comes from `defaultCountryOf`.
 *
 * - Written with `+` or `00`: an international number (`+33 6 12 34 56 04`, `0033612345604`).
 * - Digits only, without a Default Country: an international number when it is a valid one
 *   (`33612345604`); otherwise it has no country code and is invalid (`06 12 34 56 04`). Such an
 *   invalid reading carries its digits, for a message showing the number written for the country
 *   the run's other numbers are from (`withoutCountryCodeMessage`).
 * - Digits only, with a Default Country: a national number of that country when valid so
 *   (`06 12 34 56 04` with France: `33612345604`; libphonenumber also recognizes that country's own
 *   code in front, `33612345604`), otherwise an international number when valid so (`447400123456`
 *   with France). A number valid both ways is read as a number of the Default Country, as
 *   libphonenumber reads it: the option means "numbers without + are from this country".
 */
export function readPhone(raw: unknown, defaultCountry?: CountryCode): PhoneReading {
	if (raw === undefined || raw === null || raw === '') return { kind: 'invalid', message: 'missing phone' };
	let text: string;
	if (typeof raw === 'string') text = raw;
	else if (typeof raw === 'number' && Number.isSafeInteger(raw) && raw > 0) text = String(raw);
	else return notFull(raw);
	text = text.replace(SEPARATORS, '');
	let international = false;
	if (text.startsWith('+')) {
		text = text.slice(1);
		international = true;
	} else if (text.startsWith('00')) {
		text = text.slice(2);
		international = true;
	}
	if (!DIGITS.test(text) || text.length > PHONE_MAX_DIGITS) return notFull(raw);

	if (international || defaultCountry === undefined) {
		if (text.length < PHONE_MIN_DIGITS) return notFull(raw);
		const reading = readInternational(raw, text);
		if (reading.kind === 'valid' || international) return reading;
		return {
			kind: 'invalid',
			message: withoutCountryCodeMessage(raw, text, undefined),
			withoutCountryCode: text,
		};
	}

	// Digits only, with a Default Country. No calling code starts with 0: a leading 0 is a national prefix.
	const national = validPhone(parsePhoneNumber(text, defaultCountry));
	if (national) return { kind: 'valid', phone: national };
	const abroad = text.startsWith('0') ? undefined : validPhone(parsePhoneNumber(`+${text}`));
	if (abroad) return { kind: 'valid', phone: abroad };
	return { kind: 'invalid', message: `phone ${show(raw)} is not a valid phone number for ${countryInSentence(defaultCountry)} (the Default Country)` };
}

function validPhone(number: ReturnType<typeof parsePhoneNumber>): Phone | undefined {
	if (!number?.isValid()) return undefined;
	const digits = number.number.slice(1);
	return PHONE_DIGITS_PATTERN.test(digits) ? { digits, country: number.country } : undefined;
}

/** `digits` read after a `+`. */
function readInternational(raw: unknown, digits: string): PhoneReading {
	const number = parsePhoneNumber(`+${digits}`);
	if (number?.isValid()) {
		const phone = validPhone(number);
		return phone ? { kind: 'valid', phone } : notFull(raw);
	}
	const callingCode = number?.countryCallingCode ?? [1, 2, 3].map((n) => digits.slice(0, n)).find((code) => known().callingCodes.has(code));
	if (callingCode === undefined) return { kind: 'invalid', message: `phone ${show(raw)} does not start with a known country code` };
	const countries = known().callingCodes.get(callingCode) ?? [];
	const country = number?.country ?? (countries.length === 1 ? countries[0] : undefined);
	const where = country ? countryInSentence(country) : `country code +${callingCode}`;
	return { kind: 'invalid', message: `phone ${show(raw)} is not a valid phone number for ${where}` };
}

/**
 * The message of a number written without country code while no Default Country is set. With the
 * country most other numbers are from, it shows the number written for that country when it is
 * a valid number there.
 */
export function withoutCountryCodeMessage(raw: unknown, digits: string, likelyCountry: CountryCode | undefined): string {
	const fix = 'or set the Default Country option';
	if (likelyCountry !== undefined) {
		const number = parsePhoneNumber(digits, likelyCountry);
		if (validPhone(number)) {
			return `phone ${show(raw)} has no country code: for a number in ${countryInSentence(likelyCountry)}, write it as ${number?.formatInternational()}, ${fix}`;
		}
	}
	return `phone ${show(raw)} has no country code: write it with + and its country code, ${fix}`;
}
