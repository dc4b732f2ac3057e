import type { IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';
import { updateDisplayOptions } from 'n8n-workflow';
import { viewCustomAudience } from '../../transport/customAudience';
import { checkIndexing } from '../shared/checkIndexing';
import { audienceLocator, checkIndexingOptions, indexingTokenField } from '../shared/fields';

const properties: INodeProperties[] = [
	audienceLocator({ searchListMethod: 'searchCustomAudiences', purpose: 'check' }),
	indexingTokenField,
	checkIndexingOptions,
];

const displayOptions = { show: { resource: ['batchCustomAudience'], operation: ['checkIndexing'] } };

export const description = updateDisplayOptions(displayOptions, properties);

/** GET `/custom-audience/{name}?indexing_token=`. */
export async function execute(this: IExecuteFunctions, items: INodeExecutionData[]): Promise<INodeExecutionData[]> {
	return await checkIndexing.call(this, items, viewCustomAudience);
}
