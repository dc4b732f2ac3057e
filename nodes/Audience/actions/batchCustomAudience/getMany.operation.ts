import type { IDataObject, IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';
import { listAllCustomAudiences } from '../../transport/customAudience';
import { readOptions } from '../shared/fields';
import { requestPolicy } from '../shared/syncMembers';

const show = { resource: ['batchCustomAudience'], operation: ['getMany'] };

export const description: INodeProperties[] = [
	{
		displayName: 'Return All',
		name: 'returnAll',
		type: 'boolean',
		default: false,
		description: 'Whether to return all results or only up to a given limit',
		displayOptions: { show },
	},
	{
		displayName: 'Limit',
		name: 'limit',
		type: 'number',
		typeOptions: { minValue: 1 },
		default: 50,
		description: 'Max number of results to return',
		displayOptions: { show: { ...show, returnAll: [false] } },
	},
	readOptions(show, false),
];

/** GET `/custom-audience`, newest first, walking the offset pages (`from`, at most 100 a page). */
export async function execute(this: IExecuteFunctions, items: INodeExecutionData[]): Promise<INodeExecutionData[]> {
	const output: INodeExecutionData[] = [];
	for (let itemIndex = 0; itemIndex < items.length; itemIndex++) {
		const returnAll = this.getNodeParameter('returnAll', itemIndex) as boolean;
		const limit = returnAll ? Infinity : (this.getNodeParameter('limit', itemIndex) as number);
		const policy = requestPolicy(this.getNodeParameter('options', itemIndex, {}) as IDataObject);
		const audiences = await listAllCustomAudiences.call(this, limit, policy);
		output.push(...audiences.map((audience) => ({ json: { ...audience }, pairedItem: { item: itemIndex } })));
	}
	return output;
}
