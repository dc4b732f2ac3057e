import type { IDataObject, IExecuteFunctions, INodeExecutionData } from 'n8n-workflow';
import { executionCancelSignal, isStopped } from '../../transport/cancellation';
import { outcomeOf } from '../../transport/request';
import { errorItem } from './itemErrors';
import { asNodeError } from './nodeError';

/**
 * Runs an operation once per input item: outputs are paired to their item; a failure stops the
 * node naming the item, or becomes an error item under "continue on fail".
 */
export async function forEachItem(
	this: IExecuteFunctions,
	items: INodeExecutionData[],
	run: (itemIndex: number) => Promise<IDataObject | IDataObject[]>,
): Promise<INodeExecutionData[]> {
	const output: INodeExecutionData[] = [];
	for (let itemIndex = 0; itemIndex < items.length; itemIndex++) {
		try {
			const result = await run(itemIndex);
			for (const json of Array.isArray(result) ? result : [result]) output.push({ json, pairedItem: { item: itemIndex } });
		} catch (error) {
			if (this.continueOnFail() && !isStopped(error, executionCancelSignal(this))) {
				output.push(errorItem((error as Error).message, itemIndex, outcomeOf(error)));
				continue;
			}
			throw asNodeError(this.getNode(), error, itemIndex);
		}
	}
	return output;
}
