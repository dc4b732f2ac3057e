import type { IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';
import { NodeApiError, NodeOperationError, updateDisplayOptions } from 'n8n-workflow';
import { count, cutText } from '../../engine';
import { COMMBOX_AUDIENCE_ID, type CommBoxEnvelope, isStatic, listAudiences, replaceStaticAudience } from '../../transport/commBox';
import { outcomeOf } from '../../transport/request';
import type { RequestPolicy } from '../../transport/requestPolicy';
import { rememberUpload, sameAsLastUpload, uploadIdentity, type UploadIdentity } from '../shared/changeTracking/lastUpload';
import { stateIsKept } from '../shared/changeTracking/savedState';
import { audienceLocator } from '../shared/fields';
import { invalidShareRefusal, minimumShareOf, shrinkRefusal } from '../shared/replaceGuards';
import { fileSourceFields, replaceStaticOptions } from './fields';
import { sameForAllItems, uploadAudienceFile } from './upload';

const properties: INodeProperties[] = [
	audienceLocator({ searchListMethod: 'searchCommBoxStaticAudiences', purpose: 'replaceStatic', identifiedBy: 'id' }),
	...fileSourceFields,
	replaceStaticOptions,
];

const displayOptions = { show: { resource: ['commBox'], operation: ['replaceStatic'] } };

export const description = updateDisplayOptions(displayOptions, properties);

export async function execute(this: IExecuteFunctions, items: INodeExecutionData[]): Promise<INodeExecutionData[]> {
	const audienceId = sameForAllItems.call(this, items, 'audience', 'audience ID');
	if (!COMMBOX_AUDIENCE_ID.test(audienceId)) {
		throw new NodeOperationError(
			this.getNode(),
			`Item 1 gives the audience ID ${JSON.stringify(audienceId)}, which is not a CommBox audience ID (digits only). Nothing was sent.`,
			{ itemIndex: 0, description: 'Pick the audience from the list, or give its numeric ID.' },
		);
	}
	// The audience's size before the upload, and the file's rows: they can settle a lost answer.
	let before: number | undefined;
	let rows: number | null = null;
	let identity: UploadIdentity | undefined;
	const options = this.getNodeParameter('options', 0, {}) as { minimumShare?: number; uploadUnchanged?: boolean };
	const sizeNow = async (policy: RequestPolicy) => (await listAudiences.call(this, policy)).find((audience) => audience.id === audienceId)?.user_count;
	return await uploadAudienceFile.call(this, items, {
		operation: 'replaceStatic',
		audience: { audienceId },
		emptyEffect: `replacing would remove every customer of CommBox audience ${audienceId}`,
		allowEmptyOption: 'Allow Empty Replace',
		async guard(file, policy) {
			rows = file.rows;
			// A spreadsheet is sent unread: its row count is unknown, so it cannot be guarded.
			if (file.rows === null) return undefined;
			const share = minimumShareOf(options);
			const label = `CommBox audience ${audienceId}`;
			before = await sizeNow(policy);
			if (typeof before === 'number') return shrinkRefusal(this.getNode(), label, before, file.rows, share);
			return invalidShareRefusal(this.getNode(), label, items.length - file.invalid.length, items.length, share);
		},
		async unchanged(file, policy) {
			identity = await uploadIdentity(this, audienceId, file.upload);
			const last = options.uploadUnchanged ? undefined : sameAsLastUpload(this, identity);
			if (!last) return false;
			// The audience may have been changed elsewhere since: it must still hold the file's rows.
			return last.rows === null || (await sizeNow(policy)) === last.rows;
		},
		accepted(file) {
			// Runs started from the editor keep nothing: the next run uploads the file again.
			if (identity && stateIsKept(this)) rememberUpload(this, identity, file.rows);
		},
		async send(upload, policy) {
			try {
				return await replaceStaticAudience.call(this, audienceId, upload, policy);
			} catch (error) {
				if (outcomeOf(error) === 'unknown') return await settleLostReplace.call(this, error as Error, audienceId, { before, rows }, policy);
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
	// The look-up only adds an explanation: when it fails, the refusal stands as CommBox gave it.
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

/**
 * The upload's answer was lost (it may have been applied): CommBox's `user_count` settles it when
 * it now equals the file's rows and did not before. Otherwise the outcome stays unknown, and the
 * error says so; replacing is idempotent, so running again is safe.
 */
async function settleLostReplace(
	this: IExecuteFunctions,
	error: Error,
	audienceId: string,
	sizes: { before: number | undefined; rows: number | null },
	policy: RequestPolicy,
): Promise<CommBoxEnvelope<{ id?: string | number }>> {
	let now: number | undefined;
	let lookup = '';
	try {
		now = (await listAudiences.call(this, policy)).find((audience) => audience.id === audienceId)?.user_count;
	} catch (lookupError) {
		lookup = ` Reading the audience's size failed too (${cutText((lookupError as Error).message)}).`;
	}
	const { before, rows } = sizes;
	if (rows !== null && now === rows && before !== undefined && before !== rows) {
		return { status: 200, description: `Replaced: the answer was lost, but CommBox audience ${audienceId} now holds the file's ${count(rows)} rows (it held ${count(before)})` };
	}
	const heldText = now === undefined ? '' : ` It now holds ${count(now)} customers.`;
	const message = `The outcome of the upload to CommBox audience ${audienceId} is unknown: its answer was lost, so the audience holds either the file's rows or its previous customers.${heldText}${lookup}`;
	if (error instanceof NodeApiError) {
		error.description = [error.description, 'Replacing gives the same result when repeated: running the workflow again is safe.'].filter(Boolean).join('\n');
		error.message = `${message} (${error.message})`;
	}
	throw error;
}
