import type { IExecuteFunctions } from 'n8n-workflow';
import type { SyncPlan } from '../../engine';
import { count } from '../../engine';

/** The one-line summary of a sync, e.g. "25,003 items → 3 requests, 40 duplicates collapsed, 0 invalid". */
export function syncSummary(items: number, plan: Pick<SyncPlan, 'requests'>, invalid: number, dryRun: boolean): string {
	const requests = plan.requests.length;
	const collapsed = plan.requests.reduce((sum, request) => sum + request.duplicatesCollapsed, 0);
	const line = `${count(items)} ${items === 1 ? 'item' : 'items'} → ${count(requests)} ${requests === 1 ? 'request' : 'requests'}, ${count(collapsed)} duplicates collapsed, ${count(invalid)} invalid`;
	return dryRun ? `Dry run (nothing sent): ${line}` : line;
}

/** Shows the summary above the node's output in the editor (n8n 1.x before execution hints: nothing). */
export function showSyncSummary(ctx: IExecuteFunctions, summary: string): void {
	if (typeof ctx.addExecutionHints === 'function') ctx.addExecutionHints({ message: summary, type: 'info', location: 'outputPane' });
}
