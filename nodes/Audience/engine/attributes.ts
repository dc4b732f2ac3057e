import { isDateTimeLike, toIsoUtc } from './dates';
import { ATTRIBUTE_NAME_PATTERN, MAX_ARRAY_ITEMS, MAX_ATTRIBUTES_PER_ID, MAX_STRING_LENGTH } from './limits';
import { Problem, show } from './messages';
import type { AttributeType, AttributeValue, MappedAttribute } from './types';
import { urlProblem } from './urls';

export interface TypedAttributes {
	/** Undefined when no attribute has a value. */
	attributes?: Record<string, AttributeValue>;
	/** Undefined when there is no problem. */
	errors?: string[];
}

type Converter = (value: unknown) => AttributeValue | Problem;

const TYPED_KEY = /^(date|url)\((.*)\)$/i;
const DECIMAL = /^[+-]?(\d+\.?\d*|\.\d+)(e[+-]?\d+)?$/i;
const NO_ATTRIBUTES: TypedAttributes = {};

function isPlainObject(value: unknown): value is Record<string, unknown> {
	if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
	const proto = Object.getPrototypeOf(value);
	return proto === Object.prototype || proto === null;
}

function tooLong(text: string): boolean {
	// Count characters (code points), not UTF-16 units; the cheap test first.
	return text.length > MAX_STRING_LENGTH && Array.from(text).length > MAX_STRING_LENGTH;
}

const TOO_LONG = new Problem(`is longer than ${MAX_STRING_LENGTH} characters`);

function checkArray(items: string[]): string[] | Problem {
	if (items.length > MAX_ARRAY_ITEMS) return new Problem(`has ${items.length} items (at most ${MAX_ARRAY_ITEMS})`);
	if (items.some(tooLong)) return new Problem(`has an item longer than ${MAX_STRING_LENGTH} characters`);
	return items;
}

function toAuto(value: unknown): AttributeValue | Problem {
	if (typeof value === 'string') return tooLong(value) ? TOO_LONG : value;
	if (typeof value === 'number') return Number.isFinite(value) ? value : new Problem('is not a finite number');
	if (typeof value === 'boolean') return value;
	if (Array.isArray(value)) {
		if (!value.every((item) => typeof item === 'string')) {
			return new Problem('is a list with items that are not text (use type Array to convert numbers)');
		}
		return checkArray(value as string[]);
	}
	if (value instanceof Date || isDateTimeLike(value)) return new Problem('needs a type: use type Date');
	return new Problem('is not an accepted value (use text, a number, a boolean or a list of texts)');
}

function toText(value: unknown): AttributeValue | Problem {
	if (typeof value === 'number' || typeof value === 'boolean') return String(value);
	if (typeof value !== 'string') return new Problem('is not text');
	return tooLong(value) ? TOO_LONG : value;
}

function toNumber(value: unknown): AttributeValue | Problem {
	if (typeof value === 'number' && Number.isFinite(value)) return value;
	if (typeof value === 'string' && DECIMAL.test(value.trim())) {
		const parsed = Number(value.trim());
		if (Number.isFinite(parsed)) return parsed;
	}
	return new Problem('is not a number');
}

function toBoolean(value: unknown): AttributeValue | Problem {
	if (typeof value === 'boolean') return value;
	if (value === 1 || value === 0) return value === 1;
	if (typeof value === 'string') {
		const text = value.trim().toLowerCase();
		if (text === 'true' || text === '1' || text === 'yes') return true;
		if (text === 'false' || text === '0' || text === 'no') return false;
	}
	return new Problem('is not a boolean (use true/false, yes/no or 1/0)');
}

const DATE_EXAMPLES = '2025-02-28 or 2025-02-28T10:00:00Z';

function toDate(value: unknown): AttributeValue | Problem {
	const iso = toIsoUtc(value);
	if (iso !== undefined) return iso;
	return typeof value === 'string'
		? new Problem(`is not a date such as ${DATE_EXAMPLES}`)
		: new Problem(`is not a date (use a date such as ${DATE_EXAMPLES}, a Date or epoch milliseconds)`);
}

function toUrl(value: unknown): AttributeValue | Problem {
	if (typeof value !== 'string') return new Problem('is not an absolute http(s) URL');
	const text = value.trim();
	const problem = urlProblem(text);
	return problem === undefined ? text : new Problem(problem);
}

function toArray(value: unknown): AttributeValue | Problem {
	let items: unknown[];
	if (typeof value === 'string') items = value.split(',');
	else if (Array.isArray(value)) items = value;
	else return new Problem('is not a list (use a list of texts or a comma-separated text)');
	const texts: string[] = [];
	for (const item of items) {
		if (typeof item === 'number' && Number.isFinite(item)) texts.push(String(item));
		else if (typeof item !== 'string') return new Problem('is a list with items that are not text or numbers');
		else if (item.trim() !== '') texts.push(item.trim());
	}
	return checkArray(texts);
}

const CONVERTERS: Record<AttributeType, Converter> = {
	auto: toAuto,
	string: toText,
	number: toNumber,
	boolean: toBoolean,
	date: toDate,
	url: toUrl,
	array: toArray,
};

interface AttributeKey {
	name: string;
	lower: string;
	key: string;
	error?: string;
}

/** Names that reach an object's prototype rather than become a property (any case, to be safe). */
const PROTOTYPE_NAMES = new Set(['__proto__', 'constructor', 'prototype']);

// The same few names come with every item: check each (name, type) once. Bounded, as JSON keys vary.
const keyCache = new Map<AttributeType, Map<string, AttributeKey>>();
const KEY_CACHE_LIMIT = 1000;

function attributeKey(rawName: string, type: AttributeType): AttributeKey {
	let byName = keyCache.get(type);
	if (byName === undefined) keyCache.set(type, (byName = new Map()));
	let entry = byName.get(rawName);
	if (entry) return entry;
	const name = rawName.trim();
	const lower = name.toLowerCase();
	if (!ATTRIBUTE_NAME_PATTERN.test(name)) {
		entry = { name, lower: '', key: '', error: `attribute name ${show(name)} is not valid: use 1 to 30 letters, digits or "_"` };
	} else if (PROTOTYPE_NAMES.has(lower)) {
		entry = { name, lower: '', key: '', error: `attribute name ${show(name)} is reserved: it would change the object's prototype instead of being sent` };
	} else {
		entry = { name, lower, key: type === 'date' || type === 'url' ? `${type}(${name})` : name };
	}
	if (byName.size >= KEY_CACHE_LIMIT) byName.clear();
	byName.set(rawName, entry);
	return entry;
}

/** Collects one member's attributes, one at a time; one instance serves every member in turn. */
class AttributeCollector {
	attributes: Record<string, AttributeValue> | undefined;
	errors: string[] | undefined;
	private names: string[] = [];

	reset(): this {
		this.attributes = undefined;
		this.errors = undefined;
		this.names.length = 0;
		return this;
	}

	fail(message: string): void {
		if (this.errors === undefined) this.errors = [];
		this.errors.push(message);
	}

	add(rawName: string, type: AttributeType, value: unknown): void {
		if (value === undefined || value === null || value === '') return;
		const { name, lower, key, error } = attributeKey(rawName, type);
		if (error) {
			this.fail(error);
			return;
		}
		// Case-insensitive, and date(x) is the same attribute as x: whether Batch lower-cases names is not documented.
		if (this.names.includes(lower)) {
			this.fail(`attribute "${name}" is given more than once`);
			return;
		}
		this.names.push(lower);
		const typed = CONVERTERS[type](value);
		if (typed instanceof Problem) {
			this.fail(`attribute "${name}": ${show(value)} ${typed.message}`);
			return;
		}
		if (this.attributes === undefined) this.attributes = {};
		this.attributes[key] = typed;
	}

	result(): TypedAttributes {
		if (this.names.length > MAX_ATTRIBUTES_PER_ID) {
			this.fail(`${this.names.length} attributes given, at most ${MAX_ATTRIBUTES_PER_ID} per id`);
		}
		return { attributes: this.errors ? undefined : this.attributes, errors: this.errors };
	}
}

// typeAttributes runs synchronously to its end, so one collector serves every call.
const sharedCollector = new AttributeCollector();

function addMapped(collector: AttributeCollector, list: Array<Partial<MappedAttribute> | null>): void {
	for (const mapped of list) {
		if (!mapped || typeof mapped.name !== 'string') return collector.fail('every mapped attribute needs a name');
		const type = mapped.type === undefined || (mapped.type as string) === '' ? 'auto' : mapped.type;
		if (!Object.prototype.hasOwnProperty.call(CONVERTERS, type)) {
			return collector.fail(`attribute "${mapped.name}": unknown type ${show(type)}`);
		}
		collector.add(mapped.name, type, mapped.value);
	}
}

/**
 * The names and types of a list of mapped fields, resolved once. Mapped fields come from the node's
 * parameters, so every item of a run brings the same names and types, and only the values differ.
 * `clean`: every name is valid and given once, and there are at most 15 of them, so no item can
 * fail on its names, whatever its values.
 */
interface MappedShape {
	names: unknown[];
	types: unknown[];
	clean: boolean;
	keys: string[];
	labels: string[];
	converters: Converter[];
}

let lastShape: MappedShape | undefined;

function sameShape(shape: MappedShape, list: unknown[]): boolean {
	if (list.length !== shape.names.length) return false;
	for (let k = 0; k < list.length; k++) {
		const mapped = list[k] as Partial<MappedAttribute> | null;
		if (!mapped || mapped.name !== shape.names[k] || mapped.type !== shape.types[k]) return false;
	}
	return true;
}

function cleanShapeOf(list: unknown[]): MappedShape | undefined {
	if (lastShape === undefined || !sameShape(lastShape, list)) {
		const mapped = list as Array<Partial<MappedAttribute> | null>;
		const shape: MappedShape = { names: [], types: [], clean: list.length <= MAX_ATTRIBUTES_PER_ID, keys: [], labels: [], converters: [] };
		const seen: string[] = [];
		for (const entry of mapped) {
			if (!entry) return (lastShape = undefined);
			shape.names.push(entry.name);
			shape.types.push(entry.type);
			const type = entry.type === undefined || (entry.type as string) === '' ? 'auto' : entry.type;
			if (typeof entry.name !== 'string' || !Object.prototype.hasOwnProperty.call(CONVERTERS, type)) {
				shape.clean = false;
				continue;
			}
			const { name, lower, key, error } = attributeKey(entry.name, type);
			if (error || seen.includes(lower)) shape.clean = false;
			seen.push(lower);
			shape.keys.push(key);
			shape.labels.push(name);
			shape.converters.push(CONVERTERS[type]);
		}
		lastShape = shape;
	}
	return lastShape.clean ? lastShape : undefined;
}

/** What the collector would return for a list of a clean shape, without its per-name checks. */
function typeWithShape(shape: MappedShape, list: unknown[]): TypedAttributes {
	let attributes: Record<string, AttributeValue> | undefined;
	let errors: string[] | undefined;
	for (let k = 0; k < list.length; k++) {
		const value = (list[k] as MappedAttribute).value;
		if (value === undefined || value === null || value === '') continue;
		const typed = shape.converters[k](value);
		if (typed instanceof Problem) (errors ??= []).push(`attribute "${shape.labels[k]}": ${show(value)} ${typed.message}`);
		else (attributes ??= {})[shape.keys[k]] = typed;
	}
	return errors ? { errors } : attributes ? { attributes } : NO_ATTRIBUTES;
}

function addJson(collector: AttributeCollector, object: Record<string, unknown>): void {
	for (const key of Object.keys(object)) {
		// JSON keys may already carry the type, as Batch writes it: date(x), url(x).
		const typed = key.indexOf('(') === -1 ? null : TYPED_KEY.exec(key.trim());
		if (typed) collector.add(typed[2], typed[1].toLowerCase() as AttributeType, object[key]);
		else collector.add(key, 'auto', object[key]);
	}
}

/**
 * Validates and types one member's attributes into the API's `attributes` object. Accepts mapped
 * fields, a JSON object, or that object as JSON text. Empty values are dropped before any check.
 */
export function typeAttributes(raw: unknown): TypedAttributes {
	if (raw === undefined || raw === null || raw === '') return NO_ATTRIBUTES;
	if (Array.isArray(raw)) {
		const shape = cleanShapeOf(raw);
		if (shape) return typeWithShape(shape, raw);
	}
	if (typeof raw === 'string') {
		try {
			raw = JSON.parse(raw);
		} catch {
			return { errors: ['attributes are not valid JSON'] };
		}
		if (!isPlainObject(raw)) return { errors: ['attributes must be a JSON object'] };
	}
	const collector = sharedCollector.reset();
	if (Array.isArray(raw)) addMapped(collector, raw);
	else if (isPlainObject(raw)) addJson(collector, raw);
	else return { errors: ['attributes must be a JSON object or a list of mapped fields'] };
	return collector.result();
}
