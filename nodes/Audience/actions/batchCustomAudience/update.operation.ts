import type { IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';
import { actionField, attributeFields, AUDIENCE_PURPOSE, audienceLocator, syncOptions, userIdField } from '../shared/fields';
import { syncMembers } from '../shared/sync/syncMembers';
import { tagsField, withIdType } from './fields';
import { customAudienceSyncTarget } from './syncTarget';

const show = { resource: ['batchCustomAudience'], operation: ['update'] };

export const description: INodeProperties[] = [
	audienceLocator(show, 'searchCustomAudiences', AUDIENCE_PURPOSE.write),
	actionField(show),
	userIdField(show, customAudienceSyncTarget.idField),
	...attributeFields(show),
	tagsField(show),
	withIdType(syncOptions(show, false)),
];

/** PATCH `/custom-audience/{name}`: add or remove members, at most 10,000 per request. */
export async function execute(this: IExecuteFunctions, items: INodeExecutionData[]): Promise<INodeExecutionData[]> {
	return await syncMembers.call(this, items, customAudienceSyncTarget, 'update');
}
