import type { IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';
import { viewAudience } from '../../transport/batch';
import { checkIndexing } from '../shared/checkIndexing';
import { AUDIENCE_PURPOSE, CHECK_AUDIENCE_HINT, audienceLocator, indexingTokenField, readOptions } from '../shared/fields';

const show = { resource: ['batch'], operation: ['checkIndexing'] };

const audience = audienceLocator(show, 'searchBatchAudiences', AUDIENCE_PURPOSE.check);
// Chained after Update or Replace, the audience comes from their output.
audience.default = { mode: 'name', value: '={{ $json.audience }}' };
audience.hint = CHECK_AUDIENCE_HINT;

export const description: INodeProperties[] = [audience, indexingTokenField(show), readOptions(show, true)];

export async function execute(this: IExecuteFunctions, items: INodeExecutionData[]): Promise<INodeExecutionData[]> {
	return await checkIndexing.call(this, items, viewAudience);
}
