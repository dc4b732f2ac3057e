import type { INodeProperties } from 'n8n-workflow';
import type { OperationModule } from '../shared/types';
import * as getMany from './getMany.operation';
import * as replace from './replace.operation';
import * as update from './update.operation';

export const operations: Record<string, OperationModule> = { update, replace, getMany };

export const description: INodeProperties[] = [
	{
		displayName: 'Operation',
		name: 'operation',
		type: 'options',
		noDataExpression: true,
		displayOptions: { show: { resource: ['batch'] } },
		options: [
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
	...getMany.description,
];
