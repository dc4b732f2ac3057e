import type { IExecuteFunctions } from 'n8n-workflow';
import { count, type SyncPlan } from '../../engine';
import type { TrackedRun } from './changeTracking/trackedRun';
import type { SyncLedger } from './sync/ledger';

/**
 * The banner above the node's output in the editor (n8n's execution hints): what a sync did, in one
 * line, failures included, e.g. "50 items → 1 request: 0 accepted, 1 request refused (401), 2 invalid".
 */
export interface Banner {
	message: string;
	type: 'info' | 'warning';
}

const plural = (n: number, word: string) => `${count(n)} ${n === 1 ? word : `${word}s`}`;

/** A dry run: what would be sent. */
export function dryRunBanner(items: number, plan: Pick<SyncPlan, 'requests'>, invalid: number): Banner {
	return { message: `Dry run (nothing sent): ${plural(items, 'item')} → ${plural(plan.requests.length, 'request')}, ${collapsedAndInvalid(plan, invalid)}`, type: 'info' };
}

/** A sync once every request has settled: ids accepted, requests refused (with their status), unknown or not sent. */
export function syncBanner(items: number, ledger: SyncLedger, invalid: number): Banner {
	const audiences = ledger.audiences().map((audience) => ledger.outcomesOf(audience));
	const accepted = audiences.reduce((sum, outcomes) => sum + outcomes.accepted.ids, 0);
	const notSent = audiences.reduce((sum, outcomes) => sum + outcomes.notSent.ids, 0);
	const parts = [`${count(accepted)} ${accepted === 1 ? 'id' : 'ids'} accepted`];
	const refusals = new Map<string, Set<number>>();
	for (const entry of ledger.refused) {
		const status = entry.status ?? 'refused';
		refusals.set(status, (refusals.get(status) ?? new Set()).add(entry.number));
	}
	for (const [status, requests] of refusals) parts.push(`${plural(requests.size, 'request')} refused (${status})`);
	const unknown = new Set(ledger.unknown.map((entry) => entry.number)).size;
	if (unknown > 0) parts.push(`${plural(unknown, 'request')} with an unknown outcome (may have been applied)`);
	if (notSent > 0) parts.push(`${plural(notSent, 'id')} not sent`);
	const complete = parts.length === 1 && invalid === 0;
	return {
		message: `${plural(items, 'item')} → ${plural(ledger.plan.requests.length, 'request')}: ${parts.join(', ')}, ${collapsedAndInvalid(ledger.plan, invalid)}`,
		type: complete ? 'info' : 'warning',
	};
}

function collapsedAndInvalid(plan: Pick<SyncPlan, 'requests'>, invalid: number): string {
	const collapsed = plan.requests.reduce((sum, request) => sum + request.duplicatesCollapsed, 0);
	return `${plural(collapsed, 'duplicate')} collapsed, ${count(invalid)} invalid`;
}

/**
 * Change tracking: what was new, changed, unchanged (not sent) and removed; which audiences were
 * sent in full and why; the state kept; and a warning when n8n will not keep it (a run started
 * from the editor).
 */
export function changesBanner(run: TrackedRun | undefined, { dryRun = false } = {}): Banner[] {
	if (!run) return [];
	const sum = (field: 'new' | 'changed' | 'unchanged' | 'removed') => run.changes.audiences.reduce((total, audience) => total + audience[field], 0);
	const counts = [`${count(sum('new'))} new`, `${count(sum('changed'))} changed`, `${count(sum('unchanged'))} unchanged (not sent)`];
	if (run.setup.mode === 'mirror') counts.push(`${count(sum('removed'))} removed`);
	const mode = run.setup.mode === 'mirror' ? 'Mirror the input' : 'Only new and changed members';
	const kept = run.saved ? ` · ${plural(run.saved.members, 'member')} tracked (${sizeText(run.saved.bytes)})` : '';
	const sentInFull = run.changes.audiences
		.filter((audience) => audience.sendsEveryone)
		.map((audience) =>
			run.setup.mode === 'mirror'
				? ` Audience "${audience.audience}" was replaced by the input (${audience.sendsEveryone}).`
				: ` Every member of audience "${audience.audience}" was sent (${audience.sendsEveryone}).`,
		);
	const banners: Banner[] = [{ message: `${mode}: ${counts.join(', ')}${kept}.${sentInFull.join('')}`, type: 'info' }];
	if (!run.kept && !dryRun) banners.push(NOT_KEPT_FROM_EDITOR);
	return banners;
}

/** Runs started from the editor: n8n does not save their static data. */
export const NOT_KEPT_FROM_EDITOR: Banner = {
	message:
		'This run was started from the editor, and n8n does not keep what such runs send: the next run on the workflow\'s trigger or schedule compares with the last run of its own, so it sends this again.',
	type: 'warning',
};

function sizeText(bytes: number): string {
	if (bytes < 1_000) return `${bytes} bytes`;
	if (bytes < 1_000_000) return `${(bytes / 1_000).toFixed(1)} kB`;
	return `${(bytes / 1_000_000).toFixed(1)} MB`;
}

/**
 * After writes that were not waited for: Batch applies them within minutes, and the user may want
 * the workflow to go on only once they are applied.
 */
export const STILL_INDEXING: Banner = {
	message:
		'Batch is still applying these changes (usually within minutes). A Check Indexing step with "Wait Until Done", or the option "Wait for Indexing", makes the workflow continue only once they are applied.',
	type: 'info',
};

/** Shows the banners above the node's output in the editor (n8n 1.x before execution hints: nothing). */
export function showBanners(ctx: IExecuteFunctions, ...banners: Banner[]): void {
	if (typeof ctx.addExecutionHints === 'function') {
		ctx.addExecutionHints(...banners.map((banner) => ({ ...banner, location: 'outputPane' as const })));
	}
}
