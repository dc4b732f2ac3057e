import { AUDIENCE_NAME_PATTERN } from './limits';
import { show } from './messages';

/** Returns an error message, or undefined when the (trimmed) name is valid. */
export function validateAudienceName(name: unknown): string | undefined {
	if (name === undefined || name === null || (typeof name === 'string' && name.trim() === '')) {
		return 'missing audience name';
	}
	if (typeof name !== 'string') return `audience name must be text, got ${show(name)}`;
	if (!AUDIENCE_NAME_PATTERN.test(name.trim())) {
		return `audience name ${show(name.trim())} is not valid: use only letters, digits, "_" and "-", at most 255 characters`;
	}
	return undefined;
}
