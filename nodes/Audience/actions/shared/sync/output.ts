import type { IDataObject, INodeExecutionData } from 'n8n-workflow';
import type { PlannedRequest } from '../../../engine';
import type { IndexingView } from '../indexing';

/** The output item of one request: its summary, paired to every input item it carries. */
export function requestOutput(
	request: PlannedRequest,
	number: number,
	requests: number,
	result: { token?: string; indexing?: IndexingView; indexingDone?: boolean; dryRun?: boolean; split?: boolean },
): INodeExecutionData {
	const json: IDataObject = {
		audience: request.audience,
		operation: request.operation,
		indexingToken: result.token ?? null,
		request: number,
		requests,
		ids: request.members.length,
		added: request.added,
		removed: request.removed,
		duplicatesCollapsed: request.duplicatesCollapsed,
		dryRun: Boolean(result.dryRun),
	};
	if (!result.dryRun) json.outcome = 'accepted';
	if (!result.dryRun && !result.token) json.note = 'Accepted, but the answer carried no indexing token: its indexing cannot be followed.';
	if (result.split) json.split = true;
	if (result.indexingDone !== undefined) {
		json.indexingState = result.indexing?.indexing_state ?? null;
		json.indexingDone = result.indexingDone;
		json.nb_ids = result.indexing?.nb_ids ?? null;
	}
	if (result.dryRun) json.payload = { name: request.audience, ids: request.members } as unknown as IDataObject;
	return { json, pairedItem: request.itemIndexes.map((item) => ({ item })) };
}

/** "One item per input item": a request's summary is repeated for each item it carried. */
export function perInputItem(item: INodeExecutionData, ids: Map<number, string | undefined> | undefined): INodeExecutionData[] {
	if (!ids || item.json.error !== undefined) return [item];
	const pairs = Array.isArray(item.pairedItem) ? item.pairedItem : [];
	const { payload: _payload, ids: _count, added: _a, removed: _r, duplicatesCollapsed: _d, ...summary } = item.json;
	return pairs.map((pair) => ({
		json: { ...summary, id: ids.get(pair.item) ?? null, itemIndex: pair.item },
		pairedItem: { item: pair.item },
	}));
}
