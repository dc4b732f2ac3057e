import type { INode } from 'n8n-workflow';
import { ExecutionBaseError, NodeOperationError } from 'n8n-workflow';

/**
 * What a failed operation hands to n8n: n8n's own errors as they are (a NodeApiError keeps the
 * API's answer, a cancellation stays a cancellation), anything else as a NodeOperationError so n8n
 * shows it on the node. `itemIndex`, when given, names the failing item.
 */
export function asNodeError(node: INode, error: unknown, itemIndex?: number): Error {
	if (error instanceof ExecutionBaseError) {
		if (itemIndex !== undefined && error.context.itemIndex === undefined) error.context.itemIndex = itemIndex;
		return error;
	}
	return new NodeOperationError(node, error as Error, itemIndex === undefined ? {} : { itemIndex });
}
