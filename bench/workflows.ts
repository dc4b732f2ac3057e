import type { WorkflowJson } from '../harness/n8n';
import { AUDIENCE, byName, CREDENTIAL_REFS, linearWorkflow, type NodeSpec, TYPED_ATTRIBUTES } from '../harness/workflows';

/**
 * The three ways the benchmark sends the same generated items, each as a workflow
 * Manual Trigger -> Code "Items" (N items `{ id, plan, score, since }`) -> the measured node.
 */
export type Way = 'audience' | 'httpPerItem' | 'passThrough';

export const WAYS: Record<Way, { label: string; node: string }> = {
	audience: { label: '(a) Audience node, Batch update', node: 'Audience' },
	httpPerItem: { label: '(b) HTTP Request, 1 request per item', node: 'HTTP Request' },
	passThrough: { label: '(c) pass-through (No Op)', node: 'Pass Through' },
};

export const AUDIENCE_NAME = 'bench_audience';
export const HTTP_AUDIENCE_NAME = 'bench_http';
/** The Code node's name in `linearWorkflow`. */
export const ITEMS_NODE = 'Items';

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

/** What the sandbox must hold for item i after a sync (the Batch wire form of the 3 typed attributes). */
export function expectedMember(i: number): Record<string, unknown> {
	const since = new Date(Date.UTC(2024, 0, 1) + (i % 365) * 86400000).toISOString().replace('.000Z', 'Z');
	return { plan: ['free', 'pro', 'team'][i % 3], score: i % 1000, 'date(since)': since };
}

/** (a) Batch update, add, with 3 typed attributes mapped from each item. */
function audienceUpdate(): NodeSpec {
	return {
		name: WAYS.audience.node,
		type: AUDIENCE,
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

/**
 * (b) What users do today: HTTP Request v4.2, one POST /2.11/audiences/update per item, the item as
 * the single id with the same attributes, auth as two header parameters, default options (n8n
 * sends every item's request without batching).
 */
function httpRequestPerItem(sandboxUrl: string): NodeSpec {
	return {
		name: WAYS.httpPerItem.node,
		type: 'n8n-nodes-base.httpRequest',
		typeVersion: 4.2,
		parameters: {
			method: 'POST',
			url: `${sandboxUrl}/2.11/audiences/update`,
			authentication: 'none',
			sendHeaders: true,
			specifyHeaders: 'keypair',
			headerParameters: {
				parameters: [
					{ name: 'Authorization', value: 'Bearer sandbox-rest-key' },
					{ name: 'X-Batch-Project', value: 'project_sandbox' },
				],
			},
			sendBody: true,
			contentType: 'json',
			specifyBody: 'json',
			jsonBody: `={{ JSON.stringify({ name: '${HTTP_AUDIENCE_NAME}', ids: [{ id: $json.id, action: 'add', attributes: { plan: $json.plan, score: $json.score, 'date(since)': $json.since } }] }) }}`,
			options: {},
		},
	};
}

/** (c) The baseline: n8n moves the items through a node that does nothing. */
function passThrough(): NodeSpec {
	return { name: WAYS.passThrough.node, type: 'n8n-nodes-base.noOp' };
}

export function workflowId(way: Way, count: number): string {
	return `bench-${way}-${count}`;
}

export function benchWorkflow(way: Way, count: number, sandboxUrl: string): WorkflowJson {
	const node = way === 'audience' ? audienceUpdate() : way === 'httpPerItem' ? httpRequestPerItem(sandboxUrl) : passThrough();
	return linearWorkflow(workflowId(way, count), itemsCode(count), [node]);
}
