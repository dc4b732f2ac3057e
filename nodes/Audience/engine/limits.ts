/** Limits documented by Batch (audience API, attribute rules) and CommBox (phone1 format). */
export const MAX_IDS_PER_REQUEST = 10_000;
export const MAX_ATTRIBUTES_PER_ID = 15;
export const AUDIENCE_NAME_PATTERN = /^[A-Za-z0-9_-]{1,255}$/;
export const ATTRIBUTE_NAME_PATTERN = /^[a-zA-Z0-9_]{1,30}$/;
export const MAX_STRING_LENGTH = 300;
export const MAX_URL_LENGTH = 2048;
export const MAX_ARRAY_ITEMS = 25;
export const MAX_TAG_LENGTH = 64;
/** CommBox's phone1: 8 to 15 digits, the country code first (E.164 without its +). */
export const PHONE_MIN_DIGITS = 8;
export const PHONE_MAX_DIGITS = 15;
export const PHONE_DIGITS_PATTERN = new RegExp(`^[0-9]{${PHONE_MIN_DIGITS},${PHONE_MAX_DIGITS}}$`);
