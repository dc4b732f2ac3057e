import type {
	ILoadOptionsFunctions,
	INodeExecutionData,
	INodePropertyOptions,
	INodeType,
	INodeTypeDescription,
	IPollFunctions,
} from 'n8n-workflow';
import { AUDIENCE_APP_DESCRIPTION } from '../Audience/appDescription';
import { credentialTest } from '../Audience/methods/credentialTest';
import { listSearch } from '../Audience/methods/listSearch';
import { pollAppliedChanges } from './pollAppliedChanges';

const PLATFORMS: INodePropertyOptions[] = [
	{ name: 'Batch', value: 'batch', description: 'Audiences of a Batch project (API 2.x)' },
	{ name: 'Batch Custom Audience (Legacy)', value: 'batchCustomAudience', description: 'Custom audiences of a Batch app (API 1.x)' },
];

export class AudienceTrigger implements INodeType {
	description: INodeTypeDescription = {
		displayName: 'Audience Trigger',
		name: 'audienceTrigger',
		icon: { light: 'file:audienceTrigger.svg', dark: 'file:audienceTrigger.dark.svg' },
		group: ['trigger'],
		version: 1,
		subtitle: `={{ "Indexing finished · " + (${JSON.stringify(Object.fromEntries(PLATFORMS.map((p) => [p.value, p.name])))})[$parameter["resource"]] }}`,
		// n8n's node search shows the Audience node and this trigger as one entry, with this text.
		description: AUDIENCE_APP_DESCRIPTION,
		defaults: { name: 'Audience Trigger' },
		polling: true,
		inputs: [],
		outputs: ['main'],
		credentials: [
			{ name: 'batchApi', required: true, testedBy: 'batchApiTest', displayOptions: { show: { resource: ['batch'] } } },
			{
				name: 'batchCustomAudienceApi',
				required: true,
				testedBy: 'batchCustomAudienceApiTest',
				displayOptions: { show: { resource: ['batchCustomAudience'] } },
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
			/* eslint-disable n8n-nodes-base/node-param-display-name-wrong-for-dynamic-options, n8n-nodes-base/node-param-default-wrong-for-options, n8n-nodes-base/node-param-description-wrong-for-dynamic-options --
			   A fixed list loaded from a method: n8n appends "Custom API Call" to a static Platform list,
			   which a trigger cannot use. The default stays "batch": saved workflows rely on it. */
			{
				displayName: 'Platform',
				name: 'resource',
				type: 'options',
				noDataExpression: true,
				typeOptions: { loadOptionsMethod: 'platforms' },
				default: 'batch',
				description: 'The Batch API whose audiences are watched',
			},
			/* eslint-enable n8n-nodes-base/node-param-display-name-wrong-for-dynamic-options, n8n-nodes-base/node-param-default-wrong-for-options, n8n-nodes-base/node-param-description-wrong-for-dynamic-options */
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

	methods = {
		listSearch,
		credentialTest,
		loadOptions: {
			async platforms(this: ILoadOptionsFunctions): Promise<INodePropertyOptions[]> {
				return PLATFORMS;
			},
		},
	};

	async poll(this: IPollFunctions): Promise<INodeExecutionData[][] | null> {
		return await pollAppliedChanges.call(this);
	}
}
