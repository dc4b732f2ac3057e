import { createBatchAudience, pairedIndexes, range, useE2e, type E2eFixture } from '../../harness/fixture';
import { outputOf, type RunResult } from '../../harness/n8n';
import { MAX_IDS_PER_REQUEST, splitRetryBound } from '../../nodes/Audience/engine';
import { audienceNode, byName, linearWorkflow, type NodeSpec } from '../../harness/workflows';

/**
 * Every outcome is stated as it is, in a real n8n 2.40.7 against the sandbox: a request whose answer
 * was lost is "unknown" (never "unchanged", never "not accepted"), a refused record is isolated
 * within the split-retry bound, a create whose answer and look-up both failed says it is not known,
 * a replace whose middle chunk fails names the item ranges held, a huge error body stays small in
 * the run data, and a mapped column named `__proto__` stops the run before anything is sent.
 */
const node = audienceNode;
const CONTINUE: Partial<NodeSpec> = { onError: 'continueErrorOutput' };
const ids = (prefix: string, n: number) => `return Array.from({ length: ${n} }, (_, i) => ({ json: { id: '${prefix}-' + i } }));`;
const PHONES = `return [{ json: { phone: '442079832100' } }, { json: { phone: '33612345678' } }];`;
const RUN_AGAIN_IS_SAFE = 'Running the workflow again is safe';

const workflows = [
	linearWorkflow('replaceLost', ids('new', 25000), [node('batch', 'replace', { audience: byName('nightly'), options: { maxRetries: 1 } }, CONTINUE)]),
	linearWorkflow('updateLostContinue', ids('u', 100), [node('batch', 'update', { audience: byName('lost'), options: { maxRetries: 1 } }, CONTINUE)]),
	linearWorkflow('updateLostStop', ids('u', 100), [node('batch', 'update', { audience: byName('lost'), options: { maxRetries: 1 } })]),
	linearWorkflow('split4', ids('r', 25000), [node('batch', 'update', { audience: byName('split') }, CONTINUE)]),
	linearWorkflow('splitAdjacent', ids('r', 1000), [node('batch', 'update', { audience: byName('split') }, CONTINUE)]),
	linearWorkflow('refusedWide', ids('r', 25000), [node('batch', 'update', { audience: byName('no_such_audience') }, CONTINUE)]),
	linearWorkflow('batchCreateUnknown', 'return [{ json: {} }];', [node('batch', 'create', { name: 'fresh_audience', options: { maxRetries: 0 } })]),
	linearWorkflow('commBoxCreateUnknown', PHONES, [node('commBox', 'createStatic', { name: 'lost_lookup', options: { maxRetries: 0 } })]),
	linearWorkflow('replaceChunkFails', ids('new', 25000), [node('batch', 'replace', { audience: byName('nightly'), options: { maxRetries: 0 } }, CONTINUE)]),
	linearWorkflow('hugeError', ids('h', 4), [node('batch', 'update', { audience: byName('huge'), options: { maxRetries: 0 } }, CONTINUE)]),
	linearWorkflow('protoColumn', PHONES, [
		node('commBox', 'replaceStatic', {
			audience: { __rl: true, mode: 'id', value: '1001' },
			extraColumns: 'mapped',
			columns: { column: [{ name: '__proto__', value: 'x' }] },
		}),
	]),
];

type Item = { json: Record<string, any>; pairedItem?: any };
const OLD_500 = range(500).map((i) => `old-${i}`);

/** The input item an output item is paired to (error items are paired to exactly one). */
function itemIndexOf(item: Item): number {
	const pairs = Array.isArray(item.pairedItem) ? item.pairedItem : [item.pairedItem];
	expect(pairs).toHaveLength(1);
	return pairs[0].item;
}

/** The node's requests to one Batch route since `before` (an index into the request log). */
const batchRequests = (fixture: E2eFixture, route: string, before = 0) =>
	fixture.sandbox
		.requests()
		.slice(before)
		.filter((r) => r.api === 'batch' && r.route === route);

/** 0..n-1 split into chunks of the plan's size: [first index, size]. */
const chunksOf = (n: number) => range(Math.ceil(n / MAX_IDS_PER_REQUEST)).map((k) => [k * MAX_IDS_PER_REQUEST, Math.min(MAX_IDS_PER_REQUEST, n - k * MAX_IDS_PER_REQUEST)]);

/** The bound of split-retry over a run of `n` ids `r-0..` with the bad item indexes given. */
function boundFor(n: number, bad: number[]): number {
	return chunksOf(n)
		.map(([start, size]) => [size, bad.filter((i) => i >= start && i < start + size).length])
		.filter(([, refused]) => refused > 0)
		.reduce((sum, [size, refused]) => sum + splitRetryBound(size, refused), 0);
}

const members = (fixture: E2eFixture, audience: string) => Object.keys(fixture.sandbox.state().batch.audiences[audience]?.members ?? {});

function describeError(result: RunResult): string {
	return `${result.error?.message ?? ''}\n${result.error?.description ?? ''}`;
}

describe('outcomes in a real n8n', () => {
	const fixture = useE2e(workflows, (sandbox) => sandbox.configure({ indexingDelayMs: 100, rejectIds: [], rejectIdsMessage: null }));

	describe('answers lost after the server processed the request', () => {
		it('a replace of 500 by 25,000 whose answer is lost on every attempt, under Continue: items 1-10000 unknown, 10001-25000 not sent, never "unchanged"; the replace was applied', async () => {
			await createBatchAudience(fixture.sandbox, 'nightly', OLD_500);
			fixture.sandbox.setFaults({ rules: [{ api: 'batch', route: 'replace', kind: 'lostResponse' }] });
			const before = fixture.sandbox.requests().length;
			const result = await fixture.n8n.execute('replaceLost');
			expect(result.error).toBeUndefined();
			await fixture.sandbox.whenIdle();

			expect(batchRequests(fixture, 'replace', before).map((r) => [r.status, r.ids, r.fault])).toEqual([
				[0, 10000, 'lostResponse'],
				[0, 10000, 'lostResponse'],
			]);
			expect(batchRequests(fixture, 'update', before)).toHaveLength(0);
			expect(outputOf(result, 'Audience', 0)).toHaveLength(0);

			const errors = outputOf(result, 'Audience', 1) as Item[];
			expect(errors).toHaveLength(25000);
			expect(pairedIndexes(errors)).toEqual(range(25000));
			const unknown = errors.filter((item) => itemIndexOf(item) < 10000);
			const notSent = errors.filter((item) => itemIndexOf(item) >= 10000);
			expect(unknown).toHaveLength(10000);
			expect(notSent).toHaveLength(15000);
			for (const item of unknown) {
				expect(item.json.details).toEqual({ outcome: 'unknown', sent: true });
				expect(item.json.error).toContain(RUN_AGAIN_IS_SAFE);
			}
			for (const item of notSent) {
				expect(item.json.details).toEqual({ outcome: 'refused', sent: false });
				expect(item.json.error).toContain('not sent');
			}
			expect(unknown[0].json.error).toMatch(
				/^Request 1 of 3 to audience "nightly" has an unknown outcome \(it may have been applied\): .*the replace of audience "nightly" \(items 1-10000 \(10,000 ids\)\) has an unknown outcome: .*; items 10001-25000 \(15,000 ids\) not sent\. Running the workflow again is safe/,
			);
			// n8n merged each paired input item into its error item.
			expect(errors.every((item) => item.json.id === `new-${itemIndexOf(item)}`)).toBe(true);

			// The sandbox applied the replace: the first chunk's 10,000 new ids, none of the 500 old.
			expect(members(fixture, 'nightly').sort()).toEqual(range(10000).map((i) => `new-${i}`).sort());

			// Nothing whose outcome is unknown is called unchanged.
			expect([...new Set(errors.map((item) => item.json.error).filter((message) => /unchanged/.test(message)))]).toEqual([]);
		}, 10 * 60_000);

		describe('an update of 100 ids whose answer is lost on every attempt', () => {
			beforeEach(async () => {
				await createBatchAudience(fixture.sandbox, 'lost');
				fixture.sandbox.setFaults({ rules: [{ api: 'batch', route: 'update', kind: 'lostResponse' }] });
			});

			it('under Continue: 100 error items with outcome unknown, none saying no request was accepted', async () => {
				const result = await fixture.n8n.execute('updateLostContinue');
				expect(result.error).toBeUndefined();
				await fixture.sandbox.whenIdle();

				expect(batchRequests(fixture, 'update').map((r) => [r.status, r.ids, r.fault])).toEqual([
					[0, 100, 'lostResponse'],
					[0, 100, 'lostResponse'],
				]);
				expect(outputOf(result, 'Audience', 0)).toHaveLength(0);
				const errors = outputOf(result, 'Audience', 1) as Item[];
				expect(pairedIndexes(errors)).toEqual(range(100));
				for (const item of errors) {
					expect(item.json.details).toEqual({ outcome: 'unknown', sent: true });
					expect(item.json.error).not.toMatch(/No request of this run was accepted/);
					expect(item.json.error).not.toMatch(/unchanged/);
					expect(item.json.error).toContain(RUN_AGAIN_IS_SAFE);
				}
				expect(errors[0].json.error).toMatch(/^Request 1 of 1 to audience "lost" has an unknown outcome \(it may have been applied\): /);
				expect(errors[0].json.error).toMatch(/items 1-100 \(100 ids\) outcome unknown \(may have been applied\)/);
				// Processed on the way in: the sandbox holds them.
				expect(members(fixture, 'lost')).toHaveLength(100);
				// No statement names an empty group of items (e.g. "items  (0 ids) accepted").
				expect(errors[0].json.error).not.toMatch(/\(0 ids\)/);
			}, 5 * 60_000);

			it('without Continue: the run error says the outcome is unknown and that running again is safe', async () => {
				const result = await fixture.n8n.execute('updateLostStop');
				const message = result.error?.message ?? '';
				expect(message).toMatch(/^Request 1 of 1 to audience "lost" has an unknown outcome \(it may have been applied\): /);
				expect(message).toMatch(/The outcome of 1 request is unknown: request 1 of 1 \(audience "lost", 100 ids\) may have been applied\. Running the workflow again is safe/);
				expect(message).not.toMatch(/No request of this run was accepted/);
				expect(message).not.toMatch(/unchanged/);
				// No statement names an empty group of items (e.g. "items  (0 ids) accepted").
				expect(message).not.toMatch(/\(0 ids\)/);
			}, 5 * 60_000);
		});
	});

	describe('split-retry of refusals whose message names no record', () => {
		beforeEach(async () => {
			await createBatchAudience(fixture.sandbox, 'split');
		});

		/** Runs `workflow` over `n` ids `r-0..` with the items `bad` refused by a message naming none of them. */
		async function expectOnlyBadRefused(workflow: string, n: number, bad: number[]): Promise<void> {
			fixture.sandbox.configure({ rejectIds: bad.map((i) => `r-${i}`), rejectIdsMessage: 'One or more ids are not valid' });
			const before = fixture.sandbox.requests().length;
			const result = await fixture.n8n.execute(workflow);
			await fixture.sandbox.whenIdle();
			const updates = batchRequests(fixture, 'update', before);
			const chunks = chunksOf(n).length;
			const extra = updates.length - chunks;
			const bound = boundFor(n, bad);
			console.log(`split-retry, items ${bad.join(', ')} refused among ${n.toLocaleString('en-US')} (${chunks} chunks): ${updates.length} update requests, ${extra} extra (bound ${bound})`);
			expect(result.error).toBeUndefined();

			const errors = outputOf(result, 'Audience', 1) as Item[];
			expect(pairedIndexes(errors)).toEqual(bad);
			for (const item of errors) {
				expect(item.json.details).toEqual({ outcome: 'refused', sent: true });
				expect(item.json.error).toMatch(new RegExp(`^Id "r-${itemIndexOf(item)}" refused by Batch \\(found by splitting its request\\): Batch answered 400: One or more ids are not valid`));
			}
			expect(pairedIndexes(outputOf(result, 'Audience', 0))).toEqual(range(n).filter((i) => !bad.includes(i)));
			const held = members(fixture, 'split');
			expect(held).toHaveLength(n - bad.length);
			for (const i of bad) expect(held).not.toContain(`r-${i}`);
			expect(updates.filter((r) => r.status === 202).reduce((sum, r) => sum + r.ids, 0)).toBe(n - bad.length);
			expect(extra).toBeGreaterThan(0);
			expect(extra).toBeLessThanOrEqual(bound);
		}

		it('25,000 ids, 4 refused (items 7, 6000, 12345, 24999), under Continue: exactly those 4 on the error output, 24,996 held, extra requests within the bound', async () => {
			await expectOnlyBadRefused('split4', 25000, [7, 6000, 12345, 24999]);
		}, 10 * 60_000);

		it('1,000 ids, the adjacent items 100, 101 and 102 refused, under Continue: exactly those 3', async () => {
			await expectOnlyBadRefused('splitAdjacent', 1000, [100, 101, 102]);
		}, 5 * 60_000);

		it('25,000 ids to an audience that does not exist (every request refused), under Continue: the refusal concerns the request, extra requests within the request-wide bound', async () => {
			const before = fixture.sandbox.requests().length;
			const result = await fixture.n8n.execute('refusedWide');
			expect(result.error).toBeUndefined();

			expect(outputOf(result, 'Audience', 0)).toHaveLength(0);
			const errors = outputOf(result, 'Audience', 1) as Item[];
			expect(pairedIndexes(errors)).toEqual(range(25000));
			for (const item of errors) {
				expect(item.json.details).toEqual({ outcome: 'refused', sent: true });
				expect(item.json.error).toMatch(
					/^[\d,]+ ids? refused by Batch: three ids of their request sent alone and the rest were all refused too, so the refusal concerns the request \(audience, credentials or format\), not single members: Batch answered 400: /,
				);
			}
			expect(fixture.sandbox.state().batch.audiences.no_such_audience).toBeUndefined();

			const updates = batchRequests(fixture, 'update', before);
			expect(updates.every((r) => r.status === 400)).toBe(true);
			const extra = updates.length - 3;
			const bound = chunksOf(25000).reduce((sum, [, size]) => sum + splitRetryBound(size, size), 0);
			console.log(`split-retry, every request refused (25,000 ids, 3 chunks, unknown audience): ${updates.length} update requests, ${extra} extra (bound ${bound})`);
			expect(extra).toBeLessThanOrEqual(bound);
		}, 10 * 60_000);
	});

	describe('a create whose answer is lost and whose look-up fails too (maxRetries 0)', () => {
		const created = {
			Batch: (fixture: E2eFixture) => (fixture.sandbox.state().batch.audiences.fresh_audience ? 1 : 0),
			CommBox: (fixture: E2eFixture) => Object.values(fixture.sandbox.state().commBox.audiences).filter((a: any) => a.name === 'lost_lookup' && a.user_count === 2).length,
		};
		const platforms = [
			{ platform: 'Batch', workflow: 'batchCreateUnknown', name: 'fresh_audience', api: 'batch', create: 'create', lookUp: 'view' },
			{ platform: 'CommBox', workflow: 'commBoxCreateUnknown', name: 'lost_lookup', api: 'commBox', create: 'POST /audiences', lookUp: 'GET /audiences' },
		] as const;

		it.each(platforms)('$platform: the run error says it is not known whether the audience was created, and to check before running again; it was created', async ({ platform, workflow, name, api, create, lookUp }) => {
			fixture.sandbox.setFaults({ rules: [{ api, route: create, kind: 'lostResponse' }, { api, route: lookUp, kind: '500' }] });
			const result = await fixture.n8n.execute(workflow);
			expect(result.error?.message).toMatch(
				new RegExp(`^It is not known whether the ${platform} audience "${name}" was created: the answer to the create was lost, and looking it up failed too \\(${platform} answered 500: `),
			);
			expect(result.error?.message).toMatch(/Check whether it exists before running again: running again may create it a second time\.$/);
			expect(describeError(result)).toContain(`Check in ${platform} whether "${name}" exists, e.g. with the Get Many operation.`);
			const creates = fixture.sandbox.requests().filter((r) => r.api === api && r.route.toLowerCase() === create.toLowerCase());
			expect(creates.map((r) => [r.status, r.fault])).toEqual([[0, 'lostResponse']]);
			expect(created[platform](fixture)).toBe(1);
		}, 5 * 60_000);
	});

	it('a replace of 25,000 whose second or third chunk fails for good (requests in flight), under Continue: the statement names the item ranges held', async () => {
		await createBatchAudience(fixture.sandbox, 'nightly', OLD_500);
		// The sandbox cannot target a chunk: the first update to arrive fails (no retry), and the log tells which one it was.
		fixture.sandbox.setFaults({ rules: [{ api: 'batch', route: 'update', kind: '500', count: 1 }] });
		const before = fixture.sandbox.requests().length;
		const result = await fixture.n8n.execute('replaceChunkFails');
		expect(result.error).toBeUndefined();
		await fixture.sandbox.whenIdle();

		expect(batchRequests(fixture, 'replace', before).map((r) => [r.status, r.ids])).toEqual([[202, 10000]]);
		const updates = batchRequests(fixture, 'update', before);
		expect(updates.map((r) => r.status).sort()).toEqual([202, 500]);
		// A faulted request is not read, so the log counts its ids as 0: the accepted one tells which chunk it was.
		const acceptedIds = updates.find((r) => r.status === 202)!.ids;
		expect([5000, 10000]).toContain(acceptedIds);
		const secondFailed = acceptedIds === 5000;
		console.log(`replace in flight: chunk ${secondFailed ? 2 : 3} of 3 failed for good, chunk ${secondFailed ? 3 : 2} accepted (${acceptedIds} ids)`);
		const failed = secondFailed ? range(10000).map((i) => i + 10000) : range(5000).map((i) => i + 20000);
		const held = range(25000).filter((i) => !failed.includes(i));
		// Statements number items from 1.
		const heldText = secondFailed ? 'items 1-10000, 20001-25000 (15,000 ids)' : 'items 1-20000 (20,000 ids)';
		const failedText = secondFailed ? 'items 10001-20000 (10,000 ids)' : 'items 20001-25000 (5,000 ids)';

		expect(pairedIndexes(outputOf(result, 'Audience', 0))).toEqual(held);
		const errors = outputOf(result, 'Audience', 1) as Item[];
		expect(pairedIndexes(errors)).toEqual(failed);
		for (const item of errors) {
			expect(item.json.details).toEqual({ outcome: 'unknown', sent: true });
			expect(item.json.error).not.toMatch(/the first [\d,]+/);
		}
		const statement = errors[0].json.error as string;
		expect(statement).toMatch(new RegExp(`^Request ${secondFailed ? 2 : 3} of 3 to audience "nightly" has an unknown outcome \\(it may have been applied\\): Batch answered 500: `));
		expect(statement).toContain(`audience "nightly" holds only this run's ids (the replace removed its previous members): ${heldText} of 25,000 ids accepted`);
		expect(statement).toContain(`; ${failedText} outcome unknown (may have been applied); run again to complete it.`);
		expect(statement).toContain(RUN_AGAIN_IS_SAFE);

		// The faulted 500 was not processed: the audience holds exactly the accepted chunks.
		expect(members(fixture, 'nightly').sort()).toEqual(held.map((i) => `new-${i}`).sort());
	}, 10 * 60_000);

	it('a 2 MiB error body on every update of 4 items, under Continue: each message stays short and the node\'s run data stays under 100 KB', async () => {
		await createBatchAudience(fixture.sandbox, 'huge');
		fixture.sandbox.setFaults({ rules: [{ api: 'batch', route: 'update', kind: 'hugeErrorBody' }] });
		const result = await fixture.n8n.execute('hugeError');
		expect(result.error).toBeUndefined();

		const updates = batchRequests(fixture, 'update');
		expect(updates.every((r) => r.status === 400 && r.fault === 'hugeErrorBody')).toBe(true);
		const errors = outputOf(result, 'Audience', 1) as Item[];
		expect(pairedIndexes(errors)).toEqual(range(4));
		for (const item of errors) {
			expect(item.json.details).toEqual({ outcome: 'refused', sent: true });
			expect(item.json.error).toMatch(/Injected fault: oversized error body\./);
			expect(item.json.error.length).toBeLessThan(1500);
		}
		const size = Buffer.byteLength(JSON.stringify(result.runData.Audience));
		console.log(
			`huge error body: ${updates.length} update requests, error messages ${errors.map((e) => e.json.error.length).join(', ')} characters, node run data ${size} bytes`,
		);
		expect(size).toBeLessThan(100 * 1024);
	}, 5 * 60_000);

	it('CommBox Replace Static with a mapped column named __proto__: the run fails naming the column and item 0, nothing is sent', async () => {
		const rowsBefore = fixture.sandbox.state().commBox.audiences['1001'].rows;
		const result = await fixture.n8n.execute('protoColumn');
		expect(result.error?.message).toMatch(/^Column name "__proto__" \(mapped column 1, item 1\) is not allowed: .*Nothing was sent\.$/);
		expect(fixture.sandbox.requests().filter((r) => r.api === 'commBox')).toEqual([]);
		expect(fixture.sandbox.state().commBox.audiences['1001'].rows).toEqual(rowsBefore);
	}, 5 * 60_000);
});
