import { mkdirSync, readdirSync, readFileSync, rmSync } from 'fs';
import { join, resolve } from 'path';
import { startSandbox } from '../sandbox';
import { createBatchAudience } from '../harness/fixture';
import { LocalN8n, provisionN8n } from '../harness/n8n';
import { sandboxCredentials } from '../harness/workflows';
import { timedExecute } from './timedExecute';
import { AUDIENCE_NAME, benchWorkflow, HTTP_AUDIENCE_NAME, ITEMS_NODE, WAYS, type Way } from './workflows';

/**
 * Where the time goes: `npx tsx bench/profile.ts [--way audience|httpPerItem|passThrough] [--items N]`
 * runs one benchmark workflow in real n8n under V8's CPU profiler (`--cpu-prof`) and prints
 * (1) the n8n main process's time by where it is spent (this package, n8n-workflow, n8n-core,
 * the HTTP client, JSON, GC, idle) and (2) the functions that run under the Audience node's frames.
 * The .cpuprofile files stay in .tmp/bench-profiles/ (git-ignored; open them in Chrome DevTools).
 */
interface ProfileNode {
	id: number;
	callFrame: { functionName: string; url: string; lineNumber: number };
	children?: number[];
}

interface CpuProfile {
	nodes: ProfileNode[];
	samples: number[];
	timeDeltas: number[];
	startTime: number;
	endTime: number;
}

const PACKAGE_PATH = '/n8n-nodes-audience-sync/dist/';

function place(url: string): string {
	if (!url) return '';
	if (url.includes(PACKAGE_PATH)) return `package ${url.slice(url.indexOf(PACKAGE_PATH) + PACKAGE_PATH.length)}`;
	if (url.startsWith('node:')) return url;
	const modules = url.lastIndexOf('/node_modules/');
	if (modules >= 0) {
		const rest = url.slice(modules + '/node_modules/'.length).split('/');
		return rest[0].startsWith('@') ? `${rest[0]}/${rest[1]}` : rest[0];
	}
	return url.replace(/^file:\/\//, '');
}

function frameLabel(node: ProfileNode): string {
	const { functionName, url, lineNumber } = node.callFrame;
	const where = place(url);
	return `${functionName || '(anonymous)'}${where ? ` [${where}:${lineNumber + 1}]` : ''}`;
}

export function analyze(profile: CpuProfile, top = 25): string {
	const byId = new Map(profile.nodes.map((n) => [n.id, n]));
	const parent = new Map<number, number>();
	for (const node of profile.nodes) for (const child of node.children ?? []) parent.set(child, node.id);
	const inPackage = new Map<number, boolean>();
	const underPackage = (id: number): boolean => {
		const known = inPackage.get(id);
		if (known !== undefined) return known;
		const node = byId.get(id) as ProfileNode;
		const result = node.callFrame.url.includes(PACKAGE_PATH) || (parent.has(id) && underPackage(parent.get(id) as number));
		inPackage.set(id, result);
		return result;
	};

	// The Audience node's run: from the first sample inside syncMembers (or any operation's execute)
	// to the last sample under the package's frames; what the process did meanwhile, by category.
	const hasFrame = (id: number, test: (n: ProfileNode) => boolean): boolean => {
		for (let at: number | undefined = id; at !== undefined; at = parent.get(at)) if (test(byId.get(at) as ProfileNode)) return true;
		return false;
	};
	const operationFrame = (n: ProfileNode) => n.callFrame.url.includes(PACKAGE_PATH) && /^(syncMembers|execute|route)$/.test(n.callFrame.functionName);
	const times: number[] = [];
	let clock = profile.startTime;
	for (const delta of profile.timeDeltas) times.push((clock += delta));
	const first = profile.samples.findIndex((id) => hasFrame(id, operationFrame));
	let last = -1;
	profile.samples.forEach((id, i) => {
		if (first >= 0 && i >= first && underPackage(id)) last = i;
	});
	const window = new Map<string, number>();
	// Inclusive time of n8n's own functions (outside the package) during the node's run: what n8n
	// spends on the node's behalf (reading credentials, resolving their expressions, the HTTP client).
	const n8nInclusive = new Map<string, number>();
	let windowTotal = 0;
	if (first >= 0) {
		for (let i = first; i <= last; i++) {
			const node = byId.get(profile.samples[i]) as ProfileNode;
			const us = profile.timeDeltas[i + 1] ?? 0;
			windowTotal += us;
			const name = node.callFrame.functionName;
			const category = name.startsWith('(')
				? name
				: underPackage(node.id)
					? `under the package: ${place(node.callFrame.url) || `(native) ${name}`}`
					: `outside the package: ${place(node.callFrame.url) || `(native) ${name}`}`;
			window.set(category, (window.get(category) ?? 0) + us);
			const seen = new Set<string>();
			for (let at: number | undefined = node.id; at !== undefined; at = parent.get(at)) {
				const frame = byId.get(at) as ProfileNode;
				const url = frame.callFrame.url;
				if (!url || url.includes(PACKAGE_PATH) || !frame.callFrame.functionName) continue;
				const label = frameLabel(frame);
				if (seen.has(label)) continue;
				seen.add(label);
				n8nInclusive.set(label, (n8nInclusive.get(label) ?? 0) + us);
			}
		}
	}

	const total = new Map<string, number>();
	const packageSelf = new Map<string, number>();
	const packagePlace = new Map<string, number>();
	let all = 0;
	let packageTotal = 0;
	const add = (map: Map<string, number>, key: string, us: number) => map.set(key, (map.get(key) ?? 0) + us);
	profile.samples.forEach((id, i) => {
		const us = profile.timeDeltas[i] ?? 0;
		const node = byId.get(id) as ProfileNode;
		all += us;
		const name = node.callFrame.functionName;
		add(total, name.startsWith('(') ? name : place(node.callFrame.url) || '(native/builtin)', us);
		if (underPackage(id)) {
			packageTotal += us;
			add(packageSelf, frameLabel(node), us);
			add(packagePlace, place(node.callFrame.url) || `(native) ${name}`, us);
		}
	});
	const ms = (us: number) => `${(us / 1000).toFixed(0).padStart(7)} ms`;
	const table = (title: string, map: Map<string, number>, base: number) =>
		[
			title,
			...[...map]
				.sort((a, b) => b[1] - a[1])
				.slice(0, top)
				.map(([key, us]) => `${ms(us)} ${((us / base) * 100).toFixed(1).padStart(5)}%  ${key}`),
		].join('\n');
	return [
		first >= 0
			? table(`The Audience node's run (${ms(windowTotal).trim()}, from its first to its last sample), the main process's time by category:`, window, Math.max(windowTotal, 1))
			: '(no sample inside the Audience node)',
		'',
		first >= 0
			? table("During the Audience node's run, inclusive time of functions outside the package (what n8n spends on the node's behalf):", n8nInclusive, Math.max(windowTotal, 1))
			: '',
		'',
		table(`n8n main process, ${ms(all).trim()} profiled, self time by where it is spent:`, total, all),
		'',
		table(`Under the Audience package's frames (${ms(packageTotal).trim()}), self time by function:`, packageSelf, Math.max(packageTotal, 1)),
		'',
		table('Under the Audience package\'s frames, by file or module:', packagePlace, Math.max(packageTotal, 1)),
	].join('\n');
}

async function main(): Promise<void> {
	const args = process.argv.slice(2);
	const option = (name: string, fallback: string) => {
		const i = args.findIndex((a) => a === `--${name}` || a.startsWith(`--${name}=`));
		if (i < 0) return fallback;
		return args[i].includes('=') ? args[i].split('=')[1] : args[i + 1];
	};
	const way = option('way', 'audience') as Way;
	const items = Number(option('items', '100000').replace(/_/g, ''));
	if (!WAYS[way]) throw new Error(`--way must be one of ${Object.keys(WAYS).join(', ')}`);

	const tools = provisionN8n();
	const sandbox = await startSandbox({ port: 0, indexingDelayMs: 0 });
	const n8n = new LocalN8n(tools);
	const dir = resolve(__dirname, '../.tmp/bench-profiles', `${way}-${items}`);
	rmSync(dir, { recursive: true, force: true });
	mkdirSync(dir, { recursive: true });
	try {
		const workflow = benchWorkflow(way, items, sandbox.url);
		await n8n.importCredentials(sandboxCredentials(sandbox.url));
		await n8n.importWorkflows([workflow]);
		if (way === 'audience') await createBatchAudience(sandbox, AUDIENCE_NAME);
		if (way === 'httpPerItem') await createBatchAudience(sandbox, HTTP_AUDIENCE_NAME);
		const execution = await timedExecute(n8n, tools, workflow.id, 'profile', 15 * 60_000, {
			NODE_OPTIONS: `--max-old-space-size=8192 --cpu-prof --cpu-prof-dir=${dir} --cpu-prof-interval=250`,
		});
		const nodes = execution.run?.nodes ?? {};
		console.log(
			`${items.toLocaleString('en-US')} items, ${WAYS[way].label}: wall ${(execution.wallMs / 1000).toFixed(2)} s (profiled, slower than unprofiled), ` +
				`Code node ${nodes[ITEMS_NODE]?.executionTime} ms, ${WAYS[way].nodes.map((n) => `${n} ${nodes[n]?.executionTime} ms`).join(', ')}, ` +
				`${sandbox.requests().filter((r) => r.route === 'update').length} update requests\n`,
		);
		const main = execution.memory.processes.find((p) => p.command.includes('n8n execute'));
		const files = readdirSync(dir).filter((f) => f.endsWith('.cpuprofile'));
		const mainFile = files.find((f) => main && f.includes(`.${main.pid}.`)) ?? files[0];
		if (!mainFile) throw new Error(`no CPU profile was written to ${dir}:\n${execution.logTail}`);
		console.log(analyze(JSON.parse(readFileSync(join(dir, mainFile), 'utf8'))));
		console.log(`\nProfiles: ${dir}`);
	} finally {
		n8n.dispose();
		await sandbox.stop();
	}
}

if (require.main === module) {
	main().catch((error) => {
		console.error(error);
		process.exit(1);
	});
}
