import type { IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';
import { updateDisplayOptions } from 'n8n-workflow';
import { type CommBoxAudience, createStaticAudience, listAudiences } from '../../transport/commBox';
import { createdSince, createOutcomeUnknown, mayHaveBeenCreated, notCreated } from '../shared/reconcileCreate';
import { createStaticOptions, fileSourceFields } from './fields';
import { sameForAllItems, uploadAudienceFile } from './upload';
import { asNodeError } from '../shared/nodeError';

const properties: INodeProperties[] = [
	{
		displayName: 'Audience Name',
		name: 'name',
		type: 'string',
		default: '',
		required: true,
		placeholder: 'e.g. NE_USA-above50',
		description: 'Name of the new audience (CommBox allows two audiences with the same name)',
	},
	...fileSourceFields,
	createStaticOptions,
];

const displayOptions = { show: { resource: ['commBox'], operation: ['createStatic'] } };

export const description = updateDisplayOptions(displayOptions, properties);

export async function execute(this: IExecuteFunctions, items: INodeExecutionData[]): Promise<INodeExecutionData[]> {
	const name = sameForAllItems.call(this, items, 'name', 'audience name');
	return await uploadAudienceFile.call(this, items, {
		operation: 'createStatic',
		audience: { audienceId: null, name },
		emptyEffect: `the new CommBox audience "${name}" would be empty`,
		allowEmptyOption: 'Allow Empty Audience',
		async send(upload, policy) {
			const startedAt = Date.now();
			try {
				return await createStaticAudience.call(this, name, upload, policy);
			} catch (error) {
				if (!mayHaveBeenCreated(error)) throw asNodeError(this.getNode(), error);
				// CommBox allows duplicate names: only an audience of that name created during this request counts.
				let audiences: CommBoxAudience[];
				try {
					audiences = await listAudiences.call(this, policy);
				} catch (lookupError) {
					throw createOutcomeUnknown(error, name, 'CommBox', lookupError);
				}
				const created = audiences.filter((audience) => audience.name === name && createdSince(audience.created_time, startedAt));
				if (created.length === 1) {
					return { status: 201, description: 'Audience created (the response was lost; found by name)', data: { id: created[0].id } };
				}
				throw notCreated(
					error,
					created.length === 0
						? `no audience "${name}" was created, so running again is safe.`
						: `${created.length} audiences named "${name}" were created just now (ids ${created.map((a) => a.id).join(', ')}); check them before running again.`,
					created.length > 0,
				);
			}
		},
	});
}
