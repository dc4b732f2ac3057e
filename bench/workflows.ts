import type { WorkflowJson } from '../harness/n8n';
import { AUDIENCE, byName, CREDENTIAL_REFS, linearWorkflow, type NodeSpec, TYPED_ATTRIBUTES } from '../harness/workflows';

/**
 * The ways the benchmark sends the same generated items, each as a workflow
 * Manual Trigger -> Code "Items" (N items `{ id, plan, score, since }`) -> the measured node(s).
 */
export type Way = 'audience' | 'audiencePerContact' | 'httpPerItem' | 'passThrough' | 'floor' | 'httpBodies' | DeltaWay;

/** (f) Change tracking ("Only New and Changed Members"), one way per kind of member id. */
export type DeltaWay = 'deltaNumeric' | 'deltaEmail' | 'deltaUuid';

export const WAYS: Record<Way, { label: string; short: string; nodes: string[] }> = {
	audience: { label: '(a) Audience node, Batch update', short: 'Audience node', nodes: ['Audience'] },
	audiencePerContact: { label: '(a2) Audience node v2, one item per contact', short: 'Audience node v2, per contact', nodes: ['Audience'] },
	httpPerItem: { label: '(b) HTTP Request, 1 request per item', short: 'HTTP Request, 1 per item', nodes: ['HTTP Request'] },
	passThrough: { label: '(c) pass-through (No Op)', short: 'pass-through', nodes: ['Pass Through'] },
	floor: { label: '(d) floor: Code node, same work, no sending', short: 'floor (Code node, no sending)', nodes: ['Floor'] },
	httpBodies: { label: '(e) Code node bodies of 10,000 + HTTP Request', short: 'Code bodies + HTTP Request', nodes: ['Bodies', 'Send Bodies'] },
	deltaNumeric: { label: '(f) Audience v1, Only New and Changed, numeric ids', short: 'delta, numeric ids', nodes: ['Audience'] },
	deltaEmail: { label: '(f) Audience v1, Only New and Changed, email ids', short: 'delta, email ids', nodes: ['Audience'] },
	deltaUuid: { label: '(f) Audience v1, Only New and Changed, UUID ids', short: 'delta, UUID ids', nodes: ['Audience'] },
};

export const DELTA_WAYS: DeltaWay[] = ['deltaNumeric', 'deltaEmail', 'deltaUuid'];
export const ALL_WAYS: Way[] = ['audience', 'audiencePerContact', 'httpPerItem', 'passThrough', 'floor', 'httpBodies', ...DELTA_WAYS];

export function isDeltaWay(way: Way): way is DeltaWay {
	return (DELTA_WAYS as Way[]).includes(way);
}

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
	if (isDeltaWay(way)) throw new Error(`${way} is measured in stages: use deltaWorkflow`);
	const chain: Record<Exclude<Way, DeltaWay>, () => NodeSpec[]> = {
		audience: () => [audienceUpdate(1)],
		audiencePerContact: () => [audienceUpdate(2)],
		httpPerItem: () => [httpRequestPerItem(sandboxUrl)],
		passThrough: () => [passThrough()],
		floor: () => [floor()],
		httpBodies: () => httpBodies(sandboxUrl),
	};
	return linearWorkflow(workflowId(way, count), itemsCode(count), chain[way]());
}

/*
 * (f) Change tracking. One workflow per kind of member id, run twice with its static data carried
 * over: run 1 ("first") sends everyone and saves the snapshot; run 2 ("changed") gets the same items
 * but every 100th with another plan, and sends only those. A second workflow, Send = All Members
 * (way (a) as it is), gets run 2's input ("plain"). Every one uses node version 1 (one item per
 * request), as way (a) does.
 *
 * The workflow must stay the same between run 1 and run 2 (static data is per workflow), so the
 * Items node learns which input to produce from a node before it: an HTTP Request node ("Input")
 * GETs `{ changed }` from a small server the driver runs on loopback (deltaFlagServer in run.ts).
 */
export type DeltaStage = 'first' | 'changed' | 'plain';
export const DELTA_STAGES: DeltaStage[] = ['first', 'changed', 'plain'];
export const DELTA_STAGE_LABEL: Record<DeltaStage, string> = {
	first: 'delta, first run (sends everyone)',
	changed: 'delta, run 2 (1% changed)',
	plain: 'plain Update (All Members) of run 2\'s input',
};
export type IdKind = 'numeric' | 'email' | 'uuid';
export const ID_KIND: Record<DeltaWay, IdKind> = { deltaNumeric: 'numeric', deltaEmail: 'email', deltaUuid: 'uuid' };
/** Run 2 changes the plan of every CHANGE_EVERY-th item (1%). */
export const CHANGE_EVERY = 100;
export const FLAG_NODE = 'Input';
const PLANS = ['free', 'pro', 'team'];

/**
 * Member id i of each kind, as JavaScript source shared by the Code node and the driver (which
 * rebuilds the ids to check the audience): a pure function of i, no crypto. `mix32` is a 32-bit
 * bijection (lowbias32), so word 0 of a UUID, and with it the UUID, differs for every i.
 */
const ID_PRELUDE = `
const mix32 = (x) => { x = Math.imul(x ^ (x >>> 16), 0x7feb352d); x = Math.imul(x ^ (x >>> 15), 0x846ca68b); return (x ^ (x >>> 16)) >>> 0; };
const hex = (n, width) => n.toString(16).padStart(width, '0');
const FIRST = ['james', 'mary', 'john', 'patricia', 'robert', 'jennifer', 'michael', 'linda', 'william', 'elizabeth', 'david', 'barbara', 'richard', 'susan', 'joseph', 'jessica', 'thomas', 'sarah', 'charles', 'karen', 'camille', 'lucas', 'emma', 'hugo', 'chloe', 'nathan', 'ines', 'louis'];
const LAST = ['smith', 'johnson', 'williams', 'brown', 'jones', 'garcia', 'miller', 'davis', 'rodriguez', 'martinez', 'hernandez', 'lopez', 'gonzalez', 'wilson', 'anderson', 'taylor', 'moore', 'jackson', 'martin', 'lee', 'perez', 'thompson', 'white', 'harris', 'dubois', 'moreau', 'laurent', 'lefebvre', 'bernard', 'petit'];
const DOMAINS = ['gmail.com', 'gmail.com', 'gmail.com', 'yahoo.com', 'outlook.com', 'hotmail.com', 'icloud.com', 'orange.fr', 'free.fr', 'acme-corp.com'];
const SEED = 0x5eed1234;
const ID_OF = {
  numeric: (i) => String(10000000 + i),
  email: (i) => { const h = mix32(i ^ SEED); return FIRST[h % FIRST.length] + '.' + LAST[(h >>> 8) % LAST.length] + '.' + i + '@' + DOMAINS[(h >>> 16) % DOMAINS.length]; },
  uuid: (i) => {
    const w0 = mix32(4 * i + SEED), w1 = mix32(4 * i + 1 + SEED), w2 = mix32(4 * i + 2 + SEED), w3 = mix32(4 * i + 3 + SEED);
    return hex(w0, 8) + '-' + hex(w1 >>> 16, 4) + '-4' + hex(w1 & 0xfff, 3) + '-' + hex(((w2 >>> 16) & 0x3fff) | 0x8000, 4) + '-' + hex(w2 & 0xffff, 4) + hex(w3, 8);
  },
};`;

/** The driver's copy of the Code node's id function. */
export function memberIdOf(kind: IdKind): (i: number) => string {
	// eslint-disable-next-line @typescript-eslint/no-implied-eval
	return new Function(`${ID_PRELUDE}\nreturn ID_OF[${JSON.stringify(kind)}];`)() as (i: number) => string;
}

/** Item i's plan in run 1, or in run 2 (every CHANGE_EVERY-th item moves to the next plan). */
export function deltaPlan(i: number, changed: boolean): string {
	return changed && i % CHANGE_EVERY === 0 ? PLANS[(i + 1) % 3] : PLANS[i % 3];
}

/** What the sandbox must hold for item i after run 1 (changed = false) or run 2. */
export function expectedDeltaMember(i: number, changed: boolean): Record<string, unknown> {
	return { ...expectedMember(i), plan: deltaPlan(i, changed) };
}

/** The items `{ id, plan, score, since }` of run 1, or of run 2 when the Input node says `changed`. */
export function deltaItemsCode(count: number, kind: IdKind): string {
	return `${ID_PRELUDE}
const idOf = ID_OF[${JSON.stringify(kind)}];
const changed = $input.first().json.changed === true;
const plans = ${JSON.stringify(PLANS)};
const day = 86400000;
const start = Date.UTC(2024, 0, 1);
const items = new Array(${count});
for (let i = 0; i < ${count}; i++) {
  const plan = changed && i % ${CHANGE_EVERY} === 0 ? plans[(i + 1) % 3] : plans[i % 3];
  items[i] = { json: { id: idOf(i), plan, score: i % 1000, since: new Date(start + (i % 365) * day).toISOString() } };
}
return items;`;
}

/**
 * The tracked workflow (run 1 and run 2) or the plain Update's, each with its own id and static data; one per size, latency
 * and repeat, so that every first run starts without static data. n8n saves static data only for workflow ids of at
 * most 21 characters (isWorkflowIdValid): e.g. `d-nt-1000000-0-1` (numeric ids, tracked, 1,000,000 items, no latency, repeat 1).
 */
export function deltaWorkflowId(way: DeltaWay, stage: DeltaStage, count: number, latencyMs: number, repeat: number): string {
	const id = `d-${ID_KIND[way][0]}${stage === 'plain' ? 'p' : 't'}-${count}-${latencyMs}-${repeat}`;
	if (id.length > 21) throw new Error(`Workflow id ${id} is longer than 21 characters: n8n would not save its static data`);
	return id;
}

/** Manual Trigger -> HTTP Request "Input" (GET `{ changed }` from the driver) -> Code "Items" -> Audience (Batch Update, node version 1). */
export function deltaWorkflow(way: DeltaWay, stage: DeltaStage, count: number, flagUrl: string, id: string): WorkflowJson {
	const update = audienceUpdate(1);
	const audience: NodeSpec = { ...update, parameters: { ...update.parameters, sendMode: stage === 'plain' ? 'all' : 'changes' } };
	const nodes: NodeSpec[] = [
		{ name: 'Start', type: 'n8n-nodes-base.manualTrigger' },
		{
			name: FLAG_NODE,
			type: 'n8n-nodes-base.httpRequest',
			typeVersion: 4.2,
			parameters: { method: 'GET', url: flagUrl, authentication: 'none', options: {} },
		},
		{ name: ITEMS_NODE, type: 'n8n-nodes-base.code', typeVersion: 2, parameters: { jsCode: deltaItemsCode(count, ID_KIND[way]) } },
		audience,
	];
	const connections: Record<string, unknown> = {};
	for (let i = 0; i < nodes.length - 1; i++) connections[nodes[i].name] = { main: [[{ node: nodes[i + 1].name, type: 'main', index: 0 }]] };
	return {
		id,
		name: id,
		nodes: nodes.map((node, i) => ({ id: `${id}-${i}`, position: [i * 220, 0], typeVersion: 1, parameters: {}, ...node })),
		connections,
	};
}
