import type {
	INodeExecutionData,
	INodeProperties,
	INodePropertyOptions,
	INodeType,
	INodeTypeDescription,
	IPollFunctions,
} from 'n8n-workflow';
import { NodeConnectionTypes } from 'n8n-workflow';
import { AUDIENCE_APP_DESCRIPTION } from '../Audience/appDescription';
import { listSearch } from '../Audience/methods/listSearch';
import { AUDIENCES_BY_PLATFORM, pollAppliedChanges } from './pollAppliedChanges';

const PLATFORMS: INodePropertyOptions[] = [
	{ name: 'Batch', value: 'batch', description: 'Audiences of a Batch project (API 2.x)' },
	{ name: 'Batch Custom Audience (Legacy)', value: 'batchCustomAudience', description: 'Custom audiences of a Batch app (API 1.x)' },
];

const platformField: INodeProperties = {
	displayName: 'Platform',
	name: 'platform',
	type: 'options',
	noDataExpression: true,
	options: PLATFORMS,
	default: 'batch',
	description: 'The Batch API whose audiences are watched',
	displayOptions: { show: { '@version': [{ _cnd: { gte: 2 } }] } },
};

/** Version 1 named the platform `resource`. */
const platformFieldOfVersion1: INodeProperties = {
	...platformField,
	name: 'resource',
	displayOptions: { show: { '@version': [1] } },
};

/** An "Audiences" picker for Watch: Selected Audiences; its list comes from `searchListMethod`. */
function selectedAudiencesField({ name, searchListMethod }: { name: string; searchListMethod: string }): INodeProperties {
	return {
		displayName: 'Audiences',
		name,
		type: 'fixedCollection',
		typeOptions: { multipleValues: true },
		placeholder: 'Add Audience',
		default: {},
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
								typeOptions: { searchListMethod, searchable: true },
							},
							{ displayName: 'By Name', name: 'name', type: 'string' },
						],
					},
				],
			},
		],
	};
}

/** Versions 1 and 2: one list for both platforms, its picker follows Platform. */
const selectedAudiencesUpToVersion2: INodeProperties = {
	...selectedAudiencesField({ name: 'audiences', searchListMethod: 'searchAudiencesForTrigger' }),
	displayOptions: { show: { watch: ['selected'], '@version': [{ _cnd: { lte: 2 } }] } },
};

/** Version 3: one list per platform. */
const selectedBatchAudiences: INodeProperties = {
	...selectedAudiencesField({ name: AUDIENCES_BY_PLATFORM.batch, searchListMethod: 'searchBatchAudiences' }),
	displayOptions: { show: { watch: ['selected'], '@version': [{ _cnd: { gte: 3 } }], platform: ['batch'] } },
};

const selectedCustomAudiences: INodeProperties = {
	...selectedAudiencesField({ name: AUDIENCES_BY_PLATFORM.batchCustomAudience, searchListMethod: 'searchCustomAudiences' }),
	displayOptions: {
		show: { watch: ['selected'], '@version': [{ _cnd: { gte: 3 } }], platform: ['batchCustomAudience'] },
	},
};

export class AudienceTrigger implements INodeType {
	description: INodeTypeDescription = {
		displayName: 'Audience Trigger',
		name: 'audienceTrigger',
		icon: { light: 'file:audienceTrigger.svg', dark: 'file:audienceTrigger.dark.svg' },
		group: ['trigger'],
		// Version 2 names the platform `platform`: n8n appends "Custom API Call", which a trigger cannot
		// use, to a parameter named `resource`. Version 3 keeps each platform's selected audiences in a
		// parameter of its own (AUDIENCES_BY_PLATFORM), so switching Platform shows that platform's
		// selection, never the other one's. Saved workflows keep their version and parameters:
		// version 1 `resource` + `audiences`, version 2 `platform` + `audiences` (see pollAppliedChanges).
		version: [1, 2, 3],
		defaultVersion: 3,
		subtitle: `={{ "Indexing finished · " + (${JSON.stringify(Object.fromEntries(PLATFORMS.map((p) => [p.value, p.name])))})[$parameter["platform"] || $parameter["resource"]] }}`,
		// n8n's node search shows the Audience node and this trigger as one entry, with this text.
		description: AUDIENCE_APP_DESCRIPTION,
		defaults: { name: 'Audience Trigger' },
		polling: true,
		inputs: [],
		outputs: [NodeConnectionTypes.Main],
		// Each platform's credential only while that platform is chosen, in every version: `hide` on
		// both Platform names (version 1 `resource`, later `platform`), as an absent parameter hides nothing.
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
			platformField,
			platformFieldOfVersion1,
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
			selectedAudiencesUpToVersion2,
			selectedBatchAudiences,
			selectedCustomAudiences,
		],
	};

	methods = { listSearch };

	async poll(this: IPollFunctions): Promise<INodeExecutionData[][] | null> {
		return await pollAppliedChanges.call(this);
	}
}
