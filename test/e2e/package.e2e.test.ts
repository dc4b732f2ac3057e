import { LocalN8n, outputOf } from '../../harness/n8n';
import { AUDIENCE, byName, CREDENTIAL_REFS, linearWorkflow, sandboxCredentials } from '../../harness/workflows';

/** A real n8n 2.40.7 loads the built package and runs the Audience node. */
describe('the package in a real n8n', () => {
	let n8n: LocalN8n;

	beforeAll(async () => {
		n8n = new LocalN8n();
		// Dry run: no endpoint is needed, the base URL only has to be allowed.
		await n8n.importCredentials(sandboxCredentials('http://127.0.0.1:9'));
		await n8n.importWorkflows([
			linearWorkflow('pkgLoadsDryRun1', 'return [1, 2, 3].map((n) => ({ json: { id: `user-${n}` } }));', [
				{
					name: 'Audience',
					type: AUDIENCE,
					parameters: { resource: 'batch', operation: 'update', audience: byName('loaded_check'), options: { dryRun: true } },
					credentials: CREDENTIAL_REFS.batch,
				},
			]),
		]);
	}, 20 * 60_000);

	afterAll(() => n8n?.dispose());

	it('runs the Audience node from the package and pairs its output to every input item', async () => {
		const result = await n8n.execute('pkgLoadsDryRun1');
		expect(result.error).toBeUndefined();
		const items = outputOf(result, 'Audience');
		expect(items).toHaveLength(1);
		expect(items[0].json).toMatchObject({ audience: 'loaded_check', operation: 'update', ids: 3, added: 3, dryRun: true, indexingToken: null });
		expect(items[0].json.payload.ids).toEqual([
			{ action: 'add', id: 'user-1' },
			{ action: 'add', id: 'user-2' },
			{ action: 'add', id: 'user-3' },
		]);
		expect(items[0].pairedItem).toEqual([{ item: 0 }, { item: 1 }, { item: 2 }]);
	}, 5 * 60_000);
});
