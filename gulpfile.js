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

/** esbuild options shared by the vendor bundles: one CommonJS file over tsc's output, n8n-workflow left to n8n. */
const vendorBundle = (name) => ({
	entryPoints: [`nodes/Audience/vendor/${name}.ts`],
	outfile: `dist/nodes/Audience/vendor/${name}.js`,
	allowOverwrite: true,
	bundle: true,
	platform: 'node',
	format: 'cjs',
	target: 'node20',
	sourcemap: 'linked',
	sourcesContent: false,
	external: ['n8n-workflow'],
	logLevel: 'warning',
});

/**
 * The package ships no runtime dependency: nodes/Audience/vendor/papaparse.ts, the one module that
 * imports papaparse, is rebuilt over tsc's output with papaparse bundled in. The bundle passes n8n's
 * community-node rules: papaparse's timer and console warning go through n8n-workflow
 * (scripts/papaparse-shims.js) and its Node stream mode is left out.
 */
async function bundlePapaparse() {
	await esbuild.build({
		...vendorBundle('papaparse'),
		inject: ['scripts/papaparse-shims.js'],
		define: { setTimeout: 'papaparseSetTimeout', 'console.warn': 'papaparseWarn' },
		plugins: [withoutNodeStreams],
	});
}

/**
 * Likewise nodes/Audience/vendor/libphonenumber.ts, the one module that imports libphonenumber-js:
 * rebuilt with libphonenumber-js/min and its metadata bundled in (only what the module exports is
 * kept). libphonenumber-js reaches for no timer, console, process or Node module: no shim needed.
 */
async function bundleLibphonenumber() {
	await esbuild.build(vendorBundle('libphonenumber'));
}

exports['build:assets'] = buildAssets;
exports['build:bundle'] = parallel(bundlePapaparse, bundleLibphonenumber);
exports.build = parallel(buildAssets, bundlePapaparse, bundleLibphonenumber);
