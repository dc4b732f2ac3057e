'use strict';
/**
 * Preloaded into `n8n execute` by the benchmark (NODE_OPTIONS=--require). After a run, n8n has
 * saved the execution and then prints all of its data as pretty JSON: seconds and hundreds of MB
 * at 1,000,000 items, and beyond V8's longest string for a 1,000,000-item pass-through. Production
 * n8n never prints run data, so every measured run skips it alike: that one JSON.stringify call
 * prints a one-line marker instead, and the benchmark reads the run from n8n's database.
 */
if (process.argv.includes('execute')) {
	const stringify = JSON.stringify;
	JSON.stringify = function (value, replacer, space) {
		if (space === 2 && value && value.mode === 'cli' && value.data && value.data.resultData) {
			return stringify({ runDataPrinted: false, status: value.status });
		}
		return stringify.apply(this, arguments);
	};
}
