import type { IDataObject, IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';
import { isStatic, listAudiences } from '../../transport/commBox';
import { readOptions } from '../shared/fields';
import { errorItem } from '../shared/itemErrors';
import { requestPolicy } from '../shared/syncMembers';

const show = { resource: ['commBox'], operation: ['getMany'] };

export const description: INodeProperties[] = [
	{
		displayName: 'Type',
		name: 'audienceType',
		type: 'options',
		options: [
			{ name: 'All', value: 'all' },
			{ name: 'Dynamic', value: 'dynamic', description: 'Audiences CommBox computes from rules (cannot be replaced)' },
			{ name: 'Static', value: 'static', description: 'Audiences holding the customers of an uploaded file' },
		],
		default: 'all',
		description: 'Which audiences to return',
		displayOptions: { show },
	},
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

/** CommBox returns every audience in one response; type and limit are applied here. */
export async function execute(this: IExecuteFunctions, items: INodeExecutionData[]): Promise<INodeExecutionData[]> {
	const output: INodeExecutionData[] = [];
	for (let itemIndex = 0; itemIndex < items.length; itemIndex++) {
		try {
			const type = this.getNodeParameter('audienceType', itemIndex, 'all') as string;
			const returnAll = this.getNodeParameter('returnAll', itemIndex) as boolean;
			const limit = returnAll ? Infinity : (this.getNodeParameter('limit', itemIndex) as number);
			const policy = requestPolicy(this.getNodeParameter('options', itemIndex, {}) as IDataObject);
			const audiences = (await listAudiences.call(this, policy))
				.filter((audience) => type === 'all' || (type === 'static') === isStatic(audience))
				.slice(0, limit);
			for (const audience of audiences) output.push({ json: { ...audience }, pairedItem: { item: itemIndex } });
		} catch (error) {
			if (!this.continueOnFail()) throw error;
			output.push(errorItem((error as Error).message, itemIndex));
		}
	}
	return output;
}
