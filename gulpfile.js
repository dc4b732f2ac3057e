const { src, dest } = require('gulp');

/** tsc does not copy assets: icons and codex JSON files go next to the compiled nodes. */
function buildAssets() {
	return src(['nodes/**/*.{png,svg,json}', 'credentials/**/*.{png,svg}', 'icons/**/*.svg'], {
		base: '.',
		encoding: false,
	}).pipe(dest('dist'));
}

exports['build:assets'] = buildAssets;
