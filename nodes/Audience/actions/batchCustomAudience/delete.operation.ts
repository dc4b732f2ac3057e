import type { IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';
import { updateDisplayOptions } from 'n8n-workflow';
import { deleteCustomAudience } from '../../transport/customAudience';
import { audienceLocator, readOptions } from '../shared/fields';
import { audienceNameOf } from '../shared/audienceName';
import { forEachItem } from '../shared/perItem';
import { requestPolicy } from '../../transport/requestPolicy';

const properties: INodeProperties[] = [
	audienceLocator({ searchListMethod: 'searchCustomAudiences', purpose: 'delete' }),
	readOptions,
];

const displayOptions = { show: { resource: ['batchCustomAudience'], operation: ['delete'] } };

export const description = updateDisplayOptions(displayOptions, properties);

/** DELETE `/custom-audience/{name}`: the whole audience; members are removed with Update instead. */
export async function execute(this: IExecuteFunctions, items: INodeExecutionData[]): Promise<INodeExecutionData[]> {
	const policy = requestPolicy(this, this.getNodeParameter('options', 0, {}) as { maxRetries?: number });
	return await forEachItem.call(this, items, async (itemIndex) => {
		const name = audienceNameOf.call(this, itemIndex);
		await deleteCustomAudience.call(this, name, policy);
		return { audience: name, deleted: true };
	});
}
