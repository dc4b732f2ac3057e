import type { IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';
import { actionField, attributeFields, AUDIENCE_PURPOSE, audienceLocator, syncOptions, userIdField } from '../shared/fields';
import { syncMembers } from '../shared/sync/syncMembers';
import { batchSyncTarget } from './syncTarget';

const show = { resource: ['batch'], operation: ['update'] };

export const description: INodeProperties[] = [
	audienceLocator(show, 'searchBatchAudiences', AUDIENCE_PURPOSE.write),
	actionField(show),
	userIdField(show, batchSyncTarget.idField),
	...attributeFields(show),
	syncOptions(show, false),
];

export async function execute(this: IExecuteFunctions, items: INodeExecutionData[]): Promise<INodeExecutionData[]> {
	return await syncMembers.call(this, items, batchSyncTarget, 'update');
}
