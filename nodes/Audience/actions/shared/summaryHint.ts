import type { IExecuteFunctions } from 'n8n-workflow';
import { count, type SyncPlan } from '../../engine';
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
