import type { IDataObject, IExecuteFunctions, INodeExecutionData } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';
import { type CollectedMembers, count, type SendMode, type SyncRules, trackedMemberCount } from '../../../engine';
import type { RequestPolicy } from '../../../transport/requestPolicy';
import { isIndexingDone } from '../indexing';
import { mirrorRefusal } from '../replaceGuards';
import type { SyncLedger } from '../sync/ledger';
import type { MemberSyncTarget } from '../sync/target';
import { type AudienceComparison, type ChangePlan, planChanges } from './planChanges';
import { accountHash, savedStateOf, saveState, stateIsKept } from './savedState';
import { loadTracking, mappingHash, saveTracking, type TrackedAudience, type TrackingSetup } from './trackedAudiences';

/** An Update with change tracking ("Only New and Changed Members" or "Mirror the Input"). */
export interface TrackedRun {
	setup: TrackingSetup;
	audiences: TrackedAudience[];
	changes: ChangePlan;
	/** Whether n8n keeps what this run saves (not for runs started from the editor). */
	kept: boolean;
	/** The saved state's size and the members it tracks, once saved. */
	saved?: { bytes: number; members: number };
}

/** Loads what earlier runs had accepted for the input's audiences and plans only what changed. */
export async function startTrackedRun(
	this: IExecuteFunctions,
	collected: CollectedMembers,
	target: MemberSyncTarget,
	mode: Exclude<SendMode, 'all'>,
	rules: SyncRules,
	reset: boolean,
	policy: RequestPolicy,
): Promise<TrackedRun> {
	const setup: TrackingSetup = { mode, account: await accountHash(this, target.credentialType), mapping: mappingHash(this), reset };
	const audiences = await loadTracking(this, collected.audiences.map((audience) => audience.audience), setup);
	if (mode === 'mirror') for (const audience of audiences) await checkMirrored.call(this, audience, target, policy);
	const changes = planChanges(collected, audiences, mode, rules, this.getInputData().length);
	return { setup, audiences, changes, kept: stateIsKept(this) };
}

/**
 * Mirror diffs only while the audience holds exactly what earlier runs left in it. Its size says
 * otherwise when it was changed elsewhere, or when an older copy of the workflow's saved data came
 * back (n8n writes back the copy a trigger holds when the trigger changes its own data); the
 * audience is then replaced by the input. Not judged while a write is still being applied.
 */
async function checkMirrored(this: IExecuteFunctions, audience: TrackedAudience, target: MemberSyncTarget, policy: RequestPolicy): Promise<void> {
	if (audience.replaces) return;
	const view = await target.view.call(this, audience.audience, undefined, policy);
	const tracked = trackedMemberCount(audience.tracked);
	if (!isIndexingDone(view.indexing_state) || view.nb_ids === undefined || view.nb_ids === tracked) return;
	// The last run's requests of unknown outcome explain a difference up to their size: they are sent again.
	const uncertain = audience.saved?.uncertain;
	if (uncertain && view.nb_ids >= tracked - uncertain.removes && view.nb_ids <= tracked + uncertain.adds) return;
	audience.replaces = true;
	audience.tracked = new Map();
	audience.sendsEveryone = `it holds ${count(view.nb_ids)} members, not the ${count(tracked)} earlier runs left in it: it was changed elsewhere, or an older copy of the workflow's saved data came back`;
}

/** Mirror's guard: refuses to remove more than the allowed share of an audience's tracked members. */
export function mirrorGuard(this: IExecuteFunctions, run: TrackedRun, share: number): NodeOperationError | undefined {
	for (const audience of run.changes.audiences) {
		const refusal = mirrorRefusal(this.getNode(), `audience "${audience.audience}"`, audience.trackedBefore, audience.removed, share);
		if (refusal) return refusal;
	}
	return undefined;
}

/** Saves what the accepted requests changed; a dry run or a run started from the editor saves nothing. */
export async function saveTrackedRun(this: IExecuteFunctions, run: TrackedRun, ledger: SyncLedger): Promise<void> {
	if (!run.kept) return;
	run.saved = await saveTracking(this, run.audiences, ledger, run.setup);
}

/** "All Members" keeps no state: what an earlier tracked run saved would be out of date. */
export function forgetTracking(this: IExecuteFunctions): void {
	if (Object.keys(savedStateOf(this)).length > 0) saveState(this, {});
}

/** Mirror with an empty input would remove every member: refused; emptying an audience is Replace's job. */
export function mirrorOfNothing(this: IExecuteFunctions): NodeOperationError {
	return new NodeOperationError(this.getNode(), 'The input is empty: mirroring it would remove every member of the audience. Nothing was sent.', {
		description: 'To empty an audience on purpose, use the Replace operation with "Allow Empty Replace" on.',
	});
}

/** One output item per audience for its unchanged members (not sent), paired to their input items. */
export function unchangedOutput(run: TrackedRun): INodeExecutionData[] {
	return run.changes.audiences
		.filter((audience) => audience.unchangedItems.length > 0)
		.map((audience) => ({
			json: {
				audience: audience.audience,
				outcome: 'unchanged',
				indexingToken: null,
				ids: audience.unchanged,
				note: 'Unchanged since the last run: not sent.',
				changeTracking: trackingSummary(run, audience),
			},
			pairedItem: audience.unchangedItems.map((item) => ({ item })),
		}));
}

/** What change tracking saw for an audience, for the summary items. */
export function trackingSummary(run: TrackedRun, audience: AudienceComparison): IDataObject {
	const summary: IDataObject = {
		send: run.setup.mode === 'mirror' ? 'mirror' : 'newAndChanged',
		firstRun: audience.sendsEveryone !== undefined,
		new: audience.new,
		changed: audience.changed,
		unchanged: audience.unchanged,
		removed: audience.removed,
		stateKept: run.kept,
	};
	if (audience.sendsEveryone) summary.sentEveryoneBecause = audience.sendsEveryone;
	if (run.saved) summary.stateBytes = run.saved.bytes;
	return summary;
}

/** One item per request (or a dry run's): each carries what change tracking saw for its audience. */
export function withTrackingSummary(run: TrackedRun, items: INodeExecutionData[]): INodeExecutionData[] {
	const byAudience = new Map(run.changes.audiences.map((audience) => [audience.audience, audience]));
	for (const item of items) {
		const audience = byAudience.get(item.json.audience as string);
		if (audience) item.json.changeTracking = trackingSummary(run, audience);
	}
	return items;
}
