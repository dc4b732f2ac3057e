import type { INodeProperties } from 'n8n-workflow';
import type { OperationModule } from '../shared/types';
import * as createStatic from './createStatic.operation';
import * as getMany from './getMany.operation';
import * as replaceStatic from './replaceStatic.operation';

export const operations: Record<string, OperationModule> = { replaceStatic, createStatic, getMany };

export const description: INodeProperties[] = [
	{
		displayName: 'Operation',
		name: 'operation',
		type: 'options',
		noDataExpression: true,
		displayOptions: { show: { resource: ['commBox'] } },
		options: [
			{
				name: 'Create Static',
				value: 'createStatic',
				description: 'Create a Static audience from the incoming items or a CSV/XLSX file',
				action: 'Create a static audience',
			},
			{
				name: 'Get Many',
				value: 'getMany',
				description: 'List the audiences of the account',
				action: 'Get many audiences',
			},
			{
				name: 'Replace Static',
				value: 'replaceStatic',
				description: 'Replace every customer of a Static audience with the incoming items or a CSV/XLSX file',
				action: 'Replace a static audience',
			},
		],
		default: 'replaceStatic',
	},
	...replaceStatic.description,
	...createStatic.description,
	...getMany.description,
];
