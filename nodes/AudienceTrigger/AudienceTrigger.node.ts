import type { INodeExecutionData, INodeProperties, INodePropertyOptions, INodeType, INodeTypeDescription, IPollFunctions } from 'n8n-workflow';
import { NodeConnectionTypes } from 'n8n-workflow';
import { AUDIENCE_APP_DESCRIPTION } from '../Audience/appDescription';
import { listSearch } from '../Audience/methods/listSearch';
import { pollAppliedChanges } from './pollAppliedChanges';

const PLATFORMS: INodePropertyOptions[] = [
	{ name: 'Batch', value: 'batch', description: 'Audiences of a Batch project (API 2.x)' },
	{ name: 'Batch Custom Audience (Legacy)', value: 'batchCustomAudience', description: 'Custom audiences of a Batch app (API 1.x)' },
];

function platformProperty(name: string, version: number): INodeProperties {
	return {
		displayName: 'Platform',
		name,
		type: 'options',
		noDataExpression: true,
		options: PLATFORMS,
		default: 'batch',
		description: 'The Batch API whose audiences are watched',
		displayOptions: { show: { '@version': [version] } },
	};
}

export class AudienceTrigger implements INodeType {
	description: INodeTypeDescription = {
		displayName: 'Audience Trigger',
		name: 'audienceTrigger',
		icon: { light: 'file:audienceTrigger.svg', dark: 'file:audienceTrigger.dark.svg' },
		group: ['trigger'],
		// Version 2 names the platform `platform`: n8n appends "Custom API Call", which a trigger cannot
		// use, to a parameter named `resource`. Version 1 workflows keep theirs (see platformParameter).
		version: [1, 2],
		defaultVersion: 2,
		subtitle: `={{ "Indexing finished · " + (${JSON.stringify(Object.fromEntries(PLATFORMS.map((p) => [p.value, p.name])))})[$parameter["platform"] || $parameter["resource"]] }}`,
		// n8n's node search shows the Audience node and this trigger as one entry, with this text.
		description: AUDIENCE_APP_DESCRIPTION,
		defaults: { name: 'Audience Trigger' },
		polling: true,
		inputs: [],
		outputs: [NodeConnectionTypes.Main],
		// `hide` on both names (an absent parameter hides nothing): one entry per credential for both versions.
		credentials: [
			{
				name: 'batchApi',
				required: true,
				displayOptions: { hide: { platform: ['batchCustomAudience'], resource: ['batchCustomAudience'] } },
			},
			{
				name: 'batchCustomAudienceApi',
				required: true,
				displayOptions: { hide: { platform: ['batch'], resource: ['batch'] } },
			},
		],
		properties: [
			{
				// n8n's node search lists a trigger by the options of its "Event" parameter.
				displayName: 'Event',
				name: 'event',
				type: 'options',
				noDataExpression: true,
				options: [
					{
						name: 'Audience Indexing Finished',
						value: 'indexingFinished',
						action: 'When audience indexing finishes',
						description: 'A change to an audience has been indexed (APPLIED): its members are ready to target',
					},
				],
				default: 'indexingFinished',
			},
			platformProperty('platform', 2),
			platformProperty('resource', 1),
			{
				displayName: 'Watch',
				name: 'watch',
				type: 'options',
				options: [
					{ name: 'All Audiences', value: 'all', description: 'Fire for a change to any audience of the project or app' },
					{ name: 'Selected Audiences', value: 'selected', description: 'Fire only for the audiences listed below' },
				],
				default: 'all',
				description: 'Which audiences to watch',
			},
			{
				displayName: 'Audiences',
				name: 'audiences',
				type: 'fixedCollection',
				typeOptions: { multipleValues: true },
				placeholder: 'Add Audience',
				default: {},
				displayOptions: { show: { watch: ['selected'] } },
				options: [
					{
						displayName: 'Audience',
						name: 'audience',
						values: [
							{
								displayName: 'Audience',
								name: 'name',
								type: 'resourceLocator',
								default: { mode: 'list', value: '' },
								modes: [
									{
										displayName: 'From List',
										name: 'list',
										type: 'list',
										typeOptions: { searchListMethod: 'searchAudiencesForTrigger', searchable: true },
									},
									{ displayName: 'By Name', name: 'name', type: 'string' },
								],
							},
						],
					},
				],
			},
		],
	};

	methods = { listSearch };

	async poll(this: IPollFunctions): Promise<INodeExecutionData[][] | null> {
		return await pollAppliedChanges.call(this);
	}
}
