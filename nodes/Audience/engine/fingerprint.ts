import type { AttributeValue, AudienceMember } from './types';

/**
 * A 48-bit fingerprint of what a member is sent as: its action, attributes (in name order) and
 * tags; the id is not part of it. Two members with equal fingerprints are sent identically, except
 * with a chance near 2⁻⁴⁸ per member.
 *
 * Hashed as it is read, without building a text of the member: two 32-bit multiply-xorshift lanes
 * over the UTF-16 code units, each text preceded by its length and each value by its type, so no two
 * members read alike. Written here, not node:crypto: one createHash call per member costs about
 * 2 µs, several times this at 1,000,000 members.
 */
export function memberFingerprint(member: AudienceMember): number {
	lane1 = 0x9e3779b9;
	lane2 = 0x85ebca6b;
	addText(member.action ?? 'add');
	const attributes = member.attributes;
	if (attributes) {
		const names = Object.keys(attributes);
		if (names.length > 1) names.sort();
		addUnit(names.length);
		for (const name of names) {
			addText(name);
			addValue(attributes[name]);
		}
	} else addUnit(0);
	const tags = member.tags ?? [];
	addUnit(tags.length);
	for (const tag of tags) addText(tag);
	return finish();
}

// The state of the hash being computed (one at a time: JavaScript runs it synchronously).
let lane1 = 0;
let lane2 = 0;

function addUnit(unit: number): void {
	lane1 = Math.imul(lane1 ^ unit, 0x5bd1e995);
	lane2 = Math.imul(lane2 ^ unit, 0x27d4eb2d);
	lane1 ^= lane1 >>> 15;
	lane2 ^= lane2 >>> 13;
}

function addText(text: string): void {
	addUnit(text.length);
	for (let i = 0; i < text.length; i++) addUnit(text.charCodeAt(i));
}

const TYPE_UNITS = { string: 1, number: 2, boolean: 3, array: 4 };

function addValue(value: AttributeValue): void {
	if (Array.isArray(value)) {
		addUnit(TYPE_UNITS.array);
		addUnit(value.length);
		for (const item of value) addText(item);
	} else if (typeof value === 'string') {
		addUnit(TYPE_UNITS.string);
		addText(value);
	} else {
		addUnit(typeof value === 'number' ? TYPE_UNITS.number : TYPE_UNITS.boolean);
		addText(String(value));
	}
}

function finish(): number {
	const h1 = Math.imul(lane1 ^ (lane1 >>> 16), 0x85ebca6b) ^ Math.imul(lane2 ^ (lane2 >>> 13), 0xc2b2ae35);
	const h2 = Math.imul(lane2 ^ (lane2 >>> 16), 0x85ebca6b) ^ Math.imul(h1 ^ (h1 >>> 13), 0xc2b2ae35);
	return (h1 >>> 0) + (h2 & 0xffff) * 0x1_0000_0000;
}
