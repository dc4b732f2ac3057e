const { src, dest, parallel } = require('gulp');
const esbuild = require('esbuild');

/** tsc does not copy assets: icons and codex JSON files go next to the compiled nodes. */
function buildAssets() {
	return src(['nodes/**/*.{png,svg,json}', 'credentials/**/*.{png,svg}', 'icons/**/*.svg'], {
		base: '.',
		encoding: false,
	}).pipe(dest('dist'));
}

/** Papa's Node stream input (`Papa.NODE_STREAM_INPUT`) is not used: `stream` is not bundled. */
const withoutNodeStreams = {
	name: 'without-node-streams',
	setup(build) {
		build.onResolve({ filter: /^(node:)?stream$/ }, () => ({ path: 'stream', namespace: 'unbundled' }));
		build.onLoad({ filter: /.*/, namespace: 'unbundled' }, () => ({
			contents: "throw new Error('papaparse stream input is not part of this package');",
		}));
	},
};

/**
 * The package ships no runtime dependency: nodes/Audience/vendor/papaparse.ts, the one module that
 * imports papaparse, is rebuilt over tsc's output with papaparse bundled in. The bundle passes n8n's
 * community-node rules: papaparse's timer and console warning go through n8n-workflow
 * (scripts/papaparse-shims.js) and its Node stream mode is left out.
 */
async function bundlePapaparse() {
	await esbuild.build({
		entryPoints: ['nodes/Audience/vendor/papaparse.ts'],
		outfile: 'dist/nodes/Audience/vendor/papaparse.js',
		allowOverwrite: true,
		bundle: true,
		platform: 'node',
		format: 'cjs',
		target: 'node20',
		sourcemap: 'linked',
		sourcesContent: false,
		external: ['n8n-workflow'],
		inject: ['scripts/papaparse-shims.js'],
		define: { setTimeout: 'papaparseSetTimeout', 'console.warn': 'papaparseWarn' },
		plugins: [withoutNodeStreams],
		logLevel: 'warning',
	});
}

exports['build:assets'] = buildAssets;
exports['build:bundle'] = bundlePapaparse;
exports.build = parallel(buildAssets, bundlePapaparse);
