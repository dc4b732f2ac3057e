import type { IExecuteFunctions } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';
import type { RequestPolicy } from '../../../transport/requestPolicy';
import { waitOptionsFrom, waitUntilAllIndexed } from '../indexing';
import type { SyncLedger } from './ledger';
import type { MemberSyncTarget, SyncOptions } from './target';

/**
 * Wait for Indexing: every accepted token against one deadline; each keeps its last known state. An
 * accepted request whose answer carried no token cannot be followed and is not waited for.
 */
export async function waitForAccepted(
	this: IExecuteFunctions,
	ledger: SyncLedger,
	target: MemberSyncTarget,
	policy: RequestPolicy,
): Promise<void> {
	const options = this.getNodeParameter('options', 0, {}) as SyncOptions;
	const toWaitFor = ledger.accepted.filter((accepted) => accepted.indexingDone === undefined && accepted.token !== undefined);
	const waits = toWaitFor.map(({ request, token }) => ({
		audience: request.audience,
		token: token as string,
		view: async () => await target.view.call(this, request.audience, token, policy),
	}));
	const results = await waitUntilAllIndexed.call(this, waits, waitOptionsFrom(options, policy.signal));
	results.forEach((result, index) => Object.assign(toWaitFor[index], { indexing: result.last, indexingDone: !result.error }));
	const failed = results.filter((result) => result.error);
	if (failed.length === 0 || this.continueOnFail()) return;
	const states = ledger.accepted.map(
		({ request, token, indexing }) =>
			`${token ? `token ${token}` : 'no token returned'} (audience "${request.audience}"): ${indexing?.indexing_state ?? 'unknown'}`,
	);
	throw new NodeOperationError(
		this.getNode(),
		`${failed.length} of ${ledger.accepted.length} accepted requests were not indexed in time: ${failed[0].error?.message}`,
		{
			description: [
				'Every write below was accepted and will still be applied. Raise "Wait Timeout", or check later with Check Indexing.',
				...states,
			].join('\n'),
		},
	);
}
