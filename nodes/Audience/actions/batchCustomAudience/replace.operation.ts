import type { IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';
import { attributeFields, AUDIENCE_PURPOSE, audienceLocator, syncOptions, userIdField } from '../shared/fields';
import { syncMembers } from '../shared/sync/syncMembers';
import { tagsField, withIdType } from './fields';
import { customAudienceSyncTarget } from './syncTarget';

const show = { resource: ['batchCustomAudience'], operation: ['replace'] };

export const description: INodeProperties[] = [
	audienceLocator(show, 'searchCustomAudiences', AUDIENCE_PURPOSE.write),
	userIdField(show, customAudienceSyncTarget.idField),
	...attributeFields(show),
	tagsField(show),
	withIdType(syncOptions(show, true)),
];

/** PUT `/custom-audience/{name}`; more than 10,000 members: PUT, then PATCH the rest once applied. */
export async function execute(this: IExecuteFunctions, items: INodeExecutionData[]): Promise<INodeExecutionData[]> {
	return await syncMembers.call(this, items, customAudienceSyncTarget, 'replace');
}
