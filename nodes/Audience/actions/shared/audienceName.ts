import type { IExecuteFunctions } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';
import { itemNumber, validateAudienceName } from '../../engine';

/** The audience of one item, checked against the API's name rule before any request. */
export function audienceNameOf(this: IExecuteFunctions, itemIndex: number, parameter = 'audience'): string {
	const name = String(this.getNodeParameter(parameter, itemIndex, '', { extractValue: true }) ?? '').trim();
	const problem = validateAudienceName(name);
	if (problem) throw new NodeOperationError(this.getNode(), `Item ${itemNumber(itemIndex)}: ${problem}`, { itemIndex });
	return name;
}
