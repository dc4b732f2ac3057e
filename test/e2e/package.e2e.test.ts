import { readdirSync, readFileSync } from 'fs';
import { join } from 'path';
import { LocalN8n, outputOf } from '../../harness/n8n';
import { AUDIENCE, byName, CREDENTIAL_REFS, linearWorkflow, sandboxCredentials } from '../../harness/workflows';

/** A real n8n 2.40.7 loads the package as `npm pack` makes it and runs the Audience node. */
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

	it('is loaded from the packed tarball: dist, README, LICENSE and package.json, no runtime dependency', () => {
		const unpacked = join(n8n.custom, 'n8n-nodes-audience-sync');
		// node_modules/n8n-workflow is the harness's link to n8n's own copy (the peer dependency).
		expect(readdirSync(unpacked).sort()).toEqual(['LICENSE', 'README.md', 'dist', 'node_modules', 'package.json']);
		expect(readdirSync(join(unpacked, 'node_modules'))).toEqual(['n8n-workflow']);
		const manifest = JSON.parse(readFileSync(join(unpacked, 'package.json'), 'utf8'));
		expect(manifest.dependencies).toBeUndefined();
		expect(manifest.peerDependencies).toEqual({ 'n8n-workflow': '*' });

		// papaparse is bundled: the shipped JavaScript requires nothing outside the package but what
		// n8n's rules allow a community node (its peer n8n-workflow, and crypto).
		const outside = new Set<string>();
		const files = readdirSync(join(unpacked, 'dist'), { recursive: true, encoding: 'utf8' });
		for (const file of files.filter((name) => name.endsWith('.js'))) {
			const code = readFileSync(join(unpacked, 'dist', file), 'utf8');
			for (const [, module] of code.matchAll(/require\(["']([^"']+)["']\)/g)) if (!module.startsWith('.')) outside.add(module);
		}
		expect([...outside].filter((module) => !['n8n-workflow', 'crypto', 'node:crypto'].includes(module))).toEqual([]);
		expect(readFileSync(join(unpacked, 'dist/nodes/Audience/vendor/papaparse.js'), 'utf8')).toContain('Papa Parse');
	});

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
