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
		const missing = sorted.flatMap((item) => item.message.split('\n')).find((problem) => problem.startsWith('missing '));
		throw new NodeOperationError(this.getNode(), `${describeInvalidItem(first)}${more}. Nothing was sent.`, {
			itemIndex: first.itemIndex,
			description: [...listed, ...(missing ? [whereItemsComeFrom(this, missing.slice('missing '.length).split(':')[0])] : [])].join('\n'),
		});
	}
	return sorted.map((item) => errorItem(describeInvalidItem(item), item.itemIndex, 'notSent'));
}

/**
 * When items lack a field: which node they come from and what fields they have, and how to map a
 * field from an earlier node (its items keep their link to the ones this node received).
 */
function whereItemsComeFrom(ctx: IExecuteFunctions, field: string): string {
	const previous = ctx.getInputSourceData()?.previousNode;
	const fields = Object.keys(ctx.getInputData()[0]?.json ?? {}).slice(0, 10);
	const from = previous ? `The items this node received come from "${previous}"` : 'The items this node received';
	return (
		`${from}; the first has the fields ${fields.length ? fields.map((name) => `"${name}"`).join(', ') : '(none)'}. ` +
		`If the ${field} is on an earlier node, map it from there with an expression such as {{ $('Earlier Node').item.json.${field} }}.`
	);
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
