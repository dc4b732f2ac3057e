import type { INodeProperties } from 'n8n-workflow';
import { optionsCollection, replaceOptionList, trackedUpdateOptionList } from '../shared/fields';

// Parameters only the legacy Custom Audience API has.

/** Like attributes, tags go with added members only: hidden while Action is Remove. */
export const tagsField: INodeProperties = {
	displayName: 'Tags',
	name: 'tags',
	type: 'string',
	default: '',
	placeholder: 'e.g. vip, newsletter',
	description:
		'Tags to attach to added members: a comma-separated text, or an expression that gives a list of texts',
	displayOptions: { hide: { action: ['remove'] } },
};

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

/** The shared options plus the 1.0 ID type, in alphabetical order. */
function withIdType(options: INodeProperties[]): INodeProperties[] {
	return [...options, idTypeOption].sort((a, b) => a.displayName.localeCompare(b.displayName));
}

export const customAudienceUpdateOptions = optionsCollection(withIdType(trackedUpdateOptionList));

export const customAudienceReplaceOptions = optionsCollection(withIdType(replaceOptionList));
