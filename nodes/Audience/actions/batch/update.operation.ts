import type { IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';
import { updateDisplayOptions } from 'n8n-workflow';
import { actionField, attributeFields, audienceLocator, sendModeField, updateOptions, userIdField } from '../shared/fields';
import { syncMembers } from '../shared/sync/syncMembers';
import { batchSyncTarget } from './syncTarget';

const properties: INodeProperties[] = [
	audienceLocator({ searchListMethod: 'searchBatchAudiences', purpose: 'write' }),
	sendModeField,
	actionField,
	userIdField({ displayName: batchSyncTarget.idField }),
	...attributeFields,
	updateOptions,
];

const displayOptions = { show: { resource: ['batch'], operation: ['update'] } };

export const description = updateDisplayOptions(displayOptions, properties);

export async function execute(this: IExecuteFunctions, items: INodeExecutionData[]): Promise<INodeExecutionData[]> {
	return await syncMembers.call(this, items, batchSyncTarget, 'update');
}
