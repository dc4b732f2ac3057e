import type { AudienceMember } from './types';

/**
 * A 48-bit fingerprint of what a member is sent as: its action, attributes (in name order) and
 * tags; the id is not part of it. Two members with equal fingerprints are sent identically, except
 * with a chance near 2⁻⁴⁸ per member.
 */
export function memberFingerprint(member: AudienceMember): number {
	const attributes = member.attributes;
	const names = attributes ? Object.keys(attributes).sort() : [];
	return hash48(JSON.stringify([member.action ?? 'add', names.map((name) => [name, attributes?.[name]]), member.tags ?? []]));
}

/**
 * Two 32-bit multiply-xorshift lanes over the UTF-16 code units, mixed at the end. A hash written
 * here, not node:crypto: one createHash call per member costs about 2 µs, 6 times this at 1,000,000.
 */
export function hash48(text: string): number {
	let h1 = 0x9e3779b9;
	let h2 = 0x85ebca6b;
	for (let i = 0; i < text.length; i++) {
		const unit = text.charCodeAt(i);
		h1 = Math.imul(h1 ^ unit, 0x5bd1e995);
		h2 = Math.imul(h2 ^ unit, 0x27d4eb2d);
		h1 ^= h1 >>> 15;
		h2 ^= h2 >>> 13;
	}
	h1 = Math.imul(h1 ^ (h1 >>> 16), 0x85ebca6b) ^ Math.imul(h2 ^ (h2 >>> 13), 0xc2b2ae35);
	h2 = Math.imul(h2 ^ (h2 >>> 16), 0x85ebca6b) ^ Math.imul(h1 ^ (h1 >>> 13), 0xc2b2ae35);
	return (h1 >>> 0) + (h2 & 0xffff) * 0x1_0000_0000;
}
