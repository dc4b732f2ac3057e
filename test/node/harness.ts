/**
 * Tier 2 harness: our node classes (imported from the TypeScript sources) executed by n8n-core's real
 * engine, in-process, with real HTTP. `runWorkflow` runs a workflow through `WorkflowExecute`,
 * `runPoll` runs the trigger's `poll()` through n8n-core's `PollContext`, and
 * `runCredentialTest` sends a credential's test request the way n8n's credentials tester does
 * (its `test.request` as a routing request of a temporary node, run by n8n-core's `RoutingNode`).
 * `useSandbox` gives a test file a sandbox to run against, and the credentials of each platform for it.
 *
 * n8n-core resolves a few services from its DI container; the harness registers the minimum once:
 * `InstanceSettings` (otherwise the container builds the real one, which creates `~/.n8n/config`
 * with a new encryption key), a silent `Logger` and an `ErrorReporter` that keeps what it is given
 * (the real ones are built on demand too, but print every node error). Everything else n8n-core
 * needs here (its outbound HTTP client, TriggersAndPollers) the container builds by itself.
 */
import { Logger } from '@n8n/backend-common';
import { Container } from '@n8n/di';
import { tmpdir } from 'node:os';
import path from 'node:path';
import {
	ErrorReporter,
	ExecuteContext,
	ExecutionLifecycleHooks,
	getExecutePollFunctions,
	InstanceSettings,
	RoutingNode,
	TriggersAndPollers,
	WorkflowExecute,
} from 'n8n-core';
import type {
	ExecutionError,
	ExecutionStatus,
	IAuthenticateGeneric,
	ICredentialDataDecryptedObject,
	ICredentialsDecrypted,
	ICredentialType,
	IConnections,
	IDataObject,
	IExecuteFunctions,
	IHttpRequestHelper,
	IHttpRequestOptions,
	INode,
	INodeCredentialsDetails,
	INodeExecutionData,
	INodeParameters,
	INodeProperties,
	INodeType,
	INodeTypeDescription,
	INodeTypes,
	IRequestOptionsSimplified,
	IRun,
	IRunData,
	IRunExecutionData,
	IVersionedNodeType,
	IWorkflowBase,
	IWorkflowExecuteAdditionalData,
	WorkflowExecuteMode,
} from 'n8n-workflow';
import { ICredentialsHelper, NodeHelpers, UnexpectedError, Workflow } from 'n8n-workflow';
import { BatchApi } from '../../credentials/BatchApi.credentials';
import { BatchCustomAudienceApi } from '../../credentials/BatchCustomAudienceApi.credentials';
import { CommBoxApi } from '../../credentials/CommBoxApi.credentials';
import { Audience } from '../../nodes/Audience/Audience.node';
import { AudienceTrigger } from '../../nodes/AudienceTrigger/AudienceTrigger.node';
import { type Sandbox, SANDBOX_CREDENTIALS, startSandbox } from '../../sandbox';

// ---------------------------------------------------------------------------------------------
// n8n-core's DI container: the minimum it resolves while running nodes
// ---------------------------------------------------------------------------------------------

/** What n8n-core reported through ErrorReporter (node failures are reported before being recorded). */
export const reportedErrors: unknown[] = [];

let containerReady = false;

function setUpContainer(): void {
	if (containerReady) return;
	containerReady = true;
	const silent = new Proxy({} as Record<string | symbol, unknown>, {
		get: (_target, key) => (key === 'scoped' ? () => silent : () => undefined),
	});
	Container.set(Logger, silent as unknown as Logger);
	const keep = (error: unknown) => void reportedErrors.push(error);
	Container.set(ErrorReporter, { error: keep, warn: keep, info: () => undefined } as unknown as ErrorReporter);
	// Only file-system helpers would use the folder; none of our nodes does, so it is never created.
	const n8nFolder = path.join(tmpdir(), 'audience-sync-node-tests-n8n');
	Container.set(InstanceSettings, {
		instanceId: 'audience-sync-node-tests',
		instanceType: 'main',
		n8nFolder,
		staticCacheDir: path.join(n8nFolder, 'cache'),
		customExtensionDir: path.join(n8nFolder, 'custom'),
		nodesDownloadDir: path.join(n8nFolder, 'nodes'),
		hmacSignatureSecret: 'audience-sync-node-tests',
		encryptionKey: 'audience-sync-node-tests',
	} as unknown as InstanceSettings);
}

// ---------------------------------------------------------------------------------------------
// Node and credential types
// ---------------------------------------------------------------------------------------------

/** Type names as a real n8n registers a custom package's nodes (see harness/n8n.ts). */
export const AUDIENCE = 'CUSTOM.audience';
export const AUDIENCE_TRIGGER = 'CUSTOM.audienceTrigger';
/** A local stand-in for Manual Trigger + Code: outputs the items given in its `items` parameter. */
export const ITEMS = 'test.items';

class ItemsSource implements INodeType {
	description: INodeTypeDescription = {
		displayName: 'Items',
		name: 'items',
		group: ['input'],
		version: 1,
		description: 'Outputs the items of its "items" parameter (JSON array of objects)',
		defaults: { name: 'Items' },
		inputs: ['main'],
		outputs: ['main'],
		properties: [{ displayName: 'Items', name: 'items', type: 'json', default: '[]' }],
	};

	async execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
		const raw = this.getNodeParameter('items', 0) as string | IDataObject[];
		const items = (typeof raw === 'string' ? JSON.parse(raw) : raw) as IDataObject[];
		// Like a Code node run once for all items: every output item comes from the one input item.
		return [items.map((json) => ({ json, pairedItem: { item: 0 } }))];
	}
}

const nodeClasses: Record<string, INodeType> = {
	[AUDIENCE]: new Audience(),
	[AUDIENCE_TRIGGER]: new AudienceTrigger(),
	[ITEMS]: new ItemsSource(),
};

/** The INodeTypes registry n8n-core's Workflow and WorkflowExecute look node types up in. */
export const nodeTypes: INodeTypes = {
	getByName: (type) => lookUpNodeType(type),
	getByNameAndVersion: (type, version) => NodeHelpers.getVersionedNodeType(lookUpNodeType(type), version),
	getKnownTypes: () => Object.fromEntries(Object.keys(nodeClasses).map((type) => [type, { className: type, sourcePath: '' }])),
};

function lookUpNodeType(type: string): INodeType | IVersionedNodeType {
	const nodeType = nodeClasses[type];
	if (!nodeType) throw new UnexpectedError(`Unknown node type "${type}" (the harness knows ${Object.keys(nodeClasses).join(', ')})`);
	return nodeType;
}

/** Our credential classes, by type name. */
export const credentialTypes: Record<string, ICredentialType> = Object.fromEntries(
	[new BatchApi(), new BatchCustomAudienceApi(), new CommBoxApi()].map((type) => [type.name, type]),
);

function credentialType(name: string): ICredentialType {
	const type = credentialTypes[name];
	if (!type) throw new UnexpectedError(`Unknown credential type "${name}"`);
	return type;
}

// ---------------------------------------------------------------------------------------------
// Credentials helper
// ---------------------------------------------------------------------------------------------

/** Decrypted credential data by credential type name, e.g. `{ batchApi: { restApiKey, … } }`. */
export type CredentialsByType = Record<string, ICredentialDataDecryptedObject>;

/**
 * Hands out the given decrypted credentials and applies the credential classes' `authenticate`
 * the way n8n's own helper does: a function is called; a generic one has each of its
 * `headers`/`qs`/`body`/`auth` entries (keys and values) resolved as expressions over
 * `$credentials` and merged into the request. Every authenticated request is recorded.
 */
export class TestCredentialsHelper extends ICredentialsHelper {
	/** The request options as they left `authenticate`, in order. */
	readonly authenticated: IHttpRequestOptions[] = [];

	constructor(
		private readonly credentials: CredentialsByType = {},
		/** Record the authenticated request, then throw RequestNotSent instead of letting it go out. */
		private readonly stopBeforeSending = false,
	) {
		super();
	}

	getParentTypes(): string[] {
		return [];
	}

	isCredentialUsableByNode(): boolean {
		return true;
	}

	async authenticate(
		credentials: ICredentialDataDecryptedObject,
		typeName: string,
		requestOptions: IHttpRequestOptions | IRequestOptionsSimplified,
		workflow?: Workflow,
		node?: INode,
	): Promise<IHttpRequestOptions> {
		const options = requestOptions as IHttpRequestOptions;
		const { authenticate } = credentialType(typeName);
		let result = options;
		if (typeof authenticate === 'function') {
			result = await authenticate(credentials, options);
		} else if (authenticate?.type === 'generic') {
			result = applyGenericAuthentication(authenticate, credentials, options, workflow, node);
		}
		this.authenticated.push(result);
		if (this.stopBeforeSending) throw new RequestNotSent();
		return result;
	}

	async preAuthentication(
		_helpers: IHttpRequestHelper,
		_credentials: ICredentialDataDecryptedObject,
	): Promise<ICredentialDataDecryptedObject | undefined> {
		return undefined;
	}

	async runPreAuthentication(): Promise<ICredentialDataDecryptedObject | undefined> {
		return undefined;
	}

	async getCredentials(): Promise<never> {
		throw new UnexpectedError('The test credentials helper only hands out decrypted credentials');
	}

	async getDecrypted(
		_additionalData: IWorkflowExecuteAdditionalData,
		_nodeCredentials: INodeCredentialsDetails,
		type: string,
	): Promise<ICredentialDataDecryptedObject> {
		const data = this.credentials[type];
		if (!data) throw new UnexpectedError(`No test credentials of type "${type}"`);
		// A copy with the type's defaults, as n8n applies them before a node sees the data.
		return { ...credentialDefaults(type), ...structuredClone(data) };
	}

	async updateCredentials(): Promise<void> {}

	async updateCredentialsOauthTokenData(): Promise<void> {}

	getCredentialsProperties(type: string): INodeProperties[] {
		return credentialType(type).properties;
	}
}

/** Thrown by a helper told to stop before sending: the request was resolved and authenticated only. */
export class RequestNotSent extends Error {
	constructor() {
		super('Request not sent (resolved and authenticated only)');
	}
}

function credentialDefaults(type: string): ICredentialDataDecryptedObject {
	return Object.fromEntries(
		credentialType(type).properties.map((property) => [property.name, property.default as ICredentialDataDecryptedObject[string]]),
	);
}

type AuthTarget = 'headers' | 'qs' | 'body' | 'auth';

function applyGenericAuthentication(
	authenticate: IAuthenticateGeneric,
	credentials: ICredentialDataDecryptedObject,
	options: IHttpRequestOptions,
	workflow: Workflow | undefined,
	node: INode | undefined,
): IHttpRequestOptions {
	const resolved: IHttpRequestOptions = { ...options, headers: { ...(options.headers ?? {}) } };
	const expressionWorkflow = workflow ?? new Workflow({ nodes: [], connections: {}, active: false, nodeTypes });
	const expressionNode = node ?? ({ id: 'auth', name: 'auth', type: 'auth', typeVersion: 1, position: [0, 0], parameters: {} } as INode);
	const resolve = (value: unknown) =>
		typeof value === 'string' && value.startsWith('=')
			? expressionWorkflow.expression.getSimpleParameterValue(expressionNode, value, 'internal', { $credentials: credentials }, undefined, '')
			: value;
	for (const [target, entries] of Object.entries(authenticate.properties) as Array<[AuthTarget, Record<string, unknown>]>) {
		const merged: Record<string, unknown> = { ...((resolved[target] as Record<string, unknown> | undefined) ?? {}) };
		for (const [key, value] of Object.entries(entries ?? {})) merged[String(resolve(key))] = resolve(value);
		(resolved as unknown as Record<string, unknown>)[target] = merged;
	}
	return resolved;
}

// ---------------------------------------------------------------------------------------------
// The sandbox a test file runs against
// ---------------------------------------------------------------------------------------------

export interface SandboxInUse {
	/**
	 * The file's sandbox: started (random port, no indexing delay) before its tests, stopped after
	 * them, and before each test reset (seed data, no request log, no faults) with no indexing delay.
	 * Its members read the running sandbox, so use them inside hooks and tests.
	 */
	sandbox: Sandbox;
	/** Batch project API credentials (API 2.11) for the sandbox; `overrides` replace any field. */
	batchCredentials(overrides?: ICredentialDataDecryptedObject): ICredentialDataDecryptedObject;
	/** Batch Custom Audience API credentials (API 1.1) for the sandbox; `overrides` replace any field. */
	batchCustomAudienceCredentials(overrides?: ICredentialDataDecryptedObject): ICredentialDataDecryptedObject;
	/** CommBox credentials for the sandbox; `overrides` replace any field. */
	commBoxCredentials(overrides?: ICredentialDataDecryptedObject): ICredentialDataDecryptedObject;
}

/** Registers the hooks that give the calling test file its own sandbox (see `SandboxInUse`). */
export function useSandbox(): SandboxInUse {
	let started: Sandbox | undefined;
	const running = (): Sandbox => {
		if (!started) throw new UnexpectedError('The sandbox starts in beforeAll: use it inside hooks and tests');
		return started;
	};
	beforeAll(async () => {
		started = await startSandbox({ indexingDelayMs: 0, port: 0 });
	});
	afterAll(async () => {
		await started?.stop();
	});
	beforeEach(() => {
		running().reset();
		running().setIndexingDelay(0);
	});
	const sandbox: Sandbox = {
		get url() {
			return running().url;
		},
		credentials: SANDBOX_CREDENTIALS,
		state: () => running().state(),
		requests: () => running().requests(),
		reset: () => running().reset(),
		setFaults: (config) => running().setFaults(config),
		setIndexingDelay: (ms) => running().setIndexingDelay(ms),
		configure: (config) => running().configure(config),
		whenIdle: () => running().whenIdle(),
		stop: () => running().stop(),
	};
	return {
		sandbox,
		batchCredentials: (overrides = {}) => ({
			restApiKey: SANDBOX_CREDENTIALS.batchRestKey,
			projectKey: SANDBOX_CREDENTIALS.batchProjectKey,
			baseUrl: sandbox.url,
			apiVersion: '2.11',
			...overrides,
		}),
		batchCustomAudienceCredentials: (overrides = {}) => ({
			restApiKey: SANDBOX_CREDENTIALS.batchRestKey,
			appApiKey: SANDBOX_CREDENTIALS.customAudienceAppKey,
			apiVersion: '1.1',
			baseUrl: sandbox.url,
			...overrides,
		}),
		commBoxCredentials: (overrides = {}) => ({ apiKey: SANDBOX_CREDENTIALS.commBoxApiKey, baseUrl: sandbox.url, ...overrides }),
	};
}

// ---------------------------------------------------------------------------------------------
// Workflows
// ---------------------------------------------------------------------------------------------

export interface WorkflowNode {
	name: string;
	type: string;
	typeVersion?: number;
	parameters?: INodeParameters;
	credentials?: Record<string, { id: string | null; name: string }>;
	onError?: 'continueErrorOutput' | 'continueRegularOutput' | 'stopWorkflow';
	id?: string;
	position?: [number, number];
}

/** Same shape as the e2e builder's workflows (harness/workflows.ts): nodes + connections. */
export interface WorkflowJson {
	id?: string;
	name?: string;
	nodes: WorkflowNode[];
	connections: IConnections;
	settings?: IWorkflowBase['settings'];
	staticData?: IDataObject;
}

/** Items (the given JSON objects) -> the given chain, connected in order on main output 0. */
export function itemsWorkflow(items: IDataObject[], chain: WorkflowNode[]): WorkflowJson {
	const nodes: WorkflowNode[] = [{ name: 'Items', type: ITEMS, parameters: { items: JSON.stringify(items) } }, ...chain];
	const connections: IConnections = {};
	for (let i = 0; i < nodes.length - 1; i++) {
		connections[nodes[i].name] = { main: [[{ node: nodes[i + 1].name, type: 'main', index: 0 }]] };
	}
	return { id: 'node-test', name: 'node test', nodes, connections };
}

export interface NodeRun {
	/** Main outputs of the node's first run: `outputs[0]` the regular one, `outputs[1]` the error output when enabled. */
	outputs: INodeExecutionData[][];
	error?: ExecutionError;
	executionStatus?: ExecutionStatus;
}

export interface WorkflowRun {
	status: ExecutionStatus;
	/** The workflow's static data after the run, as n8n would save it (a JSON copy). */
	staticData: IDataObject;
	/** Whether the run changed it: n8n writes it to its database only then. */
	staticDataChanged: boolean;
	/** The error that stopped the execution, if any. */
	error?: ExecutionError;
	/** First run of every node that ran. */
	nodes: Record<string, NodeRun>;
	runData: IRunData;
	run: IRun;
}

/**
 * Runs a workflow with n8n-core's WorkflowExecute (mode `manual` unless told, as from the editor),
 * starting from its first node without a parent (the Items node of `itemsWorkflow`). Every node
 * gets a credential reference for each credential type it declares and `credentials` provides.
 */
export async function runWorkflow(workflowJson: WorkflowJson, credentials: CredentialsByType = {}, mode: WorkflowExecuteMode = 'manual'): Promise<WorkflowRun> {
	return await startWorkflow(workflowJson, credentials, mode).result;
}

/** A workflow run that can be stopped as a user stops an execution in n8n (the run's `cancel()`). */
export interface StartedWorkflow {
	result: Promise<WorkflowRun>;
	cancel(): void;
}

/** `runWorkflow`, returning at once with the run's `cancel` (n8n-core aborts the execution's cancel signal). */
export function startWorkflow(workflowJson: WorkflowJson, credentials: CredentialsByType = {}, mode: WorkflowExecuteMode = 'manual'): StartedWorkflow {
	setUpContainer();
	const nodes: INode[] = workflowJson.nodes.map((node, index) => ({
		id: node.id ?? `node-${index}`,
		position: node.position ?? [index * 220, 0],
		typeVersion: node.typeVersion ?? 1,
		parameters: node.parameters ?? {},
		...node,
		credentials: node.credentials ?? credentialReferences(node.type, credentials),
	}));
	const workflow = new Workflow({
		id: workflowJson.id ?? 'node-test',
		name: workflowJson.name ?? 'node test',
		nodes,
		connections: workflowJson.connections,
		active: false,
		nodeTypes,
		settings: workflowJson.settings,
		staticData: workflowJson.staticData,
	});
	const childNames = new Set(
		Object.values(workflowJson.connections).flatMap((byType) =>
			Object.values(byType).flatMap((outputs) => (outputs ?? []).flatMap((targets) => (targets ?? []).map((t) => t.node))),
		),
	);
	const startNode = nodes.find((node) => !childNames.has(node.name));
	if (!startNode) throw new UnexpectedError('The workflow has no node without a parent to start from');

	const workflowData = { id: workflow.id, name: workflow.name, nodes, connections: workflowJson.connections } as IWorkflowBase;
	const hooks = new ExecutionLifecycleHooks(mode, 'node-test-execution', workflowData);
	const additionalData = createAdditionalData(new TestCredentialsHelper(credentials), { hooks, executionId: 'node-test-execution' });

	const workflowExecute = new WorkflowExecute(additionalData, mode);
	const running = workflowExecute.run({ workflow, startNode });
	return { result: running.then((run) => summarize(run, workflow)), cancel: () => running.cancel() };
}

function summarize(run: IRun, workflow: Workflow): WorkflowRun {
	const runData: IRunData = run.data.resultData.runData;
	const nodesRun: Record<string, NodeRun> = {};
	for (const [name, tasks] of Object.entries(runData)) {
		const [task] = tasks;
		nodesRun[name] = {
			outputs: (task.data?.main ?? []).map((items) => items ?? []),
			error: task.error,
			executionStatus: task.executionStatus,
		};
	}
	const staticData = JSON.parse(JSON.stringify(workflow.staticData)) as IDataObject;
	// n8n-workflow's flag (not enumerable) that makes n8n save static data after the run.
	const staticDataChanged = (workflow.staticData as { __dataChanged?: boolean }).__dataChanged === true;
	return { status: run.status, staticData, staticDataChanged, error: run.data.resultData.error, nodes: nodesRun, runData, run };
}

function credentialReferences(nodeTypeName: string, credentials: CredentialsByType): WorkflowNode['credentials'] {
	const declared = (lookUpNodeType(nodeTypeName) as INodeType).description.credentials ?? [];
	const references = Object.fromEntries(
		declared.filter(({ name }) => credentials[name]).map(({ name }) => [name, { id: `${name}-test`, name: `${name} (test)` }]),
	);
	return Object.keys(references).length ? references : undefined;
}

function createAdditionalData(
	credentialsHelper: ICredentialsHelper,
	extra: Partial<IWorkflowExecuteAdditionalData> = {},
): IWorkflowExecuteAdditionalData {
	const notAvailable = async () => {
		throw new UnexpectedError('Not available in node tests');
	};
	return {
		credentialsHelper,
		executeWorkflow: notAvailable,
		getRunExecutionData: async () => undefined,
		getRuntimeCredential: async () => undefined,
		currentNodeExecutionIndex: 0,
		restApiUrl: 'http://127.0.0.1:5678/rest',
		instanceBaseUrl: 'http://127.0.0.1:5678/',
		formBaseUrl: 'http://127.0.0.1:5678/form',
		formWaitingBaseUrl: 'http://127.0.0.1:5678/form-waiting',
		formTestBaseUrl: 'http://127.0.0.1:5678/form-test',
		webhookBaseUrl: 'http://127.0.0.1:5678/webhook',
		webhookWaitingBaseUrl: 'http://127.0.0.1:5678/webhook-waiting',
		webhookTestBaseUrl: 'http://127.0.0.1:5678/webhook-test',
		mcpBaseUrl: 'http://127.0.0.1:5678/mcp',
		mcpTestBaseUrl: 'http://127.0.0.1:5678/mcp-test',
		variables: {},
		logAiEvent: () => undefined,
		startRunnerTask: notAvailable,
		...extra,
	} as IWorkflowExecuteAdditionalData;
}

// ---------------------------------------------------------------------------------------------
// Polling
// ---------------------------------------------------------------------------------------------

export interface PollOptions {
	/** `trigger`: a production poll of an active workflow; `manual`: "Fetch Test Event" in the editor. */
	mode: 'trigger' | 'manual';
	/**
	 * The workflow's static data. Pass the same object to every poll: n8n-core's Workflow wraps it
	 * and the trigger's bucket (`node:<name>`) is written into it, as n8n persists it between polls.
	 */
	staticData: IDataObject;
	nodeName?: string;
	/** The trigger's type version: 1 names the Platform parameter `resource`, 2 `platform`. */
	typeVersion?: number;
}

/**
 * Runs the Audience Trigger's `poll()` once through n8n-core: a Workflow holding the trigger node
 * and the given static data, the PollContext of `getExecutePollFunctions`, and n8n-core's
 * TriggersAndPollers. Returns what `poll()` returned; a poll error is thrown.
 */
export async function runPoll(
	parameters: INodeParameters,
	credentials: CredentialsByType,
	{ mode, staticData, nodeName = 'Audience Trigger', typeVersion = 1 }: PollOptions,
): Promise<INodeExecutionData[][] | null> {
	setUpContainer();
	const node: INode = {
		id: 'audience-trigger',
		name: nodeName,
		type: AUDIENCE_TRIGGER,
		typeVersion,
		position: [0, 0],
		parameters,
		credentials: credentialReferences(AUDIENCE_TRIGGER, credentials),
	};
	const workflow = new Workflow({
		id: 'poll-test',
		name: 'poll test',
		nodes: [node],
		connections: {},
		active: mode === 'trigger',
		nodeTypes,
		staticData,
	});
	const additionalData = createAdditionalData(new TestCredentialsHelper(credentials));
	const pollFunctions = getExecutePollFunctions(workflow, node, additionalData, mode, mode === 'manual' ? 'manual' : 'activate');
	return await Container.get(TriggersAndPollers).runPollFunction(workflow, node, pollFunctions);
}

// ---------------------------------------------------------------------------------------------
// Credential tests
// ---------------------------------------------------------------------------------------------

export interface CredentialTestRun {
	/** The request as it left `authenticate`: resolved `baseURL`, `url`, `qs`, auth headers. */
	request?: IHttpRequestOptions;
	/** What the routing request returned (the response body as items), when it succeeded. */
	response?: INodeExecutionData[][] | null;
	error?: Error & { cause?: { code?: string; message?: string } };
}

/**
 * Sends a credential's `test.request` as n8n's credentials tester does: a temporary node type whose
 * only property routes that request, run by n8n-core's RoutingNode in an ExecuteContext with the
 * decrypted credentials, so `baseURL`/`url` expressions see `$credentials` and `authenticate`
 * adds the auth before n8n-core's HTTP client sends it. With `send: false` the request is resolved
 * and authenticated but never sent (for hosts that must not be contacted).
 */
export async function runCredentialTest(
	type: string,
	data: ICredentialDataDecryptedObject,
	{ send = true }: { send?: boolean } = {},
): Promise<CredentialTestRun> {
	setUpContainer();
	const credential = credentialType(type);
	if (!credential.test?.request) throw new UnexpectedError(`Credential type "${type}" has no test request`);
	const nodeType: INodeType = {
		description: {
			displayName: 'Credential Test',
			name: 'credentialTest',
			group: ['transform'],
			version: 1,
			description: 'Temporary node of a credential test',
			defaults: {},
			inputs: ['main'],
			outputs: ['main'],
			credentials: [{ name: type, required: true }],
			properties: [
				{ displayName: 'Temp', name: 'temp', type: 'string', default: '', routing: { request: credential.test.request } },
			],
		},
	};
	const node: INode = {
		id: 'temp',
		name: 'Temp-Node',
		type: 'credentialTest',
		typeVersion: 1,
		position: [0, 0],
		parameters: {},
		credentials: { [type]: { id: 'credential-test', name: 'credential test' } },
	};
	const testNodeTypes: INodeTypes = {
		getByName: () => nodeType,
		getByNameAndVersion: () => nodeType,
		getKnownTypes: () => ({}),
	};
	const workflow = new Workflow({ nodes: [node], connections: {}, active: false, nodeTypes: testNodeTypes });
	const decrypted: ICredentialsDecrypted = { id: 'credential-test', name: 'credential test', type, data: { ...credentialDefaults(type), ...data } };
	const helper = new TestCredentialsHelper({ [type]: decrypted.data! }, !send);
	const additionalData = createAdditionalData(helper);
	const runExecutionData = { resultData: { runData: {} } } as IRunExecutionData;
	const context = new ExecuteContext(
		workflow,
		node,
		additionalData,
		'internal',
		runExecutionData,
		0,
		[],
		{ main: [[{ json: {} }]] },
		{ node, data: {}, source: null },
		[],
	);
	const result: CredentialTestRun = {};
	try {
		result.response = await new RoutingNode(context, nodeType, decrypted).runNode();
	} catch (error) {
		result.error = error as CredentialTestRun['error'];
	}
	result.request = helper.authenticated[0];
	return result;
}
