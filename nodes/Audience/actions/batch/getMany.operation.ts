import type { IDataObject, IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';
import { listAudiences } from '../../transport/batch';
import { readOptions } from '../shared/fields';
import { requestPolicy } from '../shared/syncMembers';

const show = { resource: ['batch'], operation: ['getMany'] };

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

const PAGE_SIZE = 100;

/** Walks the cursor pages (`next_from`) until Return All is satisfied or the limit is reached. */
export async function execute(this: IExecuteFunctions, items: INodeExecutionData[]): Promise<INodeExecutionData[]> {
	const output: INodeExecutionData[] = [];
	for (let itemIndex = 0; itemIndex < items.length; itemIndex++) {
		const returnAll = this.getNodeParameter('returnAll', itemIndex) as boolean;
		const limit = returnAll ? Infinity : (this.getNodeParameter('limit', itemIndex) as number);
		const policy = requestPolicy(this.getNodeParameter('options', itemIndex, {}) as IDataObject);
		let from: string | undefined;
		let count = 0;
		do {
			const page = await listAudiences.call(this, { from, limit: Math.min(PAGE_SIZE, limit - count) }, policy);
			for (const audience of page.audiences ?? []) {
				if (count >= limit) break;
				output.push({ json: { ...audience }, pairedItem: { item: itemIndex } });
				count++;
			}
			from = page.has_more ? page.next_from : undefined;
		} while (from && count < limit);
	}
	return output;
}
