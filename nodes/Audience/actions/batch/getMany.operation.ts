import type { IDataObject, IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';
import { listAudiences } from '../../transport/batch';
import { limitOf, readOptions, returnAllFields } from '../shared/fields';
import { forEachItem } from '../shared/perItem';
import { requestPolicy } from '../shared/syncMembers';

const show = { resource: ['batch'], operation: ['getMany'] };

export const description: INodeProperties[] = [
	...returnAllFields(show),
	readOptions(show, false),
];

const PAGE_SIZE = 100;

/** Walks the cursor pages (`next_from`) until Return All is satisfied or the limit is reached. */
export async function execute(this: IExecuteFunctions, items: INodeExecutionData[]): Promise<INodeExecutionData[]> {
	return await forEachItem.call(this, items, async (itemIndex) => {
		const limit = limitOf(this, itemIndex);
		const policy = requestPolicy(this.getNodeParameter('options', itemIndex, {}) as IDataObject);
		const audiences: IDataObject[] = [];
		let from: string | undefined;
		do {
			const page = await listAudiences.call(this, { from, limit: Math.min(PAGE_SIZE, limit - audiences.length) }, policy);
			audiences.push(...(page.audiences ?? []).slice(0, limit - audiences.length).map((audience) => ({ ...audience })));
			from = page.has_more ? page.next_from : undefined;
		} while (from && audiences.length < limit);
		return audiences;
	});
}
