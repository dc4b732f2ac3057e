/**
 * The package's one door to libphonenumber-js, the phone number library, with its `min` metadata:
 * every country's calling code, number lengths and leading digits. (`max` adds Google's list of
 * allocated number ranges: 73 KB more, and it refuses numbers such as Israel's 054-1234567.)
 * The build replaces this module's compiled output with libphonenumber-js bundled in (gulpfile.js,
 * `build:bundle`), so the published package has no runtime dependency.
 */
export { getCountries, getCountryCallingCode, parsePhoneNumberFromString as parsePhoneNumber } from 'libphonenumber-js/min';
export type { CountryCode, PhoneNumber } from 'libphonenumber-js/min';
