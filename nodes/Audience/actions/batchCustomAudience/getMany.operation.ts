import type { IDataObject, IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';
import { updateDisplayOptions } from 'n8n-workflow';
import { listAllCustomAudiences } from '../../transport/customAudience';
import { limitOf, readOptions, returnAllFields } from '../shared/fields';
import { forEachItem } from '../shared/perItem';
import { requestPolicy } from '../../transport/requestPolicy';

const properties: INodeProperties[] = [
	...returnAllFields,
	readOptions,
];

const displayOptions = { show: { resource: ['batchCustomAudience'], operation: ['getMany'] } };

export const description = updateDisplayOptions(displayOptions, properties);

/** GET `/custom-audience`, newest first, walking the offset pages (`from`, at most 100 a page). */
export async function execute(this: IExecuteFunctions, items: INodeExecutionData[]): Promise<INodeExecutionData[]> {
	return await forEachItem.call(this, items, async (itemIndex) => {
		const policy = requestPolicy(this, this.getNodeParameter('options', itemIndex, {}) as IDataObject);
		const audiences = await listAllCustomAudiences.call(this, limitOf(this, itemIndex), policy);
		return audiences.map((audience) => ({ ...audience }));
	});
}
