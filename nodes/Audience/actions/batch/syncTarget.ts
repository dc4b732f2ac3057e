import { replaceAudience, updateAudience, viewAudience } from '../../transport/batch';
import { indexingTokenOf, type MemberSyncTarget } from '../shared/sync/target';

/** Batch project API 2.x as the target of Update and Replace. */
export const batchSyncTarget: MemberSyncTarget = {
	platform: 'Batch',
	credentialType: 'batchApi',
	idField: 'Custom User ID',
	withTags: false,
	async send(request, policy) {
		const write = request.operation === 'replace' ? replaceAudience : updateAudience;
		return indexingTokenOf(await write.call(this, request.audience, request.members, policy));
	},
	async view(audience, token, policy) {
		return await viewAudience.call(this, audience, token, policy);
	},
	async currentSize(audience, policy) {
		return (await viewAudience.call(this, audience, undefined, policy)).nb_ids ?? 0;
	},
};
