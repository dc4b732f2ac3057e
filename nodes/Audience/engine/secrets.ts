/** Shorter values are not masked: they would hide ordinary words and numbers. */
const MIN_SECRET_LENGTH = 4;

export const MASK = '***';

/**
 * Every form a credential value can take in a request or in a server's echo of one: as stored,
 * trimmed (what the nodes send), URL-encoded (in a path or query, with upper- or lower-case hex
 * digits, `+` for spaces) and JSON-escaped (inside a quoted body).
 */
export function secretForms(value: string): string[] {
	const forms = new Set<string>();
	for (const text of new Set([value, value.trim()])) {
		if (text.length < MIN_SECRET_LENGTH) continue;
		const encoded = encodeURIComponent(text);
		forms.add(text);
		forms.add(encoded);
		forms.add(encoded.replace(/%[0-9A-F]{2}/g, (escape) => escape.toLowerCase()));
		forms.add(encoded.replace(/%20/g, '+'));
		forms.add(encodeURI(text));
		forms.add(JSON.stringify(text).slice(1, -1));
	}
	return [...forms];
}

/** A masker for the given credential values, in all their forms; the longest form is replaced first. */
export function secretMasker(values: Iterable<unknown>): (text: string) => string {
	const forms = [...new Set([...values].flatMap((value) => (typeof value === 'string' ? secretForms(value) : [])))].sort(
		(a, b) => b.length - a.length,
	);
	return (text) => forms.reduce((masked, form) => masked.split(form).join(MASK), text);
}
