import type { IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';
import { attributeFields, AUDIENCE_PURPOSE, audienceLocator, syncOptions, userIdField } from '../shared/fields';
import { syncMembers } from '../shared/sync/syncMembers';
import { batchSyncTarget } from './syncTarget';

const show = { resource: ['batch'], operation: ['replace'] };

export const description: INodeProperties[] = [
	audienceLocator(show, 'searchBatchAudiences', AUDIENCE_PURPOSE.write),
	userIdField(show, batchSyncTarget.idField),
	...attributeFields(show),
	syncOptions(show, true),
];

export async function execute(this: IExecuteFunctions, items: INodeExecutionData[]): Promise<INodeExecutionData[]> {
	return await syncMembers.call(this, items, batchSyncTarget, 'replace');
}
