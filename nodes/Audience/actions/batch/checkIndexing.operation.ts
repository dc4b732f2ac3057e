import type { IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';
import { updateDisplayOptions } from 'n8n-workflow';
import { viewAudience } from '../../transport/batch';
import { checkIndexing } from '../shared/checkIndexing';
import { audienceLocator, checkIndexingOptions, indexingTokenField } from '../shared/fields';

const properties: INodeProperties[] = [
	audienceLocator({ searchListMethod: 'searchBatchAudiences', purpose: 'check' }),
	indexingTokenField,
	checkIndexingOptions,
];

const displayOptions = { show: { resource: ['batch'], operation: ['checkIndexing'] } };

export const description = updateDisplayOptions(displayOptions, properties);

export async function execute(this: IExecuteFunctions, items: INodeExecutionData[]): Promise<INodeExecutionData[]> {
	return await checkIndexing.call(this, items, viewAudience);
}
