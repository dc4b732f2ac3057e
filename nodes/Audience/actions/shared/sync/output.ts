import type { IDataObject, IExecuteFunctions, INodeExecutionData } from 'n8n-workflow';
import type { PlannedRequest } from '../../../engine';
import { ITEM_CHANGE } from '../changeTracking/planChanges';
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

/**
 * What the node outputs: one item per contact, carrying its own fields (the default of node version
 * 2, so the nodes after it can use them), one summary per input item, or one item per request.
 */
export type OutputMode = 'perContact' | 'perItem' | 'perRequest';

export function outputModeOf(ctx: IExecuteFunctions, options: { outputMode?: OutputMode }): OutputMode {
	return options.outputMode ?? (ctx.getNode().typeVersion >= 2 ? 'perContact' : 'perRequest');
}

/** The fields a request's summary gives each of its contacts. */
const CONTACT_FIELDS = ['audience', 'outcome', 'indexingToken', 'indexingState', 'indexingDone', 'note', 'dryRun'];

/**
 * A request's output item in the output mode: as it is (one item per request), or one item per
 * input item it carries, paired to it. Error items stay as they are (n8n merges the input's fields
 * into error-output items itself).
 */
export function shapedOutput(
	item: INodeExecutionData,
	mode: OutputMode,
	input: { items: INodeExecutionData[]; ids?: Map<number, string | undefined>; changes?: Uint8Array },
): INodeExecutionData[] {
	if (mode === 'perRequest' || item.json.error !== undefined) return [item];
	const pairs = Array.isArray(item.pairedItem) ? item.pairedItem : [];
	if (mode === 'perContact') {
		const fields: IDataObject = {};
		for (const field of CONTACT_FIELDS) if (item.json[field] !== undefined) fields[field] = item.json[field];
		return pairs.map((pair) => ({ json: { ...input.items[pair.item].json, ...fields, ...changeOf(input.changes, pair.item) }, pairedItem: { item: pair.item } }));
	}
	const { payload: _payload, ids: _count, added: _a, removed: _r, duplicatesCollapsed: _d, ...summary } = item.json;
	const { changeTracking: _tracking, ...perItem } = summary;
	return pairs.map((pair) => ({
		json: { ...perItem, id: input.ids?.get(pair.item) ?? null, itemIndex: pair.item, ...changeOf(input.changes, pair.item) },
		pairedItem: { item: pair.item },
	}));
}

function changeOf(changes: Uint8Array | undefined, itemIndex: number): { change?: string } {
	const change = changes ? ITEM_CHANGE[changes[itemIndex]] : '';
	return change ? { change } : {};
}
