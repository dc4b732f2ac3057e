import type { WorkflowJson } from '../harness/n8n';
import { AUDIENCE, byName, CREDENTIAL_REFS, linearWorkflow, type NodeSpec, TYPED_ATTRIBUTES } from '../harness/workflows';

/**
 * The ways the benchmark sends the same generated items, each as a workflow
 * Manual Trigger -> Code "Items" (N items `{ id, plan, score, since }`) -> the measured node(s).
 */
export type Way = 'audience' | 'audiencePerContact' | 'httpPerItem' | 'passThrough' | 'floor' | 'httpBodies';

export const WAYS: Record<Way, { label: string; short: string; nodes: string[] }> = {
	audience: { label: '(a) Audience node, Batch update', short: 'Audience node', nodes: ['Audience'] },
	audiencePerContact: { label: '(a2) Audience node v2, one item per contact', short: 'Audience node v2, per contact', nodes: ['Audience'] },
	httpPerItem: { label: '(b) HTTP Request, 1 request per item', short: 'HTTP Request, 1 per item', nodes: ['HTTP Request'] },
	passThrough: { label: '(c) pass-through (No Op)', short: 'pass-through', nodes: ['Pass Through'] },
	floor: { label: '(d) floor: Code node, same work, no sending', short: 'floor (Code node, no sending)', nodes: ['Floor'] },
	httpBodies: { label: '(e) Code node bodies of 10,000 + HTTP Request', short: 'Code bodies + HTTP Request', nodes: ['Bodies', 'Send Bodies'] },
};

export const ALL_WAYS: Way[] = ['audience', 'audiencePerContact', 'httpPerItem', 'passThrough', 'floor', 'httpBodies'];

export const AUDIENCE_NAME = 'bench_audience';
export const HTTP_AUDIENCE_NAME = 'bench_http';
export const BODIES_AUDIENCE_NAME = 'bench_bodies';
/** The Code node's name in `linearWorkflow`. */
export const ITEMS_NODE = 'Items';
export const BODY_SIZE = 10_000;

/** N unique ids; plan, score and since vary so that every attribute is really read and typed. */
export function itemsCode(count: number): string {
	return `
const plans = ['free', 'pro', 'team'];
const day = 86400000;
const start = Date.UTC(2024, 0, 1);
const items = new Array(${count});
for (let i = 0; i < ${count}; i++) {
  items[i] = { json: { id: 'user-' + i, plan: plans[i % 3], score: i % 1000, since: new Date(start + (i % 365) * day).toISOString() } };
}
return items;`;
}

/** Item i's `since` as the Code node generates it. */
export function generatedSince(i: number): string {
	return new Date(Date.UTC(2024, 0, 1) + (i % 365) * 86400000).toISOString();
}

/** What the sandbox must hold for item i after a sync (the Batch wire form of the 3 typed attributes). */
export function expectedMember(i: number): Record<string, unknown> {
	return { plan: ['free', 'pro', 'team'][i % 3], score: i % 1000, 'date(since)': generatedSince(i).replace('.000Z', 'Z') };
}

/**
 * (a) Batch update, add, with 3 typed attributes mapped from each item. Node version 1 outputs one
 * item per request; (a2) the same node at version 2, whose default output is one item per contact
 * (the input item's fields plus audience, outcome and indexingToken).
 */
function audienceUpdate(typeVersion: 1 | 2 = 1): NodeSpec {
	return {
		name: WAYS.audience.nodes[0],
		type: AUDIENCE,
		typeVersion,
		parameters: {
			resource: 'batch',
			operation: 'update',
			audience: byName(AUDIENCE_NAME),
			action: 'add',
			userId: '={{ $json.id }}',
			...TYPED_ATTRIBUTES,
		},
		credentials: CREDENTIAL_REFS.batch,
	};
}

const AUTH_HEADERS = {
	sendHeaders: true,
	specifyHeaders: 'keypair',
	headerParameters: {
		parameters: [
			{ name: 'Authorization', value: 'Bearer sandbox-rest-key' },
			{ name: 'X-Batch-Project', value: 'project_sandbox' },
		],
	},
};

/**
 * (b) What most users do today: HTTP Request v4.2, one POST /2.11/audiences/update per item, the
 * item as the single id with the same attributes, auth as two header parameters, default options
 * (n8n sends every item's request without batching).
 */
function httpRequestPerItem(sandboxUrl: string): NodeSpec {
	const body = `{ name: '${HTTP_AUDIENCE_NAME}', ids: [{ id: $json.id, action: 'add', attributes: { plan: $json.plan, score: $json.score, 'date(since)': $json.since } }] }`;
	return batchUpdateRequest(WAYS.httpPerItem.nodes[0], sandboxUrl, `={{ JSON.stringify(${body}) }}`);
}

/** An HTTP Request node (v4.2, default options) posting `jsonBody` to the sandbox's Batch update. */
function batchUpdateRequest(name: string, sandboxUrl: string, jsonBody: string): NodeSpec {
	return {
		name,
		type: 'n8n-nodes-base.httpRequest',
		typeVersion: 4.2,
		parameters: {
			method: 'POST',
			url: `${sandboxUrl}/2.11/audiences/update`,
			authentication: 'none',
			...AUTH_HEADERS,
			sendBody: true,
			contentType: 'json',
			specifyBody: 'json',
			jsonBody,
			options: {},
		},
	};
}

/** (c) The baseline: n8n moves the items through a node that does nothing. */
function passThrough(): NodeSpec {
	return { name: WAYS.passThrough.nodes[0], type: 'n8n-nodes-base.noOp' };
}

/**
 * (d) The floor: a Code node doing the work of the Audience node's update in plain JavaScript
 * (read the id and the 3 attributes, the last occurrence of an id wins, type the attributes, cut
 * into bodies of 10,000 ids and serialize each) without sending. It outputs one small item per
 * body; `workMs` is the work alone, measured inside the Code node (without n8n handing the items
 * to its task runner and back).
 */
export function floorCode(): string {
	return `
const started = Date.now();
const items = $input.all();
const latest = new Map();
for (let i = 0; i < items.length; i++) {
  const json = items[i].json;
  const id = typeof json.id === 'number' ? String(json.id) : String(json.id ?? '').trim();
  if (id === '') throw new Error('item ' + i + ': missing id');
  const score = typeof json.score === 'number' ? json.score : Number(json.score);
  if (!Number.isFinite(score)) throw new Error('item ' + i + ': score is not a number');
  const since = new Date(json.since);
  if (Number.isNaN(since.getTime())) throw new Error('item ' + i + ': since is not a date');
  const iso = since.toISOString();
  // Map.set keeps an id's first position and takes its last value: the last occurrence wins.
  latest.set(id, { action: 'add', id, attributes: { plan: String(json.plan), score, 'date(since)': iso.endsWith('.000Z') ? iso.slice(0, 19) + 'Z' : iso } });
}
const members = [...latest.values()];
const out = [];
let bytes = 0;
for (let start = 0; start < members.length; start += ${BODY_SIZE}) {
  const body = JSON.stringify({ name: '${AUDIENCE_NAME}', ids: members.slice(start, start + ${BODY_SIZE}) });
  bytes += body.length;
  out.push({ json: { request: out.length + 1, ids: Math.min(${BODY_SIZE}, members.length - start), bytes: body.length } });
}
if (out.length > 0) Object.assign(out[0].json, { workMs: Date.now() - started, totalBytes: bytes });
return out;`;
}

function floor(): NodeSpec {
	return { name: WAYS.floor.nodes[0], type: 'n8n-nodes-base.code', typeVersion: 2, parameters: { jsCode: floorCode() } };
}

/** (e) What power users build today: a Code node cutting the items into bodies of 10,000 ids... */
export function bodiesCode(): string {
	return `
const items = $input.all();
const bodies = [];
for (let start = 0; start < items.length; start += ${BODY_SIZE}) {
  const ids = items.slice(start, start + ${BODY_SIZE}).map(({ json }) => ({
    id: json.id, action: 'add', attributes: { plan: json.plan, score: json.score, 'date(since)': json.since },
  }));
  bodies.push({ json: { name: '${BODIES_AUDIENCE_NAME}', ids } });
}
return bodies;`;
}

/** ...and an HTTP Request node (v4.2, default options) sending each body to Batch update. */
function httpBodies(sandboxUrl: string): NodeSpec[] {
	return [
		{ name: WAYS.httpBodies.nodes[0], type: 'n8n-nodes-base.code', typeVersion: 2, parameters: { jsCode: bodiesCode() } },
		batchUpdateRequest(WAYS.httpBodies.nodes[1], sandboxUrl, '={{ $json }}'),
	];
}

export function workflowId(way: Way, count: number): string {
	return `bench-${way}-${count}`;
}

export function benchWorkflow(way: Way, count: number, sandboxUrl: string): WorkflowJson {
	const chain: Record<Way, () => NodeSpec[]> = {
		audience: () => [audienceUpdate(1)],
		audiencePerContact: () => [audienceUpdate(2)],
		httpPerItem: () => [httpRequestPerItem(sandboxUrl)],
		passThrough: () => [passThrough()],
		floor: () => [floor()],
		httpBodies: () => httpBodies(sandboxUrl),
	};
	return linearWorkflow(workflowId(way, count), itemsCode(count), chain[way]());
}
