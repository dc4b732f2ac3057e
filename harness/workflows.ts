import { createHash } from 'crypto';
import type { Credential, WorkflowJson } from './n8n';
import { NODE_PREFIX } from './n8n';

/** Builders for the workflows and sandbox credentials the e2e tests import. */
export function sandboxCredentials(baseUrl: string): Credential[] {
	return [
		{ id: 'batchSandbox01', name: 'Batch sandbox', type: 'batchApi', data: { restApiKey: 'sandbox-rest-key', projectKey: 'project_sandbox', baseUrl, apiVersion: '2.11' } },
		{ id: 'legacySandbox1', name: 'Batch Custom Audience sandbox', type: 'batchCustomAudienceApi', data: { restApiKey: 'sandbox-rest-key', appApiKey: 'sandbox-app-key', apiVersion: '1.1', baseUrl } },
		{ id: 'commboxSandbox', name: 'CommBox sandbox', type: 'commBoxApi', data: { apiKey: 'sandbox-commbox-key', baseUrl } },
	];
}

export const CREDENTIAL_REFS = {
	batch: { batchApi: { id: 'batchSandbox01', name: 'Batch sandbox' } },
	batchCustomAudience: { batchCustomAudienceApi: { id: 'legacySandbox1', name: 'Batch Custom Audience sandbox' } },
	commBox: { commBoxApi: { id: 'commboxSandbox', name: 'CommBox sandbox' } },
};

export interface NodeSpec {
	name: string;
	type: string;
	parameters?: Record<string, unknown>;
	credentials?: Record<string, unknown>;
	onError?: 'continueErrorOutput' | 'continueRegularOutput' | 'stopWorkflow';
	typeVersion?: number;
}

/** Manual Trigger -> Code (the given JavaScript returning items) -> the given chain, in order. */
export function linearWorkflow(id: string, code: string, chain: NodeSpec[]): WorkflowJson {
	return chainedWorkflow(id, [
		{ name: 'Start', type: 'n8n-nodes-base.manualTrigger' },
		{ name: 'Items', type: 'n8n-nodes-base.code', typeVersion: 2, parameters: { jsCode: code } },
		...chain,
	]);
}

/** The nodes connected in order on main output 0, with ids, positions and defaults. */
function chainedWorkflow(id: string, nodes: NodeSpec[]): WorkflowJson {
	const connections: Record<string, unknown> = {};
	for (let i = 0; i < nodes.length - 1; i++) {
		connections[nodes[i].name] = { main: [[{ node: nodes[i + 1].name, type: 'main', index: 0 }]] };
	}
	return {
		id,
		name: id,
		nodes: nodes.map((node, i) => ({ id: `${id}-${i}`, position: [i * 220, 0], typeVersion: 1, parameters: {}, ...node })),
		connections,
	};
}

export const AUDIENCE = `${NODE_PREFIX}audience`;
export const AUDIENCE_TRIGGER = `${NODE_PREFIX}audienceTrigger`;

/** The value of a resource locator typed by name. */
export const byName = (value: string) => ({ __rl: true, mode: 'name', value });

/** The Audience node's attribute parameters for items `{ plan, score, since }`: string, number, date. */
export const TYPED_ATTRIBUTES = {
	attributeMode: 'fields',
	attributes: {
		attribute: [
			{ name: 'plan', type: 'string', value: '={{ $json.plan }}' },
			{ name: 'score', type: 'number', value: '={{ $json.score }}' },
			{ name: 'since', type: 'date', value: '={{ $json.since }}' },
		],
	},
};

/** An Audience node named "Audience" on `resource`, with its credential. */
export function audienceNode(
	resource: keyof typeof CREDENTIAL_REFS,
	operation: string,
	parameters: Record<string, unknown>,
	extra: Partial<NodeSpec> = {},
): NodeSpec {
	return { name: 'Audience', type: AUDIENCE, parameters: { resource, operation, ...parameters }, credentials: CREDENTIAL_REFS[resource], ...extra };
}

/**
 * Webhook (POST /webhook/<path>, answered as soon as the execution is started) -> Code (the given
 * JavaScript; none when `code` is null) -> the given chain: a production workflow, which n8n in
 * queue mode hands over to a worker once published.
 */
export function webhookWorkflow(id: string, path: string, code: string | null, chain: NodeSpec[]): WorkflowJson {
	const webhook: NodeSpec & Record<string, unknown> = {
		name: 'Webhook',
		type: 'n8n-nodes-base.webhook',
		typeVersion: 2,
		// A UUID, as the editor gives, derived from the workflow id.
		webhookId: createHash('sha256').update(id).digest('hex').slice(0, 32).replace(/^(.{8})(.{4})(.{4})(.{4})/, '$1-$2-$3-$4-'),
		parameters: { httpMethod: 'POST', path, responseMode: 'onReceived', options: {} },
	};
	const items: NodeSpec[] = code === null ? [] : [{ name: 'Items', type: 'n8n-nodes-base.code', typeVersion: 2, parameters: { jsCode: code } }];
	return chainedWorkflow(id, [webhook, ...items, ...chain]);
}
