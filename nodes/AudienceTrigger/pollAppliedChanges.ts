import type { IDataObject, INodeExecutionData, IPollFunctions } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';
import { listAllAudiences, type BatchAudience } from '../Audience/transport/batch';
import { listAllCustomAudiences, viewCustomAudience, type CustomAudience } from '../Audience/transport/customAudience';

/** What the trigger reads from a platform: every watched audience with its state and `updated`. */
export interface WatchedAudience {
	name: string;
	displayName?: string;
	indexingState?: string;
	nbIds?: number;
	updated?: string;
}

export type AudienceSource = (this: IPollFunctions, names: string[] | undefined) => Promise<WatchedAudience[]>;

const fromBatch = (a: BatchAudience): WatchedAudience => ({
	name: a.name,
	displayName: a.display_name,
	indexingState: a.indexing_state,
	nbIds: a.nb_ids,
	updated: a.updated,
});

/** Batch 2.x: the list pages carry state and `updated`, so one walk covers every audience. */
const batchSource: AudienceSource = async function (names) {
	const audiences = (await listAllAudiences.call(this)).map(fromBatch);
	return names ? audiences.filter((a) => names.includes(a.name)) : audiences;
};

const fromCustomAudience = (a: CustomAudience): WatchedAudience => ({
	name: a.name,
	displayName: a.description || undefined,
	indexingState: a.indexing_state,
	nbIds: a.nb_ids,
	updated: a.updated,
});

/** Legacy 1.x: walks the offset pages; an entry without `indexing_state` (unconfirmed in the docs) is viewed. */
const customAudienceSource: AudienceSource = async function (names) {
	const listed = await listAllCustomAudiences.call(this);
	const watched = names ? listed.filter((a) => names.includes(a.name)) : listed;
	const audiences: WatchedAudience[] = [];
	for (const audience of watched) {
		const complete = audience.indexing_state === undefined ? await viewCustomAudience.call(this, audience.name) : audience;
		audiences.push(fromCustomAudience(complete));
	}
	return audiences;
};

/** The platforms the trigger watches (its Platform option values). */
export type WatchedPlatform = 'batch' | 'batchCustomAudience';

export const audienceSources: Record<WatchedPlatform, AudienceSource> = { batch: batchSource, batchCustomAudience: customAudienceSource };

const isWatchable = (platform: string): platform is WatchedPlatform => Object.prototype.hasOwnProperty.call(audienceSources, platform);

interface TriggerState {
	/** Last `updated` seen APPLIED, per watched audience: one small entry each. */
	applied?: Record<string, string>;
	/** Known audiences missing from the latest listings: how many polls in a row. */
	missing?: Record<string, number>;
}

/** The trigger's Platform parameter: `platform` from version 2, `resource` in version 1 workflows. */
export function platformParameter(typeVersion: number): 'platform' | 'resource' {
	return typeVersion >= 2 ? 'platform' : 'resource';
}

/** From version 3, each platform's selected audiences have a parameter of their own. */
export const AUDIENCES_BY_PLATFORM: Record<WatchedPlatform, string> = { batch: 'batchAudiences', batchCustomAudience: 'customAudiences' };

/** The trigger's selected audiences: `audiences` in versions 1 and 2 (both platforms), the platform's own from version 3. */
export function audiencesParameter(typeVersion: number, platform: WatchedPlatform): string {
	return typeVersion < 3 ? 'audiences' : AUDIENCES_BY_PLATFORM[platform];
}

/**
 * A listing walked page by page can skip an audience when another one is deleted meanwhile, so an
 * audience missing from one listing keeps its state; it is forgotten after this many polls in a row
 * without it (then it is gone, or no longer watched).
 */
export const FORGET_AFTER_MISSING_POLLS = 3;

/**
 * Fires once per change that reached APPLIED since the last poll (key: name + `updated`). The first
 * production poll records a baseline and emits nothing; a manual test returns the latest applied
 * audience. Errors propagate, so a failing poll is visible; the state only moves on success.
 */
export async function pollAppliedChanges(this: IPollFunctions): Promise<INodeExecutionData[][] | null> {
	const { typeVersion } = this.getNode();
	const platform = this.getNodeParameter(platformParameter(typeVersion)) as string;
	if (!isWatchable(platform)) throw new NodeOperationError(this.getNode(), `The platform "${platform}" cannot be watched`);
	const source = audienceSources[platform];
	const listed = await source.call(this, watchedNames.call(this, audiencesParameter(typeVersion, platform)));
	const audiences = listed.filter((a) => a.indexingState === 'APPLIED' && a.updated);
	const toItem = (a: WatchedAudience): INodeExecutionData => ({
		json: { platform, name: a.name, displayName: a.displayName ?? null, indexingState: a.indexingState, nb_ids: a.nbIds ?? null, updated: a.updated } as IDataObject,
	});

	if (this.getMode() === 'manual') {
		const latest = [...audiences].sort((a, b) => String(b.updated).localeCompare(String(a.updated)))[0];
		return latest ? [[toItem(latest)]] : null;
	}

	const state = this.getWorkflowStaticData('node') as TriggerState;
	const previous = state.applied;
	// An audience with a write still pending keeps its last applied `updated`, so nothing is lost or re-fired.
	const applied: Record<string, string> = Object.fromEntries(
		listed
			.map((a) => [a.name, audiences.includes(a) ? a.updated : previous?.[a.name]])
			.filter((entry): entry is [string, string] => entry[1] !== undefined),
	);
	const listedNames = new Set(listed.map((a) => a.name));
	const missing: Record<string, number> = {};
	for (const [name, updated] of Object.entries(previous ?? {})) {
		if (listedNames.has(name)) continue;
		const polls = (state.missing?.[name] ?? 0) + 1;
		if (polls >= FORGET_AFTER_MISSING_POLLS) continue;
		applied[name] = updated;
		missing[name] = polls;
	}
	state.applied = applied;
	if (Object.keys(missing).length > 0) state.missing = missing;
	else delete state.missing;
	if (!previous) return null;
	const changed = audiences.filter((a) => previous[a.name] !== a.updated);
	return changed.length ? [changed.map(toItem)] : null;
}

function watchedNames(this: IPollFunctions, parameter: string): string[] | undefined {
	if (this.getNodeParameter('watch') !== 'selected') return undefined;
	const entries = this.getNodeParameter(`${parameter}.audience`, []) as Array<{ name: { value: string } | string }>;
	return entries.map((entry) => (typeof entry.name === 'string' ? entry.name : entry.name.value)).filter(Boolean);
}
