import type { INodeProperties } from 'n8n-workflow';
import type { OperationModule } from '../shared/types';
import * as checkIndexing from './checkIndexing.operation';
import * as remove from './delete.operation';
import * as getMany from './getMany.operation';
import * as replace from './replace.operation';
import * as update from './update.operation';

export const operations: Record<string, OperationModule> = {
	update,
	replace,
	checkIndexing,
	delete: remove,
	getMany,
};

export const description: INodeProperties[] = [
	{
		displayName: 'Operation',
		name: 'operation',
		type: 'options',
		noDataExpression: true,
		displayOptions: { show: { resource: ['batchCustomAudience'] } },
		options: [
			{
				name: 'Check Indexing',
				value: 'checkIndexing',
				description: 'Get the indexing state of a write (APPLIED when done), optionally waiting for it',
				action: 'Check indexing of a custom audience write',
			},
			{
				name: 'Delete',
				value: 'delete',
				description: 'Delete a custom audience',
				action: 'Delete a custom audience',
			},
			{
				name: 'Get Many',
				value: 'getMany',
				description: 'List the custom audiences of the app',
				action: 'Get many custom audiences',
			},
			{
				name: 'Replace',
				value: 'replace',
				description: 'Replace all members of a custom audience with the incoming items',
				action: 'Replace custom audience members',
			},
			{
				name: 'Update',
				value: 'update',
				description: 'Add or remove the incoming items as members, with attributes and tags',
				action: 'Update custom audience members',
			},
		],
		default: 'update',
	},
	...update.description,
	...replace.description,
	...checkIndexing.description,
	...remove.description,
	...getMany.description,
];
