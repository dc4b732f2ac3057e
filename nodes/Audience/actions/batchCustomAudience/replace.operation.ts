import type { IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';
import { updateDisplayOptions } from 'n8n-workflow';
import { attributeFields, audienceLocator, userIdField } from '../shared/fields';
import { syncMembers } from '../shared/sync/syncMembers';
import { customAudienceReplaceOptions, tagsField } from './fields';
import { customAudienceSyncTarget } from './syncTarget';

const properties: INodeProperties[] = [
	audienceLocator({ searchListMethod: 'searchCustomAudiences', purpose: 'write' }),
	userIdField({ displayName: customAudienceSyncTarget.idField }),
	...attributeFields,
	tagsField,
	customAudienceReplaceOptions,
];

const displayOptions = { show: { resource: ['batchCustomAudience'], operation: ['replace'] } };

export const description = updateDisplayOptions(displayOptions, properties);

/** PUT `/custom-audience/{name}`; more than 10,000 members: PUT, then PATCH the rest once applied. */
export async function execute(this: IExecuteFunctions, items: INodeExecutionData[]): Promise<INodeExecutionData[]> {
	return await syncMembers.call(this, items, customAudienceSyncTarget, 'replace');
}
