import type { IDataObject, IExecuteFunctions, INodeExecutionData } from 'n8n-workflow';
import { NodeApiError, NodeOperationError } from 'n8n-workflow';
import { itemNumber, validateAudienceName } from '../../engine';
import { IndexingTimeout, type IndexingResult, type IndexingView, isIndexingDone, waitOptionsFrom, waitUntilAllIndexed } from './indexing';
import { byFirstPairedItem, errorItem } from './itemErrors';
import { itemReader } from './itemParameters';
import { showBanners } from './summaryHint';
import { requestPolicy, type RequestPolicy } from '../../transport/requestPolicy';

export type ViewIndexing = (
	this: IExecuteFunctions,
	audience: string,
	token: string | undefined,
	policy: RequestPolicy,
) => Promise<IndexingView>;

interface CheckOptions {
	waitUntilDone?: boolean;
	waitTimeout?: number;
	pollInterval?: number;
	maxRetries?: number;
	requestsPerSecond?: number;
}

/**
 * Check Indexing: one output item per input item with the state of its (audience, token) pair (and,
 * from node version 2, the input item's own fields); identical pairs are asked once. With "Wait Until Done", asks until APPLIED or REPLACED.
 */
export async function checkIndexing(
	this: IExecuteFunctions,
	items: INodeExecutionData[],
	view: ViewIndexing,
): Promise<INodeExecutionData[]> {
	const options = this.getNodeParameter('options', 0, {}) as CheckOptions;
	const policy = requestPolicy(this, options);
	const audienceOf = itemReader(this, items, 'audience');
	const tokenOf = itemReader(this, items, 'indexingToken');

	const pairs = new Map<string, { audience: string; token: string; itemIndexes: number[] }>();
	for (let itemIndex = 0; itemIndex < items.length; itemIndex++) {
		const audience = String(audienceOf(itemIndex) ?? '').trim();
		const token = String(tokenOf(itemIndex) ?? '').trim();
		const key = `${audience}\n${token}`;
		const pair = pairs.get(key) ?? { audience, token, itemIndexes: [] };
		pair.itemIndexes.push(itemIndex);
		pairs.set(key, pair);
	}

	const list = [...pairs.values()];
	const waits = list.map(({ audience, token, itemIndexes }) => ({
		audience,
		token: token || '(latest write)',
		itemIndex: itemIndexes[0],
		view: async () => {
			const problem = validateAudienceName(audience);
			if (problem) throw new NodeOperationError(this.getNode(), `Item ${itemNumber(itemIndexes[0])}: ${problem}`, { itemIndex: itemIndexes[0] });
			return await view.call(this, audience, token || undefined, policy);
		},
	}));
	// Waiting: every pair against one deadline. Not waiting: one look each (a timeout of 0 never polls again).
	const wait = options.waitUntilDone ? waitOptionsFrom(options, policy.signal) : { timeoutMs: 0, pollIntervalMs: 0, signal: policy.signal };
	const results = await waitUntilAllIndexed.call(this, waits, wait);
	const failed = results.findIndex((result) => result.error && !(result.error instanceof IndexingTimeout && !options.waitUntilDone));
	if (failed >= 0 && !this.continueOnFail()) throw withEveryState(results[failed].error as Error, list, results);

	const output: INodeExecutionData[] = [];
	list.forEach(({ audience, token, itemIndexes }, index) => {
		const { last, error } = results[index];
		const json: IDataObject = {
			audience,
			indexingToken: token || null,
			indexingState: last?.indexing_state ?? null,
			done: isIndexingDone(last?.indexing_state),
			nb_ids: last?.nb_ids ?? null,
			updated: last?.updated ?? null,
		};
		if (error && !(error instanceof IndexingTimeout && !options.waitUntilDone)) {
			// A timeout's message already names the audience, token and last state.
			const message = error instanceof IndexingTimeout
				? error.message
				: `${error.message} (audience "${audience}", token ${token || '(latest write)'}, last state ${json.indexingState ?? 'unknown'})`;
			output.push(...itemIndexes.map((itemIndex) => errorItem(message, itemIndex)));
		} else {
			// Version 2 keeps each contact's fields, so the nodes after Check Indexing can still use them.
			const fieldsOf = (itemIndex: number) => (this.getNode().typeVersion >= 2 ? items[itemIndex].json : {});
			output.push(...itemIndexes.map((itemIndex) => ({ json: { ...fieldsOf(itemIndex), ...json }, pairedItem: { item: itemIndex } })));
		}
	});
	// Without waiting, a write still pending ends as a timeout of the one look.
	const pending = results.filter(({ error, last }) => (!error || error instanceof IndexingTimeout) && !isIndexingDone(last?.indexing_state)).length;
	if (pending > 0 && !options.waitUntilDone) {
		showBanners(this, {
			message: `${pending} of ${list.length} ${list.length === 1 ? 'write is' : 'writes are'} still being applied. To continue only once they are applied, turn on "Wait Until Done" in the options; or check again later.`,
			type: 'info',
		});
	}
	return output.sort(byFirstPairedItem);
}

/** A stopped check still tells the last known state of every pair. */
function withEveryState(
	error: Error,
	list: Array<{ audience: string; token: string }>,
	results: IndexingResult[],
): Error {
	const states = list.map(({ audience, token }, index) => `token ${token || '(latest write)'} (audience "${audience}"): ${results[index].last?.indexing_state ?? 'unknown'}`);
	if (error instanceof NodeOperationError || error instanceof NodeApiError) {
		error.description = [error.description, 'Last known state of every token:', ...states].filter(Boolean).join('\n');
	}
	return error;
}
