/**
 * Change tracking ("Send": Only New and Changed Members, Mirror the Input; CommBox's unchanged file)
 * run through n8n-core's WorkflowExecute against the sandbox, the workflow's static data carried
 * from run to run as n8n saves it, in mode `trigger` (a production run) unless a test says otherwise.
 */
import type { IDataObject, INodeExecutionData, INodeParameters, WorkflowExecuteMode } from 'n8n-workflow';
import { createBatchAudience } from '../../harness/fixture';
import { SANDBOX_CREDENTIALS } from '../../sandbox';
import { AUDIENCE, itemsWorkflow, runWorkflow, useSandbox, type WorkflowNode, type WorkflowRun } from './harness';

const { sandbox, batchCredentials, batchCustomAudienceCredentials, commBoxCredentials } = useSandbox();
afterEach(() => sandbox.configure({ rejectIds: [], rejectIdsMessage: null }));

const AUDIENCE_NAME = 'sandbox_audience';
const credentials = () => ({
	batchApi: batchCredentials(),
	batchCustomAudienceApi: batchCustomAudienceCredentials(),
	commBoxApi: commBoxCredentials(),
});

interface Contact extends IDataObject {
	id: string;
	plan: string;
}
const contacts = (n: number, from = 0): Contact[] => Array.from({ length: n }, (_, i) => ({ id: `c${from + i}`, plan: 'free' }));

type SendMode = 'all' | 'changes' | 'mirror';
function update(sendMode: SendMode, options: IDataObject = {}, extra: IDataObject = {}): WorkflowNode {
	return {
		name: 'Audience',
		id: 'audience-node-id',
		type: AUDIENCE,
		typeVersion: 2,
		parameters: {
			resource: 'batch',
			operation: 'update',
			sendMode,
			audience: { __rl: true, mode: 'name', value: AUDIENCE_NAME },
			attributeMode: 'fields',
			attributes: { attribute: [{ name: 'plan', type: 'string', value: '={{ $json.plan }}' }] },
			options,
			...extra,
		} as INodeParameters,
		onError: 'continueErrorOutput',
	};
}

/** Runs of one workflow: each starts from the static data the previous one left (as n8n saves it). */
function workflowRuns() {
	let staticData: IDataObject = {};
	return {
		get staticData() {
			return staticData;
		},
		async run(items: IDataObject[], node: WorkflowNode, mode: WorkflowExecuteMode = 'trigger'): Promise<WorkflowRun> {
			// A copy: n8n-core changes the object it is given, and the database keeps what was saved.
			const result = await runWorkflow({ ...itemsWorkflow(items, [node]), staticData: structuredClone(staticData) }, credentials(), mode);
			// n8n saves static data for every run but those started from the editor.
			if (mode !== 'manual') staticData = result.staticData;
			await sandbox.whenIdle();
			return result;
		},
	};
}

const writesSince = (seq: number, route = 'update') => sandbox.requests().filter((request) => request.seq > seq && request.route === route);
const lastSeq = () => sandbox.requests().at(-1)?.seq ?? 0;
const members = () => sandbox.state().batch.audiences[AUDIENCE_NAME]?.members ?? {};
const outputOf = (run: WorkflowRun, output = 0) => run.nodes.Audience.outputs[output] ?? [];
const hintsOf = (run: WorkflowRun) => (run.runData.Audience[0].hints ?? []).map((hint) => hint.message);
const byChange = (items: INodeExecutionData[]) => {
	const groups: Record<string, string[]> = {};
	for (const item of items) (groups[String(item.json.change)] ??= []).push(String(item.json.id));
	return groups;
};

describe('Only New and Changed Members', () => {
	it('sends everyone once, then nothing for the same input, then only the new and changed members', async () => {
		const runs = workflowRuns();
		const first = await runs.run(contacts(25_000), update('changes'));
		expect(first.status).toBe('success');
		expect(writesSince(0).map((request) => request.ids)).toEqual([10_000, 10_000, 5_000]);
		expect(byChange(outputOf(first))).toEqual({ new: contacts(25_000).map((contact) => contact.id) });
		expect(hintsOf(first).find((hint) => hint.startsWith('Only new'))).toMatch(
			/^Only new and changed members: 25,000 new, 0 changed, 0 unchanged \(not sent\) · 25,000 members tracked \([\d.]+ kB\)\. Every member of audience "sandbox_audience" was sent \(first run: nothing is kept from earlier runs of this node for this audience\)\.$/,
		);

		let seq = lastSeq();
		const second = await runs.run(contacts(25_000), update('changes'));
		expect(writesSince(seq)).toEqual([]);
		// Nothing changed: n8n has nothing to write back.
		expect(first.staticDataChanged).toBe(true);
		expect(second.staticDataChanged).toBe(false);
		expect(outputOf(second)).toHaveLength(25_000);
		expect(outputOf(second).every((item) => item.json.outcome === 'unchanged' && item.json.change === 'unchanged')).toBe(true);
		expect(outputOf(second).map((item) => item.pairedItem)).toEqual(contacts(25_000).map((_, item) => ({ item })));
		expect(hintsOf(second).find((hint) => hint.startsWith('Only new'))).toMatch(/^Only new and changed members: 0 new, 0 changed, 25,000 unchanged \(not sent\) · 25,000 members tracked/);

		// 100 changed plans, 50 new contacts, 50 gone (c0-c49).
		const third = contacts(25_000).slice(50);
		for (const contact of third.slice(0, 100)) contact.plan = 'pro';
		third.push(...contacts(50, 25_000));
		seq = lastSeq();
		const run3 = await runs.run(third, update('changes'));
		expect(writesSince(seq).map((request) => request.ids)).toEqual([150]);
		const changes = byChange(outputOf(run3));
		expect(changes.changed).toEqual(third.slice(0, 100).map((contact) => contact.id));
		expect(changes.new).toEqual(contacts(50, 25_000).map((contact) => contact.id));
		expect(changes.unchanged).toHaveLength(24_850);
		// Nothing is removed: c0-c49 stay, the rest holds the input's plans.
		const held = members();
		expect(Object.keys(held)).toHaveLength(25_050);
		for (const contact of third) expect(held[contact.id]).toEqual({ plan: contact.plan });
	});

	it('re-sends, next run, exactly the members that were refused or whose answer was lost', async () => {
		const runs = workflowRuns();
		await runs.run(contacts(30), update('changes'));
		const changed = contacts(30).map((contact, i) => ({ ...contact, plan: i < 20 ? 'pro' : 'free' }));

		// Run 2: 20 changed members in 2 requests of 10, one at a time: the first one's answer is lost
		// (no retry), the second is refused for c13 (split-retry isolates it).
		sandbox.setFaults({ rules: [{ api: 'batch', route: 'update', kind: 'lostResponse', count: 1 }] });
		sandbox.configure({ rejectIds: ['c13'], rejectIdsMessage: 'One or more ids are not valid' });
		const options = { batchSize: 10, requestsInFlight: 1, maxRetries: 0 };
		const second = await runs.run(changed, update('changes', options));
		const failed = outputOf(second, 1).flatMap((item) => (item.pairedItem as Array<{ item: number }>).map((pair) => changed[pair.item].id));
		expect(failed).toEqual(['c0', 'c1', 'c2', 'c3', 'c4', 'c5', 'c6', 'c7', 'c8', 'c9', 'c13']);
		expect(outputOf(second, 1).map((item) => (item.json.details as IDataObject).outcome)).toEqual([...Array(10).fill('unknown'), 'refused']);

		// Run 3, nothing refused any more: exactly the members not accepted are sent again.
		sandbox.configure({ rejectIds: [] });
		sandbox.setFaults({ rules: [] });
		const seq = lastSeq();
		const third = await runs.run(changed, update('changes', options));
		expect(writesSince(seq).reduce((sum, request) => sum + request.ids, 0)).toBe(failed.length);
		expect(byChange(outputOf(third)).changed?.sort()).toEqual([...failed].sort());
		for (const contact of changed) expect(members()[contact.id]).toEqual({ plan: contact.plan });
	});

	it('sends everyone again, and says why, when the mapping or the audience changes, or on Reset', async () => {
		const runs = workflowRuns();
		await runs.run(contacts(20), update('changes'));

		const withCountry = update('changes', {}, {
			attributes: {
				attribute: [
					{ name: 'plan', type: 'string', value: '={{ $json.plan }}' },
					{ name: 'country', type: 'string', value: 'FR' },
				],
			},
		});
		let seq = lastSeq();
		const mapped = await runs.run(contacts(20), withCountry);
		expect(writesSince(seq).map((request) => request.ids)).toEqual([20]);
		expect(hintsOf(mapped).join('\n')).toContain('Every member of audience "sandbox_audience" was sent (the member ID or attribute mapping changed since the last run).');

		seq = lastSeq();
		await runs.run(contacts(20), withCountry);
		expect(writesSince(seq)).toEqual([]);

		seq = lastSeq();
		const reset = await runs.run(contacts(20), { ...withCountry, parameters: { ...withCountry.parameters, options: { resetChangeTracking: true } } });
		expect(writesSince(seq).map((request) => request.ids)).toEqual([20]);
		expect(hintsOf(reset).join('\n')).toContain('Every member of audience "sandbox_audience" was sent ("Reset Change Tracking" is on).');

		await createBatchAudience(sandbox, 'other_audience');
		const other = { ...withCountry, parameters: { ...withCountry.parameters, audience: { __rl: true, mode: 'name', value: 'other_audience' } } };
		seq = lastSeq();
		const moved = await runs.run(contacts(20), other);
		expect(writesSince(seq).map((request) => request.ids)).toEqual([20]);
		expect(hintsOf(moved).join('\n')).toContain('Every member of audience "other_audience" was sent (first run: nothing is kept from earlier runs of this node for this audience).');
		// Only the audience of the last run is tracked.
		const saved = ((runs.staticData.global as IDataObject | undefined)?.audienceSync as IDataObject)['audience-node-id'] as IDataObject;
		expect(Object.keys(saved)).toEqual(['other_audience']);
	});

	it('keeps the state in static data as a hash of the account and mapping, never a key', async () => {
		const runs = workflowRuns();
		await runs.run(contacts(5), update('changes'));
		const saved = JSON.stringify(runs.staticData);
		expect(saved).toContain('"audience-node-id"');
		for (const secret of [SANDBOX_CREDENTIALS.batchRestKey, SANDBOX_CREDENTIALS.batchProjectKey]) {
			expect(saved).not.toContain(secret);
			expect(saved).not.toContain(Buffer.from(secret).toString('base64'));
		}
	});

	it('a run started from the editor compares with the saved state but keeps nothing, and says so', async () => {
		const runs = workflowRuns();
		await runs.run(contacts(10), update('changes'));
		const changed = contacts(10).map((contact, i) => ({ ...contact, plan: i < 3 ? 'pro' : 'free' }));

		let seq = lastSeq();
		const manual = await runs.run(changed, update('changes'), 'manual');
		expect(writesSince(seq).map((request) => request.ids)).toEqual([3]);
		expect(manual.runData.Audience[0].hints).toContainEqual(
			expect.objectContaining({ type: 'warning', message: expect.stringContaining('This run was started from the editor, and n8n does not keep what such runs send') }),
		);

		// The next production run did not learn from it: it sends the 3 again.
		seq = lastSeq();
		await runs.run(changed, update('changes'));
		expect(writesSince(seq).map((request) => request.ids)).toEqual([3]);
	});

	it('All Members forgets what an earlier tracked run kept', async () => {
		const runs = workflowRuns();
		await runs.run(contacts(5), update('changes'));
		expect((runs.staticData.global as IDataObject | undefined)?.audienceSync).toBeDefined();
		await runs.run(contacts(5), update('all'));
		expect((runs.staticData.global as IDataObject | undefined)?.audienceSync).toBeUndefined();
	});

	it('the legacy Custom Audience API tracks changes too', async () => {
		const runs = workflowRuns();
		const legacy = (sendMode: SendMode) => ({ ...update(sendMode), parameters: { ...update(sendMode).parameters, resource: 'batchCustomAudience' } });
		await runs.run(contacts(12), legacy('changes'));
		const seq = lastSeq();
		const changed = contacts(12).map((contact, i) => ({ ...contact, plan: i === 4 ? 'pro' : 'free' }));
		await runs.run(changed, legacy('changes'));
		const writes = sandbox.requests().filter((request) => request.seq > seq && request.api === 'customAudience' && request.method === 'PATCH');
		expect(writes.map((request) => request.ids)).toEqual([1]);
		expect(sandbox.state().customAudience.audiences[AUDIENCE_NAME].members.c4.attributes).toEqual({ plan: 'pro' });
	});
});

describe('Mirror the Input', () => {
	it('replaces the audience on its first run, then sends the adds and removes of what changed', async () => {
		const runs = workflowRuns();
		// The audience holds 7 members that are not in the input, sent by another node.
		await runs.run(contacts(7, 500), { ...update('all'), id: 'another-node-id' });
		expect(Object.keys(members())).toHaveLength(7);

		const first = await runs.run(contacts(30), update('mirror'));
		expect(first.status).toBe('success');
		expect(writesSince(0, 'replace').map((request) => request.ids)).toEqual([30]);
		expect(hintsOf(first).join('\n')).toContain('Audience "sandbox_audience" was replaced by the input (first Mirror run).');
		expect(Object.keys(members()).sort()).toEqual(contacts(30).map((contact) => contact.id).sort());

		// 5 leave (c0-c4), 3 change plan, 2 arrive.
		const next = contacts(30).slice(5);
		for (const contact of next.slice(0, 3)) contact.plan = 'team';
		next.push(...contacts(2, 100));
		const seq = lastSeq();
		const second = await runs.run(next, update('mirror'));
		expect(writesSince(seq).map((request) => request.ids)).toEqual([10]);
		expect(writesSince(seq, 'replace')).toEqual([]);
		const [request] = outputOf(second).filter((item) => item.json.outcome === 'accepted');
		expect(request).toBeDefined();
		expect(hintsOf(second).find((hint) => hint.startsWith('Mirror'))).toMatch(/^Mirror the input: 2 new, 3 changed, 22 unchanged \(not sent\), 5 removed · 27 members tracked/);
		const held = members();
		expect(Object.keys(held).sort()).toEqual(next.map((contact) => contact.id).sort());
		for (const contact of next) expect(held[contact.id]).toEqual({ plan: contact.plan });
	});

	it('refuses to remove more than the allowed share, says how to allow it, and removes once allowed', async () => {
		const runs = workflowRuns();
		await runs.run(contacts(100), update('mirror'));
		const shrunk = contacts(40);

		const seq = lastSeq();
		const refused = await runs.run(shrunk, { ...update('mirror'), onError: undefined });
		expect(refused.status).toBe('error');
		expect(refused.error?.message).toBe(
			'Mirror refused: audience "sandbox_audience" would lose 60 of its 100 members (they are missing from the input), leaving 40, below the minimum share of 50%. Nothing was sent; to allow it, lower "Minimum Share of Current Size (%)" in the node\'s options (0 turns this guard off).',
		);
		expect(writesSince(seq)).toEqual([]);
		expect(Object.keys(members())).toHaveLength(100);

		await runs.run(shrunk, update('mirror', { minimumShare: 30 }));
		expect(Object.keys(members()).sort()).toEqual(shrunk.map((contact) => contact.id).sort());
	});

	it('replaces the audience when it no longer holds what earlier runs left in it: changed elsewhere, or an older copy of the saved data came back', async () => {
		const runs = workflowRuns();
		await runs.run(contacts(20), update('mirror'));
		const olderCopy = runs.staticData;
		// c0-c4 leave: removed by run 2.
		await runs.run(contacts(15, 5), update('mirror'));
		expect(Object.keys(members())).toHaveLength(15);

		// n8n writes back an older copy of the workflow's static data (as a trigger holding one does).
		const back = contacts(20).slice(2);
		const restored = await runWorkflow({ ...itemsWorkflow(back, [update('mirror')]), staticData: olderCopy }, credentials(), 'trigger');
		await sandbox.whenIdle();
		// The older copy holds c0-c19; the audience holds c5-c19: its size gives it away, and the input is replaced in.
		expect(hintsOf(restored).join('\n')).toContain(
			'Audience "sandbox_audience" was replaced by the input (it holds 15 members, not the 20 earlier runs left in it: it was changed elsewhere, or an older copy of the workflow\'s saved data came back).',
		);
		expect(Object.keys(members()).sort()).toEqual(back.map((contact) => contact.id).sort());

		// Members added elsewhere: the same.
		await runs.run(back, update('mirror'));
		await runWorkflow({ ...itemsWorkflow(contacts(2, 900), [{ ...update('all'), id: 'another-node-id' }]) }, credentials(), 'trigger');
		await sandbox.whenIdle();
		const seq = lastSeq();
		await runs.run(back, update('mirror'));
		expect(writesSince(seq, 'replace').map((request) => request.ids)).toEqual([18]);
		expect(Object.keys(members()).sort()).toEqual(back.map((contact) => contact.id).sort());
	});

	it('a lost answer is sent again next run, not taken for an audience changed elsewhere', async () => {
		const runs = workflowRuns();
		const options = { batchSize: 10, requestsInFlight: 1, maxRetries: 0 };
		await runs.run(contacts(30), update('mirror', options));

		for (const input of [contacts(35), contacts(30)]) {
			// 5 arrive (then 5 leave): the one request's answer is lost, though the sandbox applied it.
			sandbox.setFaults({ rules: [{ api: 'batch', route: 'update', kind: 'lostResponse', count: 1 }] });
			const lost = await runs.run(input, update('mirror', options));
			expect(outputOf(lost, 1).map((item) => (item.json.details as IDataObject).outcome)).toEqual(input.length === 35 ? Array(5).fill('unknown') : []);
			sandbox.setFaults({ rules: [] });

			const seq = lastSeq();
			const next = await runs.run(input, update('mirror', options));
			expect(writesSince(seq, 'replace')).toEqual([]);
			expect(writesSince(seq).map((request) => request.ids)).toEqual([5]);
			expect(hintsOf(next).join('\n')).not.toContain('was replaced');
			expect(Object.keys(members()).sort()).toEqual(input.map((contact) => contact.id).sort());
		}
	});

	it('an empty input is refused', async () => {
		const runs = workflowRuns();
		const result = await runs.run([{}], { ...update('mirror'), onError: undefined });
		expect(result.error?.message).toBe('The input is empty: mirroring it would remove every member of the audience. Nothing was sent.');
	});
});

describe('CommBox Replace Static', () => {
	const replaceStatic = (options: IDataObject = {}): WorkflowNode => ({
		name: 'Audience',
		id: 'commbox-node-id',
		type: AUDIENCE,
		typeVersion: 2,
		parameters: { resource: 'commBox', operation: 'replaceStatic', audience: { __rl: true, mode: 'id', value: '1001' }, source: 'items', options } as INodeParameters,
	});
	const phones = (n: number) => Array.from({ length: n }, (_, i) => ({ phone: `+33 6 12 34 ${String(5600 + i).replace(/(..)(..)/, '$1 $2')}` }));

	it('uploads a file once, then says "unchanged, not uploaded" for the same input; a changed input is uploaded', async () => {
		const runs = workflowRuns();
		await runs.run(phones(20), replaceStatic());
		const uploads = () => sandbox.requests().filter((request) => request.api === 'commBox' && request.method === 'PUT');
		expect(uploads()).toHaveLength(1);

		const second = await runs.run(phones(20), replaceStatic());
		expect(uploads()).toHaveLength(1);
		expect(hintsOf(second)).toContain('20 items → 1 file of 20 rows unchanged since the last accepted upload, not uploaded, 0 duplicates collapsed, 0 invalid');
		expect(outputOf(second)).toHaveLength(20);
		expect(outputOf(second).every((item) => item.json.outcome === 'unchanged')).toBe(true);

		await runs.run(phones(20), replaceStatic({ uploadUnchanged: true }));
		expect(uploads()).toHaveLength(2);
		await runs.run(phones(21), replaceStatic());
		expect(uploads()).toHaveLength(3);
		expect(sandbox.state().commBox.audiences['1001'].rows).toHaveLength(21);
	});
});
