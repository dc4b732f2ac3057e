import type { IExecuteFunctions, INodeExecutionData } from 'n8n-workflow';
import type { InvalidItem, MappedAttribute, MemberInput, SyncMode } from '../../engine';
import { itemReader, type ItemReader } from './itemParameters';

interface AttributeDefinition {
	name?: unknown;
	type?: unknown;
	value?: unknown;
}

/** Turns the node's parameters into engine inputs, one per item; unreadable JSON is invalid. */
export function readMemberInputs(
	this: IExecuteFunctions,
	items: INodeExecutionData[],
	mode: SyncMode,
	withTags: boolean,
): { inputs: MemberInput[]; invalid: InvalidItem[] } {
	const audience = itemReader(this, items, 'audience');
	const userId = itemReader(this, items, 'userId');
	const action = mode === 'update' ? itemReader(this, items, 'action', 'add') : undefined;
	const tags = withTags ? itemReader(this, items, 'tags') : undefined;
	const attributes = attributeReader.call(this, items);

	const inputs: MemberInput[] = new Array(items.length);
	const invalid: InvalidItem[] = [];
	let count = 0;
	for (let itemIndex = 0; itemIndex < items.length; itemIndex++) {
		const input: MemberInput =
			attributes?.direct === true
				? new DirectAttributesInput(itemIndex, audience(itemIndex), userId(itemIndex), attributes)
				: { itemIndex, audience: audience(itemIndex), id: userId(itemIndex) };
		if (action) input.action = action(itemIndex);
		if (tags) input.tags = emptyToUndefined(tags(itemIndex));
		if (input instanceof DirectAttributesInput) {
			inputs[count++] = input;
			continue;
		}
		try {
			input.attributes = attributes?.(itemIndex);
		} catch (error) {
			invalid.push({ itemIndex, id: idText(input.id), message: (error as Error).message });
			continue;
		}
		inputs[count++] = input;
	}
	inputs.length = count;
	return { inputs, invalid };
}

type AttributesOf = (itemIndex: number) => MemberInput['attributes'];

/**
 * An input whose mapped attributes are read when the engine checks it, not before: the engine
 * holds one item's attributes at a time instead of every item's (at 1,000,000 items that is
 * 4,000,000 short-lived objects less to keep). Only for readers that cannot throw (`direct`), so
 * an error is still reported the same way.
 */
class DirectAttributesInput implements MemberInput {
	action?: unknown;
	tags?: unknown;

	constructor(
		readonly itemIndex: number,
		readonly audience: unknown,
		readonly id: unknown,
		private readonly readAttributes: AttributesOf,
	) {}

	get attributes(): MemberInput['attributes'] {
		return this.readAttributes(this.itemIndex);
	}
}

/** An item produced by "Always Output Data" upstream carries no data at all. */
export function isEmptyInput(items: INodeExecutionData[]): boolean {
	return items.every((item) => Object.keys(item.json).length === 0 && !item.binary);
}

/** The attributes of any item; `direct` when no reader goes through n8n's expression engine. */
function attributeReader(this: IExecuteFunctions, items: INodeExecutionData[]): (AttributesOf & { direct?: boolean }) | undefined {
	const mode = this.getNodeParameter('attributeMode', 0, 'none') as string;
	if (mode === 'json') {
		const json = itemReader(this, items, 'attributesJson', {});
		return (itemIndex) => parseAttributeObject(json(itemIndex));
	}
	if (mode !== 'fields') return undefined;
	const definitions = ((this.getNode().parameters.attributes as { attribute?: AttributeDefinition[] })
		?.attribute ?? []) as AttributeDefinition[];
	const readers = definitions.map((_, k) => ({
		name: itemReader(this, items, `attributes.attribute[${k}].name`),
		type: itemReader(this, items, `attributes.attribute[${k}].type`, 'auto'),
		value: itemReader(this, items, `attributes.attribute[${k}].value`),
	}));
	const read: AttributesOf = (itemIndex) => {
		const mapped: MappedAttribute[] = new Array(readers.length);
		for (let k = 0; k < readers.length; k++) {
			const reader = readers[k];
			mapped[k] = {
				name: String(reader.name(itemIndex) ?? ''),
				type: reader.type(itemIndex) as MappedAttribute['type'],
				value: reader.value(itemIndex),
			};
		}
		return mapped;
	};
	const direct = readers.every((reader) => reader.name.direct && reader.type.direct && reader.value.direct);
	return Object.assign(read, { direct });
}

function parseAttributeObject(value: unknown): Record<string, unknown> | undefined {
	if (value === undefined || value === null || value === '') return undefined;
	const parsed = typeof value === 'string' ? parseJson(value) : value;
	if (parsed === undefined) throw new Error('attributes are not valid JSON');
	if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
		throw new Error('attributes must be a JSON object such as {"plan": "pro"}');
	}
	return parsed as Record<string, unknown>;
}

/** The parsed value, or undefined when the text is not JSON (no JSON text parses to undefined). */
function parseJson(text: string): unknown {
	try {
		return JSON.parse(text) as unknown;
	} catch {
		return undefined;
	}
}

function emptyToUndefined(value: unknown): unknown {
	return value === '' || value === null ? undefined : value;
}

export function idText(id: unknown): string | undefined {
	return typeof id === 'string' || typeof id === 'number' ? String(id) : undefined;
}

export type { ItemReader };
