import type { IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';
import { createStaticAudience } from '../../transport/commBox';
import { fileSourceFields, uploadOptions } from './fields';
import { sameForAllItems, uploadAudienceFile } from './upload';

const show = { resource: ['commBox'], operation: ['createStatic'] };

export const description: INodeProperties[] = [
	{
		displayName: 'Audience Name',
		name: 'name',
		type: 'string',
		default: '',
		required: true,
		placeholder: 'e.g. NE_USA-above50',
		description: 'Name of the new audience (CommBox allows two audiences with the same name)',
		displayOptions: { show },
	},
	...fileSourceFields(show),
	uploadOptions(show, false),
];

export async function execute(this: IExecuteFunctions, items: INodeExecutionData[]): Promise<INodeExecutionData[]> {
	const name = sameForAllItems.call(this, items, 'name', 'audience name');
	return await uploadAudienceFile.call(this, items, {
		operation: 'createStatic',
		audience: { audienceId: null, name },
		emptyEffect: `the new CommBox audience "${name}" would be empty`,
		allowEmptyOption: 'Allow Empty Audience',
		async send(upload, policy) {
			return await createStaticAudience.call(this, name, upload, policy);
		},
	});
}
