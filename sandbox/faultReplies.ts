import type { OddBodyKind } from './faults';
import { JSON_CONTENT_TYPE, RawBody } from './http';

/** What the `emptyBody`, `nullBody`, `emptyObjectBody` and `htmlBody` faults send instead of a success reply's body. */
export const ODD_SUCCESS_BODIES: Readonly<Record<OddBodyKind, RawBody>> = {
	emptyBody: { contentType: JSON_CONTENT_TYPE, text: '' },
	nullBody: { contentType: JSON_CONTENT_TYPE, text: 'null' },
	emptyObjectBody: { contentType: JSON_CONTENT_TYPE, text: '{}' },
	htmlBody: {
		contentType: 'text/html; charset=utf-8',
		text: '<!DOCTYPE html>\n<html><head><title>OK</title></head><body><h1>OK</h1><p>Request received.</p></body></html>\n',
	},
};

export const OVERSIZED_ERROR_SENTENCE = 'Injected fault: oversized error body.';

/** The `hugeErrorBody` message: a readable sentence, a space, then `x` up to `bytes` bytes in all (never shorter than the sentence). */
export function oversizedErrorMessage(bytes: number): string {
	const padding = bytes - OVERSIZED_ERROR_SENTENCE.length - 1;
	return padding > 0 ? `${OVERSIZED_ERROR_SENTENCE} ${'x'.repeat(padding)}` : OVERSIZED_ERROR_SENTENCE;
}
