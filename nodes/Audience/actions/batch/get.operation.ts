import type { IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';
import { updateDisplayOptions } from 'n8n-workflow';
import { viewAudience } from '../../transport/batch';
import { audienceLocator, readOptions } from '../shared/fields';
import { audienceNameOf } from '../shared/audienceName';
import { forEachItem } from '../shared/perItem';
import { requestPolicy } from '../../transport/requestPolicy';

const properties: INodeProperties[] = [
	audienceLocator({ searchListMethod: 'searchBatchAudiences', purpose: 'get' }),
	readOptions,
];

const displayOptions = { show: { resource: ['batch'], operation: ['get'] } };

export const description = updateDisplayOptions(displayOptions, properties);

export async function execute(this: IExecuteFunctions, items: INodeExecutionData[]): Promise<INodeExecutionData[]> {
	const policy = requestPolicy(this, this.getNodeParameter('options', 0, {}) as { maxRetries?: number });
	return await forEachItem.call(this, items, async (itemIndex) => ({
		...(await viewAudience.call(this, audienceNameOf.call(this, itemIndex), undefined, policy)),
	}));
}
