import { MAX_URL_LENGTH } from './limits';

// The WHATWG URL class is global in Node and browsers; declared here so the engine needs no DOM or Node typings.
interface ParsedUrl {
	protocol: string;
	hostname: string;
}
declare const URL: new (input: string) => ParsedUrl;

/** Why `text` is not an absolute http(s) URL Batch accepts, or undefined when it is. */
export function urlProblem(text: string): string | undefined {
	if (text.length > MAX_URL_LENGTH) return `is longer than ${MAX_URL_LENGTH} characters`;
	if (/\s/.test(text)) return 'is not an absolute http(s) URL (it contains spaces)';
	let parsed: ParsedUrl;
	try {
		parsed = new URL(text);
	} catch {
		return 'is not an absolute http(s) URL';
	}
	if ((parsed.protocol !== 'http:' && parsed.protocol !== 'https:') || parsed.hostname === '') {
		return 'is not an absolute http(s) URL';
	}
	return undefined;
}
