import type { IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';
import { updateDisplayOptions } from 'n8n-workflow';
import { removeAudience } from '../../transport/batch';
import { indexingTokenOf } from '../shared/sync/target';
import { audienceLocator, readOptions } from '../shared/fields';
import { audienceNameOf } from '../shared/audienceName';
import { forEachItem } from '../shared/perItem';
import { requestPolicy } from '../../transport/requestPolicy';

const properties: INodeProperties[] = [
	audienceLocator({ searchListMethod: 'searchBatchAudiences', purpose: 'delete' }),
	readOptions,
];

const displayOptions = { show: { resource: ['batch'], operation: ['delete'] } };

export const description = updateDisplayOptions(displayOptions, properties);

/** Batch's `remove` route deletes the whole audience; members are removed with Update instead. */
export async function execute(this: IExecuteFunctions, items: INodeExecutionData[]): Promise<INodeExecutionData[]> {
	const policy = requestPolicy(this, this.getNodeParameter('options', 0, {}) as { maxRetries?: number });
	return await forEachItem.call(this, items, async (itemIndex) => {
		const name = audienceNameOf.call(this, itemIndex);
		const token = indexingTokenOf(await removeAudience.call(this, name, policy));
		return { audience: name, deleted: true, indexingToken: token ?? null };
	});
}
