import type { IExecuteFunctions } from 'n8n-workflow';
import {
	customAudienceVersion,
	replaceCustomAudience,
	updateCustomAudience,
	viewCustomAudience,
	type CustomAudienceIds,
	type CustomAudienceIdType,
} from '../../transport/customAudience';
import type { AudienceMember } from '../../engine';
import { indexingTokenOf, type MemberSyncTarget } from '../shared/sync/target';
import { asNodeError } from '../shared/nodeError';
import { httpStatusOf } from '../../transport/request';

/** Legacy Custom Audience API 1.x as the target of Update (PATCH) and Replace (PUT). */
export const customAudienceSyncTarget: MemberSyncTarget = {
	platform: 'Batch Custom Audience API',
	credentialType: 'batchCustomAudienceApi',
	idField: 'Install ID or Custom User ID',
	withTags: true,
	async send(request, policy) {
		const body = await idsBody.call(this, request.members);
		const write = request.operation === 'replace' ? replaceCustomAudience : updateCustomAudience;
		return indexingTokenOf(await write.call(this, request.audience, body, policy));
	},
	async view(audience, token, policy) {
		return await viewCustomAudience.call(this, audience, token, policy);
	},
	/** PUT creates an absent audience: a 404 means there is nothing to shrink. */
	async currentSize(audience, policy) {
		try {
			return (await viewCustomAudience.call(this, audience, undefined, policy)).nb_ids ?? 0;
		} catch (error) {
			if (httpStatusOf(error) === '404') return 0;
			throw asNodeError(this.getNode(), error);
		}
	},
};

/** The docs show `type` only in the 1.0 payloads; the 1.1 payloads (install IDs) have none. */
async function idsBody(this: IExecuteFunctions, ids: AudienceMember[]): Promise<CustomAudienceIds> {
	if ((await customAudienceVersion.call(this)) !== '1.0') return { ids };
	const { idType } = this.getNodeParameter('options', 0, {}) as { idType?: CustomAudienceIdType };
	return { type: idType ?? 'custom_ids', ids };
}
