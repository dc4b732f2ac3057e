import type { IDataObject, IExecuteFunctions, INodeExecutionData } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';
import { validateAudienceName } from '../../engine';
import type { RequestPolicy } from '../../transport/request';
import { type IndexingView, isIndexingDone, waitOptionsFrom, waitUntilIndexed } from './indexing';
import { errorItem } from './itemErrors';
import { itemReader } from './itemParameters';
import { requestPolicy } from '../../transport/requestPolicy';

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
 * Check Indexing: one output item per input item with the state of its (audience, token) pair;
 * identical pairs are asked once. With "Wait Until Done", asks until APPLIED or REPLACED.
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

	const output: INodeExecutionData[] = [];
	for (const { audience, token, itemIndexes } of pairs.values()) {
		const [first] = itemIndexes;
		let state: IndexingView;
		try {
			const problem = validateAudienceName(audience);
			if (problem) throw new NodeOperationError(this.getNode(), `Item ${first}: ${problem}`, { itemIndex: first });
			const ask = async () => await view.call(this, audience, token || undefined, policy);
			state = options.waitUntilDone
				? await waitUntilIndexed.call(this, ask, { audience, token: token || '(latest write)', itemIndex: first }, waitOptionsFrom(options))
				: await ask();
		} catch (error) {
			if (!this.continueOnFail()) throw error;
			output.push(...itemIndexes.map((itemIndex) => errorItem((error as Error).message, itemIndex, { audience, indexingToken: token })));
			continue;
		}
		const json: IDataObject = {
			audience,
			indexingToken: token || null,
			indexingState: state.indexing_state ?? null,
			done: isIndexingDone(state.indexing_state),
			nb_ids: state.nb_ids ?? null,
			updated: state.updated ?? null,
		};
		output.push(...itemIndexes.map((itemIndex) => ({ json: { ...json }, pairedItem: { item: itemIndex } })));
	}
	return output.sort((a, b) => pairIndex(a) - pairIndex(b));
}

function pairIndex(item: INodeExecutionData): number {
	const pair = Array.isArray(item.pairedItem) ? item.pairedItem[0] : item.pairedItem;
	return typeof pair === 'object' && pair ? pair.item : 0;
}
