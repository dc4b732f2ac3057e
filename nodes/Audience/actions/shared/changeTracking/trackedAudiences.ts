import type { IExecuteFunctions } from 'n8n-workflow';
import { decodeSnapshot, encodeSnapshot, recordAccepted, type SendMode, trackedMemberCount, type TrackedMembers } from '../../../engine';
import type { SyncLedger } from '../sync/ledger';
import { type NodeState, savedStateOf, saveState, shortHash, type SavedAudience } from './savedState';

/** Update with change tracking: what earlier runs had accepted for one audience, and how it is used. */
export interface TrackedAudience {
	audience: string;
	/** Member id → fingerprint of what was accepted; empty when every member is sent. */
	tracked: TrackedMembers;
	/** Why every member is sent this run, if it is (e.g. nothing tracked yet). */
	sendsEveryone?: string;
	/** Mirror: this run replaces the audience (its first Mirror run, or every member is sent). */
	replaces: boolean;
	mirrored: boolean;
	saved?: SavedAudience;
}

export interface TrackingSetup {
	mode: Exclude<SendMode, 'all'>;
	account: string;
	mapping: string;
	reset: boolean;
}

/** What the node's saved state holds for each audience of this run, and whether it can be compared with. */
export async function loadTracking(ctx: IExecuteFunctions, audiences: string[], setup: TrackingSetup): Promise<TrackedAudience[]> {
	const state = savedStateOf(ctx);
	const loaded: TrackedAudience[] = [];
	for (const audience of audiences) {
		const saved = state[audience]?.kind === 'members' ? (state[audience] as SavedAudience) : undefined;
		let sendsEveryone = reasonToSendEveryone(saved, setup);
		let tracked: TrackedMembers = new Map();
		if (!sendsEveryone && saved) {
			try {
				tracked = await decodeSnapshot(saved.snapshot);
			} catch {
				sendsEveryone = 'what earlier runs sent could not be read back';
			}
		}
		const replaces = setup.mode === 'mirror' && sendsEveryone !== undefined;
		loaded.push({ audience, tracked, sendsEveryone, replaces, mirrored: !sendsEveryone && saved?.mirrored === true, saved });
	}
	return loaded;
}

function reasonToSendEveryone(saved: SavedAudience | undefined, setup: TrackingSetup): string | undefined {
	if (setup.reset) return '"Reset Change Tracking" is on';
	if (setup.mode === 'mirror' && !saved?.mirrored) return 'first Mirror run';
	if (!saved) return 'first run: nothing was sent to this audience from this node before';
	if (saved.account !== setup.account) return 'the credential now reaches another account';
	if (saved.mapping !== setup.mapping) return 'the member ID or attribute mapping changed since the last run';
	return undefined;
}

/**
 * Saves what this run's accepted requests leave each audience holding; refused, unknown and unsent
 * members keep their earlier state, so the next run sends them again. A Mirror replace that was not
 * accepted leaves the audience's state as it was. Audiences this run did not touch are dropped.
 * Returns the size of the saved state and the members it tracks.
 */
export async function saveTracking(
	ctx: IExecuteFunctions,
	audiences: TrackedAudience[],
	ledger: SyncLedger,
	setup: TrackingSetup,
): Promise<{ bytes: number; members: number }> {
	const state: NodeState = {};
	let bytes = 0;
	let members = 0;
	for (const entry of audiences) {
		const accepted = ledger.accepted.filter((sent) => sent.request.audience === entry.audience).map((sent) => sent.request);
		const replaceAccepted = accepted.some((request) => request.operation === 'replace');
		if (entry.replaces && !replaceAccepted) {
			if (entry.saved && !setup.reset) {
				state[entry.audience] = entry.saved;
				bytes += entry.saved.snapshot.length;
				members += entry.saved.members;
			}
			continue;
		}
		if (accepted.length === 0 && entry.saved && !entry.sendsEveryone) {
			state[entry.audience] = entry.saved;
			bytes += entry.saved.snapshot.length;
			members += entry.saved.members;
			continue;
		}
		const tracked = replaceAccepted ? new Map<string, number>() : entry.tracked;
		recordAccepted(tracked, accepted, setup.mode);
		const snapshot = await encodeSnapshot(tracked);
		const saved: SavedAudience = {
			kind: 'members',
			account: setup.account,
			mapping: setup.mapping,
			mirrored: entry.mirrored || replaceAccepted,
			members: trackedMemberCount(tracked),
			savedAt: new Date().toISOString(),
			snapshot,
		};
		state[entry.audience] = saved;
		bytes += snapshot.length;
		members += saved.members;
	}
	saveState(ctx, state);
	return { bytes, members };
}

/** The member ID and attribute mapping as written (expressions unevaluated): a change sends everyone. */
export function mappingHash(ctx: IExecuteFunctions): string {
	const raw = (name: string, fallback: unknown) => ctx.getNodeParameter(name, 0, fallback, { rawExpressions: true });
	const attributeMode = raw('attributeMode', 'none');
	const attributes = attributeMode === 'fields' ? raw('attributes', {}) : attributeMode === 'json' ? raw('attributesJson', '') : null;
	const { idType } = raw('options', {}) as { idType?: string };
	return shortHash(JSON.stringify([raw('userId', ''), attributeMode, attributes, raw('tags', null), idType ?? null]));
}
