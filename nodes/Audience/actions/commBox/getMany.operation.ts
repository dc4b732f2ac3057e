import type { IDataObject, IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';
import { updateDisplayOptions } from 'n8n-workflow';
import { isStatic, listAudiences } from '../../transport/commBox';
import { limitOf, readOptions, returnAllFields } from '../shared/fields';
import { forEachItem } from '../shared/perItem';
import { requestPolicy } from '../../transport/requestPolicy';

const properties: INodeProperties[] = [
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
	},
	...returnAllFields,
	readOptions,
];

const displayOptions = { show: { resource: ['commBox'], operation: ['getMany'] } };

export const description = updateDisplayOptions(displayOptions, properties);

/** CommBox returns every audience in one response; type and limit are applied here. */
export async function execute(this: IExecuteFunctions, items: INodeExecutionData[]): Promise<INodeExecutionData[]> {
	return await forEachItem.call(this, items, async (itemIndex) => {
		const type = this.getNodeParameter('audienceType', itemIndex, 'all') as string;
		const policy = requestPolicy(this, this.getNodeParameter('options', itemIndex, {}) as IDataObject);
		return (await listAudiences.call(this, policy))
			.filter((audience) => type === 'all' || (type === 'static') === isStatic(audience))
			.slice(0, limitOf(this, itemIndex))
			.map((audience) => ({ ...audience }));
	});
}
