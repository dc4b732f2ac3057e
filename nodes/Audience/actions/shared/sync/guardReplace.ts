import type { IExecuteFunctions, INodeExecutionData } from 'n8n-workflow';
import { NodeApiError, NodeOperationError } from 'n8n-workflow';
import type { PlannedRequest, SyncPlan } from '../../../engine';
import { isStopped } from '../../../transport/cancellation';
import { outcomeOf } from '../../../transport/request';
import type { RequestPolicy } from '../../../transport/requestPolicy';
import { audienceNameOf } from '../audienceName';
import { asNodeError } from '../nodeError';
import { shrinkRefusal } from '../replaceGuards';
import { requestOutput } from './output';
import { RUN_AGAIN_IS_SAFE } from './statements';
import type { MemberSyncTarget, SyncOptions } from './target';

/** Refuses to touch the audiences when the replace would shrink one below the minimum share. */
export async function guardShrinking(
	this: IExecuteFunctions,
	plan: SyncPlan,
	target: MemberSyncTarget,
	share: number,
	policy: RequestPolicy,
): Promise<Error | undefined> {
	if (share <= 0) return undefined;
	const sizes = new Map<string, number>();
	for (const request of plan.requests) sizes.set(request.audience, (sizes.get(request.audience) ?? 0) + request.members.length);
	for (const [audience, size] of sizes) {
		let current: number;
		try {
			current = await target.currentSize.call(this, audience, policy);
		} catch (error) {
			if (isStopped(error, policy.signal)) throw asNodeError(this.getNode(), error);
			return error as Error;
		}
		const refusal = shrinkRefusal(this.getNode(), `audience "${audience}"`, current, size, share);
		if (refusal) return refusal;
	}
	return undefined;
}

/** Empty input: refused unless "Allow Empty Replace" is on, then the audience is emptied on purpose. */
export async function replaceWithNothing(
	this: IExecuteFunctions,
	items: INodeExecutionData[],
	target: MemberSyncTarget,
	options: SyncOptions,
	policy: RequestPolicy,
): Promise<INodeExecutionData[]> {
	const audience = audienceNameOf.call(this, 0);
	if (!options.allowEmpty) {
		throw new NodeOperationError(
			this.getNode(),
			`The input is empty: replacing would remove every member of audience "${audience}". Nothing was sent.`,
			{ description: 'Turn on "Allow Empty Replace" in the options to empty the audience on purpose.' },
		);
	}
	const request: PlannedRequest = {
		operation: 'replace',
		audience,
		members: [],
		itemIndexes: items.map((_, i) => i),
		added: 0,
		removed: 0,
		duplicatesCollapsed: 0,
	};
	if (options.dryRun) return [requestOutput(request, 1, 1, { dryRun: true })];
	try {
		return [requestOutput(request, 1, 1, { token: await target.send.call(this, request, policy) })];
	} catch (error) {
		if (outcomeOf(error) === 'unknown' && error instanceof NodeApiError) {
			error.description = [error.description, `The answer was lost: audience "${audience}" may have been emptied or may be unchanged. ${RUN_AGAIN_IS_SAFE}`]
				.filter(Boolean)
				.join('\n');
		}
		throw asNodeError(this.getNode(), error);
	}
}
