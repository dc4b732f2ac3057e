import type { IExecuteFunctions, INodeExecutionData, INodeType, INodeTypeDescription } from 'n8n-workflow';
import { NodeConnectionTypes } from 'n8n-workflow';
import { AUDIENCE_APP_DESCRIPTION } from './appDescription';
import { operationSubtitle, platformDescription } from './actions/node.description';
import { route } from './actions/router';
import { listSearch } from './methods/listSearch';

export class Audience implements INodeType {
	description: INodeTypeDescription = {
		displayName: 'Audience',
		name: 'audience',
		icon: { light: 'file:audience.svg', dark: 'file:audience.dark.svg' },
		group: ['output'],
		// Version 2: one output item per contact, with its fields, so the nodes after it can use them.
		// A version array also keeps n8n from adding its "Custom API Call" operation, which this node
		// cannot run.
		version: [1, 2],
		defaultVersion: 2,
		subtitle: operationSubtitle(platformDescription),
		description: AUDIENCE_APP_DESCRIPTION,
		defaults: { name: 'Audience' },
		usableAsTool: true,
		inputs: [NodeConnectionTypes.Main],
		outputs: [NodeConnectionTypes.Main],
		// `hide`, not `show`: when every Platform value shows exactly one credential, n8n takes
		// Platform for the credential-type selector, hides it and sets it from the credential it picks.
		credentials: [
			{ name: 'batchApi', required: true, displayOptions: { hide: { resource: ['batchCustomAudience', 'commBox'] } } },
			{ name: 'batchCustomAudienceApi', required: true, displayOptions: { hide: { resource: ['batch', 'commBox'] } } },
			{ name: 'commBoxApi', required: true, displayOptions: { hide: { resource: ['batch', 'batchCustomAudience'] } } },
		],
		properties: platformDescription,
	};

	methods = { listSearch };

	async execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
		return await route.call(this);
	}
}
