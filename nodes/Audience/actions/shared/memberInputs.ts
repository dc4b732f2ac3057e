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

	const inputs: MemberInput[] = [];
	const invalid: InvalidItem[] = [];
	for (let itemIndex = 0; itemIndex < items.length; itemIndex++) {
		const input: MemberInput = { itemIndex, audience: audience(itemIndex), id: userId(itemIndex) };
		if (action) input.action = action(itemIndex);
		if (tags) input.tags = emptyToUndefined(tags(itemIndex));
		try {
			input.attributes = attributes?.(itemIndex);
		} catch (error) {
			invalid.push({ itemIndex, id: idText(input.id), message: (error as Error).message });
			continue;
		}
		inputs.push(input);
	}
	return { inputs, invalid };
}

/** An item produced by "Always Output Data" upstream carries no data at all. */
export function isEmptyInput(items: INodeExecutionData[]): boolean {
	return items.every((item) => Object.keys(item.json).length === 0 && !item.binary);
}

function attributeReader(
	this: IExecuteFunctions,
	items: INodeExecutionData[],
): ((itemIndex: number) => MemberInput['attributes']) | undefined {
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
	return (itemIndex) =>
		readers.map(
			(reader): MappedAttribute => ({
				name: String(reader.name(itemIndex) ?? ''),
				type: reader.type(itemIndex) as MappedAttribute['type'],
				value: reader.value(itemIndex),
			}),
		);
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
