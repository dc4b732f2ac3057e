import type { INodeProperties } from 'n8n-workflow';
import type { OperationModule } from '../shared/types';
import * as checkIndexing from './checkIndexing.operation';
import * as create from './create.operation';
import * as remove from './delete.operation';
import * as get from './get.operation';
import * as getMany from './getMany.operation';
import * as replace from './replace.operation';
import * as update from './update.operation';

export const operations: Record<string, OperationModule> = {
	update,
	replace,
	checkIndexing,
	create,
	delete: remove,
	get,
	getMany,
};

export const description: INodeProperties[] = [
	{
		displayName: 'Operation',
		name: 'operation',
		type: 'options',
		noDataExpression: true,
		displayOptions: { show: { resource: ['batch'] } },
		options: [
			{
				name: 'Check Indexing',
				value: 'checkIndexing',
				description: 'Get the indexing state of a write (APPLIED when done), optionally waiting for it',
				action: 'Check indexing of an audience write',
			},
			{
				name: 'Create',
				value: 'create',
				description: 'Create an audience',
				action: 'Create an audience',
			},
			{
				name: 'Delete',
				value: 'delete',
				description: 'Delete an audience',
				action: 'Delete an audience',
			},
			{
				name: 'Get',
				value: 'get',
				description: 'Get an audience with its size and indexing state',
				action: 'Get an audience',
			},
			{
				name: 'Get Many',
				value: 'getMany',
				description: 'List the audiences of the project',
				action: 'Get many audiences',
			},
			{
				name: 'Replace',
				value: 'replace',
				description: 'Replace all members of an audience with the incoming items',
				action: 'Replace audience members',
			},
			{
				name: 'Update',
				value: 'update',
				description: 'Add or remove the incoming items as audience members',
				action: 'Update audience members',
			},
		],
		default: 'update',
	},
	...update.description,
	...replace.description,
	...checkIndexing.description,
	...create.description,
	...remove.description,
	...get.description,
	...getMany.description,
];
