import type { IExecuteFunctions, INodeExecutionData } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';
import { describeInvalidItem, type InvalidItem, type RequestOutcome } from '../../engine';

const LISTED_IN_DESCRIPTION = 50;

/**
 * Invalid items: without "continue on fail" the node stops before sending anything, naming the
 * first invalid item; with it, each becomes an error item paired to its input (n8n routes these to
 * the error output when that is enabled).
 */
export function invalidItemsOutput(this: IExecuteFunctions, invalid: InvalidItem[]): INodeExecutionData[] {
	if (invalid.length === 0) return [];
	const sorted = [...invalid].sort((a, b) => a.itemIndex - b.itemIndex);
	if (!this.continueOnFail()) {
		const [first] = sorted;
		const more = sorted.length > 1 ? ` (and ${sorted.length - 1} more invalid items)` : '';
		const listed = sorted.slice(0, LISTED_IN_DESCRIPTION).map(describeInvalidItem);
		if (sorted.length > LISTED_IN_DESCRIPTION) listed.push(`… ${sorted.length - LISTED_IN_DESCRIPTION} more`);
		throw new NodeOperationError(this.getNode(), `${describeInvalidItem(first)}${more}. Nothing was sent.`, {
			itemIndex: first.itemIndex,
			description: listed.join('\n'),
		});
	}
	return sorted.map((item) => errorItem(describeInvalidItem(item), item.itemIndex, 'notSent'));
}

/**
 * An error item paired to its inputs, its message naming the item, and with `outcome` what became
 * of it: `details.outcome` is `refused` (the API said no, or it was never sent: `details.sent` false)
 * or `unknown` (it may have been applied). Its json holds `error` and `details` only: n8n sends an
 * item to the error output only then (and merges the paired input item into it).
 */
export function errorItem(message: string, itemIndexes: number | number[], outcome?: Exclude<RequestOutcome, 'accepted'>): INodeExecutionData {
	const indexes = Array.isArray(itemIndexes) ? itemIndexes : [itemIndexes];
	const details = outcome && { outcome: outcome === 'unknown' ? 'unknown' : 'refused', sent: outcome !== 'notSent' };
	return { json: details ? { error: message, details } : { error: message }, pairedItem: indexes.map((item) => ({ item })) };
}

/** For sorting output items by the first input item each is paired to. */
export function byFirstPairedItem(a: INodeExecutionData, b: INodeExecutionData): number {
	return firstPairedItem(a) - firstPairedItem(b);
}

function firstPairedItem(item: INodeExecutionData): number {
	const pair = Array.isArray(item.pairedItem) ? item.pairedItem[0] : item.pairedItem;
	return typeof pair === 'object' && pair ? pair.item : 0;
}
