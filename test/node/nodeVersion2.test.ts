/**
 * Node version 2: one output item per contact, carrying the contact's own fields, so the nodes after
 * the Audience node can use them without rewiring (Update → Check Indexing → CommBox). Version 1
 * nodes keep their output: one item per request (per file for CommBox). Run by n8n-core's
 * WorkflowExecute against the sandbox.
 */
import type { IDataObject, INodeParameters } from 'n8n-workflow';
import { Audience } from '../../nodes/Audience/Audience.node';
import { AUDIENCE, itemsWorkflow, runWorkflow, useSandbox, type WorkflowNode } from './harness';

const { sandbox, batchCredentials, commBoxCredentials } = useSandbox();

const AUDIENCE_NAME = 'sandbox_audience';
const credentials = () => ({ batchApi: batchCredentials(), commBoxApi: commBoxCredentials() });

/** 50 contacts as a Code node would give them: id, email and a valid French mobile number. */
const CONTACTS: IDataObject[] = Array.from({ length: 50 }, (_, i) => ({
	id: `u${i}`,
	email: `contact${i}@example.com`,
	phone: `+33 6 12 ${String(340_000 + i).replace(/(..)(..)(..)/, '$1 $2 $3')}`,
}));
/** The phone1 CommBox stores for contact i. */
const phone1 = (i: number) => `336123400${String(i).padStart(2, '0')}`;

function batchUpdate(typeVersion: number | undefined, options: IDataObject = {}): WorkflowNode {
	return {
		name: 'Batch Update',
		type: AUDIENCE,
		...(typeVersion === undefined ? {} : { typeVersion }),
		parameters: { resource: 'batch', operation: 'update', audience: { __rl: true, mode: 'name', value: AUDIENCE_NAME }, options } as INodeParameters,
	};
}

/** Check Indexing with its defaults: audience `={{ $json.audience }}`, token `={{ $json.indexingToken }}`. */
function checkIndexing(typeVersion: number, options: IDataObject = {}): WorkflowNode {
	return { name: 'Check Indexing', type: AUDIENCE, typeVersion, parameters: { resource: 'batch', operation: 'checkIndexing', options } as INodeParameters };
}

function commBoxReplace(typeVersion: number, parameters: IDataObject = {}): WorkflowNode {
	return {
		name: 'CommBox Replace',
		type: AUDIENCE,
		typeVersion,
		parameters: {
			resource: 'commBox',
			operation: 'replaceStatic',
			audience: { __rl: true, mode: 'id', value: '1001' },
			source: 'items',
			phone: '={{ $json.phone }}',
			...parameters,
		} as INodeParameters,
	};
}

describe('version 2 (the default of new nodes): one item per contact', () => {
	it('Batch Update: each output item is its contact (email, phone) plus audience, outcome and token, paired to its input', async () => {
		const run = await runWorkflow(itemsWorkflow(CONTACTS, [batchUpdate(2)]), credentials());

		expect(run.status).toBe('success');
		const [output] = run.nodes['Batch Update'].outputs;
		expect(output).toHaveLength(50);
		const token = output[0].json.indexingToken;
		expect(token).toMatch(/^[0-9a-f]{32}$/);
		expect(output).toEqual(
			CONTACTS.map((contact, i) => ({
				json: { ...contact, audience: AUDIENCE_NAME, outcome: 'accepted', indexingToken: token, dryRun: false },
				pairedItem: { item: i },
			})),
		);
		expect(sandbox.requests().map((r) => [r.method, r.route, r.status, r.ids])).toEqual([['POST', 'update', 202, 50]]);
	});

	it('Batch Update with "Wait for Indexing": each contact also carries the indexing state', async () => {
		const run = await runWorkflow(itemsWorkflow(CONTACTS.slice(0, 3), [batchUpdate(2, { waitForIndexing: true, pollInterval: 1 })]), credentials());

		expect(run.status).toBe('success');
		const [output] = run.nodes['Batch Update'].outputs;
		expect(output.map((item) => item.json)).toEqual(
			CONTACTS.slice(0, 3).map((contact) => ({
				...contact,
				audience: AUDIENCE_NAME,
				outcome: 'accepted',
				indexingToken: expect.stringMatching(/^[0-9a-f]{32}$/),
				indexingState: 'APPLIED',
				indexingDone: true,
				dryRun: false,
			})),
		);
	});

	it('a dry run: each contact with its audience and dryRun, no outcome, nothing sent', async () => {
		const run = await runWorkflow(itemsWorkflow(CONTACTS.slice(0, 2), [batchUpdate(2, { dryRun: true })]), credentials());

		expect(run.nodes['Batch Update'].outputs[0]).toEqual([
			{ json: { ...CONTACTS[0], audience: AUDIENCE_NAME, indexingToken: null, dryRun: true }, pairedItem: { item: 0 } },
			{ json: { ...CONTACTS[1], audience: AUDIENCE_NAME, indexingToken: null, dryRun: true }, pairedItem: { item: 1 } },
		]);
		expect(sandbox.requests()).toEqual([]);
	});

	it('the node type has versions 1 and 2, and new nodes get version 2', () => {
		const { description } = new Audience();
		expect(description.version).toEqual([1, 2]);
		expect(description.defaultVersion).toBe(2);
	});

	it('Code → Batch Update → Check Indexing (Wait Until Done) → CommBox Replace Static (phone ={{ $json.phone }}): runs without rewiring', async () => {
		sandbox.setIndexingDelay(300);
		const run = await runWorkflow(
			itemsWorkflow(CONTACTS, [batchUpdate(2), checkIndexing(2, { waitUntilDone: true, pollInterval: 0.2 }), commBoxReplace(2)]),
			credentials(),
		);

		expect(run.status).toBe('success');
		const updated = run.nodes['Batch Update'].outputs[0];
		const token = updated[0].json.indexingToken;

		// Check Indexing keeps each contact's fields and adds the state of its write.
		const checked = run.nodes['Check Indexing'].outputs[0];
		expect(checked).toHaveLength(50);
		expect(checked.map((item) => item.pairedItem)).toEqual(CONTACTS.map((_, i) => ({ item: i })));
		expect(checked[7].json).toEqual({
			...CONTACTS[7],
			audience: AUDIENCE_NAME,
			outcome: 'accepted',
			indexingToken: token,
			dryRun: false,
			indexingState: 'APPLIED',
			done: true,
			nb_ids: 50,
			updated: expect.any(String),
		});

		// CommBox: one item per contact, with its fields, the audience ID and the outcome.
		const uploaded = run.nodes['CommBox Replace'].outputs[0];
		expect(uploaded).toHaveLength(50);
		expect(uploaded.map((item) => item.pairedItem)).toEqual(CONTACTS.map((_, i) => ({ item: i })));
		expect(uploaded[7].json).toEqual({ ...checked[7].json, audienceId: '1001', outcome: 'accepted', dryRun: false });

		await sandbox.whenIdle();
		const state = sandbox.state();
		expect(Object.keys(state.batch.audiences[AUDIENCE_NAME].members).sort()).toEqual(CONTACTS.map((contact) => contact.id).sort());
		expect(state.commBox.audiences['1001'].rows).toEqual(CONTACTS.map((_, i) => ({ phone1: phone1(i) })));
		// One update, Check Indexing's looks until APPLIED, then Replace Static's size check and its upload.
		const requests = sandbox.requests().map((r) => [r.method, r.route, r.status]);
		const views = requests.filter(([, route]) => route === 'view').length;
		expect(views).toBeGreaterThanOrEqual(1);
		expect(requests).toEqual([
			['POST', 'update', 202],
			...Array(views).fill(['GET', 'view', 200]),
			['GET', 'GET /audiences', 200],
			['PUT', 'PUT /Audiences', 200],
		]);
	});
	it('CommBox Create Static: one item per contact in the file, with the new audience ID and the outcome', async () => {
		const create: WorkflowNode = {
			name: 'CommBox Create',
			type: AUDIENCE,
			typeVersion: 2,
			parameters: { resource: 'commBox', operation: 'createStatic', name: 'v2_contacts', source: 'items', phone: '={{ $json.phone }}' } as INodeParameters,
		};
		const run = await runWorkflow(itemsWorkflow(CONTACTS.slice(0, 3), [create]), credentials());

		expect(run.status).toBe('success');
		const [output] = run.nodes['CommBox Create'].outputs;
		const created = Object.values(sandbox.state().commBox.audiences).find((audience) => audience.name === 'v2_contacts');
		expect(created?.rows).toEqual([0, 1, 2].map((i) => ({ phone1: phone1(i) })));
		expect(output).toEqual(
			CONTACTS.slice(0, 3).map((contact, i) => ({
				// The contact keeps its own fields: the new audience's name is not added (a contact's `name` would be lost).
				json: { ...contact, audienceId: created?.id, outcome: 'accepted', dryRun: false },
				pairedItem: { item: i },
			})),
		);
	});
});

describe('version 1 (existing nodes): output unchanged', () => {
	it('Batch Update: one item per request, paired to every item it carries, without the contacts\' fields', async () => {
		for (const typeVersion of [1, undefined]) {
			sandbox.reset();
			const run = await runWorkflow(itemsWorkflow(CONTACTS, [batchUpdate(typeVersion, { batchSize: 20 })]), credentials());

			expect(run.status).toBe('success');
			const [output] = run.nodes['Batch Update'].outputs;
			expect(output.map((item) => item.json)).toEqual(
				[20, 20, 10].map((ids, i) => ({
					audience: AUDIENCE_NAME,
					operation: 'update',
					indexingToken: expect.stringMatching(/^[0-9a-f]{32}$/),
					request: i + 1,
					requests: 3,
					ids,
					added: ids,
					removed: 0,
					duplicatesCollapsed: 0,
					dryRun: false,
					outcome: 'accepted',
				})),
			);
			expect(output.map((item) => item.pairedItem)).toEqual([
				Array.from({ length: 20 }, (_, i) => ({ item: i })),
				Array.from({ length: 20 }, (_, i) => ({ item: 20 + i })),
				Array.from({ length: 10 }, (_, i) => ({ item: 40 + i })),
			]);
		}
	});

	it('version 2 with Output "One Item per Request" gives the version 1 output', async () => {
		const run = await runWorkflow(itemsWorkflow(CONTACTS, [batchUpdate(2, { outputMode: 'perRequest' })]), credentials());

		const [output] = run.nodes['Batch Update'].outputs;
		expect(output).toHaveLength(1);
		expect(output[0].json).toMatchObject({ audience: AUDIENCE_NAME, operation: 'update', request: 1, requests: 1, ids: 50, outcome: 'accepted' });
		expect(output[0].json).not.toHaveProperty('email');
	});

	it('Check Indexing: the state of each item\'s write, without the item\'s fields', async () => {
		const run = await runWorkflow(itemsWorkflow(CONTACTS.slice(0, 2), [batchUpdate(2), checkIndexing(1, { waitUntilDone: true, pollInterval: 1 })]), credentials());

		expect(run.status).toBe('success');
		const token = run.nodes['Batch Update'].outputs[0][0].json.indexingToken;
		const json = { audience: AUDIENCE_NAME, indexingToken: token, indexingState: 'APPLIED', done: true, nb_ids: 2, updated: expect.any(String) };
		expect(run.nodes['Check Indexing'].outputs[0]).toEqual([
			{ json, pairedItem: { item: 0 } },
			{ json, pairedItem: { item: 1 } },
		]);
	});

	it('CommBox Replace Static: one item for the file, paired to every row', async () => {
		const run = await runWorkflow(itemsWorkflow(CONTACTS.slice(0, 3), [commBoxReplace(1)]), credentials());

		expect(run.status).toBe('success');
		const [output] = run.nodes['CommBox Replace'].outputs;
		expect(output).toHaveLength(1);
		expect(output[0].json).toMatchObject({ audienceId: '1001', operation: 'replaceStatic', rows: 3, dryRun: false });
		expect(output[0].json).not.toHaveProperty('email');
		expect(output[0].pairedItem).toEqual([{ item: 0 }, { item: 1 }, { item: 2 }]);
	});
});
