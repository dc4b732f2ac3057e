import type { IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';
import { updateDisplayOptions } from 'n8n-workflow';
import { actionField, attributeFields, audienceLocator, sendModeField, userIdField } from '../shared/fields';
import { syncMembers } from '../shared/sync/syncMembers';
import { customAudienceUpdateOptions, tagsField } from './fields';
import { customAudienceSyncTarget } from './syncTarget';

const properties: INodeProperties[] = [
	audienceLocator({ searchListMethod: 'searchCustomAudiences', purpose: 'write' }),
	sendModeField,
	actionField,
	userIdField({ displayName: customAudienceSyncTarget.idField }),
	...attributeFields,
	tagsField,
	customAudienceUpdateOptions,
];

const displayOptions = { show: { resource: ['batchCustomAudience'], operation: ['update'] } };

export const description = updateDisplayOptions(displayOptions, properties);

/** PATCH `/custom-audience/{name}`: add or remove members, at most 10,000 per request. */
export async function execute(this: IExecuteFunctions, items: INodeExecutionData[]): Promise<INodeExecutionData[]> {
	return await syncMembers.call(this, items, customAudienceSyncTarget, 'update');
}
