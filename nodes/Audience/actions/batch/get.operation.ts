import type { IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';
import { viewAudience } from '../../transport/batch';
import { AUDIENCE_PURPOSE, audienceLocator, readOptions } from '../shared/fields';
import { audienceNameOf } from '../shared/audienceName';
import { forEachItem } from '../shared/perItem';
import { requestPolicy } from '../../transport/requestPolicy';

const show = { resource: ['batch'], operation: ['get'] };

export const description: INodeProperties[] = [audienceLocator(show, 'searchBatchAudiences', AUDIENCE_PURPOSE.get), readOptions(show, false)];

export async function execute(this: IExecuteFunctions, items: INodeExecutionData[]): Promise<INodeExecutionData[]> {
	const policy = requestPolicy(this, this.getNodeParameter('options', 0, {}) as { maxRetries?: number });
	return await forEachItem.call(this, items, async (itemIndex) => ({
		...(await viewAudience.call(this, audienceNameOf.call(this, itemIndex), undefined, policy)),
	}));
}
