import type { INodeExecutionData, INodeType, INodeTypeDescription, IPollFunctions } from 'n8n-workflow';
import { NodeConnectionTypes } from 'n8n-workflow';
import { listSearch } from '../Audience/methods/listSearch';
import { pollAppliedChanges } from './pollAppliedChanges';

export class AudienceTrigger implements INodeType {
	description: INodeTypeDescription = {
		displayName: 'Audience Trigger',
		name: 'audienceTrigger',
		icon: { light: 'file:audienceTrigger.svg', dark: 'file:audienceTrigger.dark.svg' },
		group: ['trigger'],
		version: 1,
		subtitle: '={{"Applied on " + $parameter["resource"]}}',
		description: 'Starts the workflow when an audience has finished indexing (APPLIED)',
		defaults: { name: 'Audience Trigger' },
		polling: true,
		inputs: [],
		outputs: [NodeConnectionTypes.Main],
		credentials: [
			{ name: 'batchApi', required: true, displayOptions: { show: { resource: ['batch'] } } },
			{
				name: 'batchCustomAudienceApi',
				required: true,
				displayOptions: { show: { resource: ['batchCustomAudience'] } },
			},
		],
		properties: [
			{
				displayName: 'Platform',
				name: 'resource',
				type: 'options',
				noDataExpression: true,
				options: [
					{ name: 'Batch', value: 'batch' },
					{ name: 'Batch Custom Audience (Legacy)', value: 'batchCustomAudience' },
				],
				default: 'batch',
			},
			{
				displayName: 'Watch',
				name: 'watch',
				type: 'options',
				options: [
					{ name: 'All Audiences', value: 'all' },
					{ name: 'Selected Audiences', value: 'selected' },
				],
				default: 'all',
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
