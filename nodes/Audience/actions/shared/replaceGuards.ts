import type { INode } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';
import { count } from '../../engine';

/**
 * Guards of every Replace (Batch, legacy, CommBox): an empty input never wipes an audience, and a
 * replace never shrinks an audience below a share of its current size (50% unless changed), so an
 * upstream field renamed overnight cannot leave 1 member out of 1,000.
 */
export const DEFAULT_MINIMUM_SHARE = 50;
export const MINIMUM_SHARE_OPTION = 'Minimum Share of Current Size (%)';
const HOW_TO_ALLOW = `to allow it, lower "${MINIMUM_SHARE_OPTION}" in the node's options (0 turns this guard off)`;

export function minimumShareOf(options: { minimumShare?: number }): number {
	return options.minimumShare ?? DEFAULT_MINIMUM_SHARE;
}

/** The refusal of a replace leaving `next` members where there are `current`, or undefined when allowed. */
export function shrinkRefusal(node: INode, audience: string, current: number, next: number, share: number): NodeOperationError | undefined {
	if (share <= 0 || next >= (current * share) / 100) return undefined;
	return new NodeOperationError(
		node,
		`Replace refused: ${audience} would shrink from ${current} to ${next} members, below the minimum share of ${share}%. Nothing was sent; ${HOW_TO_ALLOW}.`,
		{ description: `The guard compares the members this run would send with the audience's current size. ${capitalizeFirst(HOW_TO_ALLOW)}.` },
	);
}

/**
 * Mirror's guard: the refusal of removing `removed` of the `tracked` members earlier runs sent
 * (an upstream filter that broke), or undefined when allowed.
 */
export function mirrorRefusal(node: INode, audience: string, tracked: number, removed: number, share: number): NodeOperationError | undefined {
	const left = tracked - removed;
	if (share <= 0 || removed === 0 || left >= (tracked * share) / 100) return undefined;
	return new NodeOperationError(
		node,
		`Mirror refused: ${audience} would lose ${count(removed)} of its ${count(tracked)} members (they are missing from the input), leaving ${count(left)}, below the minimum share of ${share}%. Nothing was sent; ${HOW_TO_ALLOW}.`,
		{ description: `If the input is complete and these members really left, ${HOW_TO_ALLOW}, then run again.` },
	);
}

/**
 * Where the current size is unknown: the refusal of a replace built from fewer than `share`% of
 * the input items (the others being invalid), or undefined when allowed.
 */
export function invalidShareRefusal(node: INode, audience: string, valid: number, items: number, share: number): NodeOperationError | undefined {
	if (share <= 0 || items === 0 || valid >= (items * share) / 100) return undefined;
	return new NodeOperationError(
		node,
		`Replace refused: only ${count(valid)} of ${count(items)} input items are valid, below the minimum share of ${share}%, so ${audience} would lose most of its members. Nothing was sent; ${HOW_TO_ALLOW}.`,
		{ description: `The audience's current size is unknown, so the guard compares the valid items with all input items. ${capitalizeFirst(HOW_TO_ALLOW)}.` },
	);
}

function capitalizeFirst(text: string): string {
	return text.charAt(0).toUpperCase() + text.slice(1);
}
