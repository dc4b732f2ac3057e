import type { IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';
import { viewCustomAudience } from '../../transport/customAudience';
import { checkIndexing } from '../shared/checkIndexing';
import { AUDIENCE_PURPOSE, CHECK_AUDIENCE_HINT, audienceLocator, indexingTokenField, readOptions } from '../shared/fields';

const show = { resource: ['batchCustomAudience'], operation: ['checkIndexing'] };

const audience = audienceLocator(show, 'searchCustomAudiences', AUDIENCE_PURPOSE.check);
// Chained after Update or Replace, the audience comes from their output.
audience.default = { mode: 'name', value: '={{ $json.audience }}' };
audience.hint = CHECK_AUDIENCE_HINT;

export const description: INodeProperties[] = [audience, indexingTokenField(show), readOptions(show, true)];

/** GET `/custom-audience/{name}?indexing_token=`. */
export async function execute(this: IExecuteFunctions, items: INodeExecutionData[]): Promise<INodeExecutionData[]> {
	return await checkIndexing.call(this, items, viewCustomAudience);
}
