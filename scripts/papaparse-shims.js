/**
 * Injected into the papaparse bundle by gulpfile.js (`build:bundle`): the two places where papaparse
 * reaches for Node globals go through n8n-workflow instead, as n8n's rules for community nodes ask.
 * Neither is on the package's path (no pause/resume, no `header: true`); they keep papaparse whole.
 */
import { LoggerProxy, sleep } from 'n8n-workflow';

/** Papa's resume() retries after a short timer. */
export function papaparseSetTimeout(callback, ms) {
	void sleep(ms).then(callback);
}

/** Papa warns when it renames duplicate header names. */
export function papaparseWarn(message) {
	LoggerProxy.warn(String(message));
}
