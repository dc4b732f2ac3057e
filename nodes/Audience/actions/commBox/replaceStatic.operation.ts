import type { IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';
import { NodeApiError, NodeOperationError } from 'n8n-workflow';
import { COMMBOX_AUDIENCE_ID, isStatic, listAudiences, replaceStaticAudience } from '../../transport/commBox';
import type { RequestPolicy } from '../../transport/request';
import { audienceLocator } from '../shared/fields';
import { invalidShareRefusal, minimumShareOf, shrinkRefusal } from '../shared/replaceGuards';
import { fileSourceFields, uploadOptions } from './fields';
import { sameForAllItems, uploadAudienceFile } from './upload';

const show = { resource: ['commBox'], operation: ['replaceStatic'] };

export const description: INodeProperties[] = [
	audienceLocator(show, 'searchCommBoxStaticAudiences', 'The Static audience whose customers are all replaced by the file', false),
	...fileSourceFields(show),
	uploadOptions(show, true),
];

export async function execute(this: IExecuteFunctions, items: INodeExecutionData[]): Promise<INodeExecutionData[]> {
	const audienceId = sameForAllItems.call(this, items, 'audience', 'audience ID');
	if (!COMMBOX_AUDIENCE_ID.test(audienceId)) {
		throw new NodeOperationError(
			this.getNode(),
			`Item 0 gives the audience ID ${JSON.stringify(audienceId)}, which is not a CommBox audience ID (digits only). Nothing was sent.`,
			{ itemIndex: 0, description: 'Pick the audience from the list, or give its numeric ID.' },
		);
	}
	return await uploadAudienceFile.call(this, items, {
		operation: 'replaceStatic',
		audience: { audienceId },
		emptyEffect: `replacing would remove every customer of CommBox audience ${audienceId}`,
		allowEmptyOption: 'Allow Empty Replace',
		async guard(file, policy) {
			// A spreadsheet is sent unread: its row count is unknown, so it cannot be guarded.
			if (file.rows === null) return undefined;
			const share = minimumShareOf(this.getNodeParameter('options', 0, {}) as { minimumShare?: number });
			const label = `CommBox audience ${audienceId}`;
			const current = (await listAudiences.call(this, policy)).find((audience) => audience.id === audienceId)?.user_count;
			if (typeof current === 'number') return shrinkRefusal(this.getNode(), label, current, file.rows, share);
			return invalidShareRefusal(this.getNode(), label, items.length - file.invalid.length, items.length, share);
		},
		async send(upload, policy) {
			try {
				return await replaceStaticAudience.call(this, audienceId, upload, policy);
			} catch (error) {
				throw await explainRefusal.call(this, error as Error, audienceId, policy);
			}
		},
	});
}

/** CommBox answers a bare 400 for a Dynamic audience: the audience list tells whether that was the cause. */
async function explainRefusal(this: IExecuteFunctions, error: Error, audienceId: string, policy: RequestPolicy): Promise<Error> {
	if (!(error instanceof NodeApiError)) return error;
	if (error.httpCode === '404') {
		error.description = `No CommBox audience has the ID "${audienceId}": pick the audience from the list or check the ID.`;
	}
	if (error.httpCode !== '400') return error;
	const audience = await listAudiences.call(this, policy).then(
		(audiences) => audiences.find((candidate) => candidate.id === audienceId),
		() => undefined,
	);
	if (audience && !isStatic(audience)) {
		error.message = `${error.message} (audience ${audienceId} is ${audience.type ?? 'not Static'})`;
		error.description = `Only Static audiences can be replaced: audience ${audienceId} ("${audience.name}") is ${audience.type ?? 'not Static'}. Pick a Static audience, or make one with "Create Static".`;
	}
	return error;
}
