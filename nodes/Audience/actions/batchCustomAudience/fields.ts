import type { INodeProperties } from 'n8n-workflow';
import { onlyWhenAdding } from '../shared/fields';

/** Parameters only the legacy Custom Audience API has. */
type Show = { resource: string[]; operation: string[] };

export function tagsField(show: Show): INodeProperties {
	return {
		displayName: 'Tags',
		name: 'tags',
		type: 'string',
		default: '',
		placeholder: 'e.g. vip, newsletter',
		description:
			'Tags to attach to added members: a comma-separated text, or an expression that gives a list of texts',
		displayOptions: onlyWhenAdding(show),
	};
}

/** API 1.0 takes custom user IDs or advertising IDs and its payload names the type; 1.1 takes install IDs only. */
const idTypeOption: INodeProperties = {
	displayName: 'ID Type (API 1.0 Only)',
	name: 'idType',
	type: 'options',
	options: [
		{ name: 'Custom User IDs', value: 'custom_ids' },
		{ name: 'Advertising IDs (GAID or IDFA)', value: 'advertising_ids' },
	],
	default: 'custom_ids',
	description:
		'The "type" sent with the members when the credential uses API 1.0. API 1.1 takes install IDs only and gets no type.',
};

/** The shared Update/Replace options plus the 1.0 ID type, kept in alphabetical order. */
export function withIdType(options: INodeProperties): INodeProperties {
	const all = [...((options.options ?? []) as INodeProperties[]), idTypeOption];
	return { ...options, options: all.sort((a, b) => a.displayName.localeCompare(b.displayName)) };
}
