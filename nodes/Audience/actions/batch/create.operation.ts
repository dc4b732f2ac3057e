import type { IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';
import { updateDisplayOptions } from 'n8n-workflow';
import { type BatchAudience, createAudience, isAudienceNotFound, viewAudience } from '../../transport/batch';
import { readOptions } from '../shared/fields';
import { audienceNameOf } from '../shared/audienceName';
import { forEachItem } from '../shared/perItem';
import { createdSince, createOutcomeUnknown, mayHaveBeenCreated, notCreated } from '../shared/reconcileCreate';
import { indexingTokenOf } from '../shared/sync/target';
import { requestPolicy } from '../../transport/requestPolicy';
import { asNodeError } from '../shared/nodeError';

const properties: INodeProperties[] = [
	{
		displayName: 'Name',
		name: 'name',
		type: 'string',
		default: '',
		required: true,
		placeholder: 'e.g. newsletter_subscribers',
		description: 'Unique name of the audience: letters, digits, _ and - (at most 255 characters)',
	},
	{
		displayName: 'Display Name',
		name: 'displayName',
		type: 'string',
		default: '',
		description: 'Description shown in the Batch dashboard',
	},
	{
		displayName: 'Type',
		name: 'type',
		type: 'options',
		options: [{ name: 'Custom User IDs', value: 'custom_ids' }],
		default: 'custom_ids',
		description:
			'Kind of IDs the audience holds. Batch documents only custom_ids for this API; use an expression for another type.',
	},
	readOptions,
];

const displayOptions = { show: { resource: ['batch'], operation: ['create'] } };

export const description = updateDisplayOptions(displayOptions, properties);

export async function execute(this: IExecuteFunctions, items: INodeExecutionData[]): Promise<INodeExecutionData[]> {
	const policy = requestPolicy(this, this.getNodeParameter('options', 0, {}) as { maxRetries?: number });
	return await forEachItem.call(this, items, async (itemIndex) => {
		const name = audienceNameOf.call(this, itemIndex, 'name');
		const displayName = String(this.getNodeParameter('displayName', itemIndex, '') ?? '');
		const type = String(this.getNodeParameter('type', itemIndex, 'custom_ids'));
		const body = { name, type, ...(displayName ? { display_name: displayName } : {}) };
		const startedAt = Date.now();
		try {
			const token = indexingTokenOf(await createAudience.call(this, body, policy));
			return { audience: name, created: true, indexingToken: token ?? null };
		} catch (error) {
			if (!mayHaveBeenCreated(error)) throw asNodeError(this.getNode(), error);
			let found: BatchAudience | undefined;
			try {
				found = await viewAudience.call(this, name, undefined, policy);
			} catch (lookupError) {
				if (!isAudienceNotFound(lookupError)) throw createOutcomeUnknown(error, name, 'Batch', lookupError);
			}
			if (found && createdSince(found.created, startedAt)) {
				return { audience: name, created: true, indexingToken: null, responseLost: true, indexingState: found.indexing_state ?? null };
			}
			throw notCreated(error, found ? `"${name}" already existed before this run.` : `no audience "${name}" exists, so it was not created; running again is safe.`);
		}
	});
}
