import type { IExecuteFunctions } from 'n8n-workflow';
import { decodeSnapshot, encodeSnapshot, type PlannedRequest, recordAccepted, type SendMode, trackedMemberCount, type TrackedMembers } from '../../../engine';
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
	if (!saved) return 'first run: nothing is kept from earlier runs of this node for this audience';
	if (saved.account !== setup.account) return 'the credential now reaches another account';
	if (saved.mapping !== setup.mapping) return 'the member ID or attribute mapping changed since the last run';
	return undefined;
}

/**
 * Saves what this run's accepted requests leave each audience holding; refused, unknown and unsent
 * members keep their earlier state, so the next run sends them again. A Mirror replace that was not
 * accepted leaves the audience's state as it was. Audiences this run did not touch are dropped.
 * Nothing is written when nothing changed (n8n then does not rewrite the workflow's static data).
 * Returns the size of the saved state and the members it tracks.
 */
export async function saveTracking(
	ctx: IExecuteFunctions,
	audiences: TrackedAudience[],
	ledger: SyncLedger,
	setup: TrackingSetup,
): Promise<{ bytes: number; members: number }> {
	const earlier = savedStateOf(ctx);
	const state: NodeState = {};
	let bytes = 0;
	let members = 0;
	for (const entry of audiences) {
		const saved = await savedAfterRun(entry, ledger, setup);
		if (!saved) continue;
		state[entry.audience] = saved;
		bytes += saved.snapshot.length;
		members += saved.members;
	}
	const unchanged = Object.keys(earlier).length === Object.keys(state).length && Object.entries(state).every(([audience, saved]) => earlier[audience] === saved);
	if (!unchanged) saveState(ctx, state);
	return { bytes, members };
}

/** What an audience's state becomes after this run (the earlier one itself when nothing changed). */
async function savedAfterRun(entry: TrackedAudience, ledger: SyncLedger, setup: TrackingSetup): Promise<SavedAudience | undefined> {
	const ofAudience = (sent: { request: PlannedRequest }) => sent.request.audience === entry.audience;
	const accepted = ledger.accepted.filter(ofAudience).map((sent) => sent.request);
	const unknown = ledger.unknown.filter(ofAudience).map((sent) => sent.request);
	const replaceAccepted = accepted.some((request) => request.operation === 'replace');
	if (entry.replaces && !replaceAccepted) return setup.reset ? undefined : entry.saved;
	if (accepted.length === 0 && entry.saved && !entry.sendsEveryone) {
		const uncertain = uncertainty(entry.tracked, unknown);
		if (!uncertain && !entry.saved.uncertain) return entry.saved;
		const { uncertain: _earlier, ...kept } = entry.saved;
		return uncertain ? { ...kept, uncertain } : kept;
	}
	const tracked = replaceAccepted ? new Map<string, number>() : entry.tracked;
	recordAccepted(tracked, accepted, setup.mode);
	const uncertain = uncertainty(tracked, unknown);
	return {
		kind: 'members',
		account: setup.account,
		mapping: setup.mapping,
		mirrored: entry.mirrored || replaceAccepted,
		members: trackedMemberCount(tracked),
		...(uncertain ? { uncertain } : {}),
		savedAt: new Date().toISOString(),
		snapshot: await encodeSnapshot(tracked),
	};
}

/**
 * Members of requests with an unknown outcome (an answer lost) that would change the audience's
 * size: Mirror's size check allows that much difference until they are sent again.
 */
function uncertainty(tracked: TrackedMembers, unknown: PlannedRequest[]): { adds: number; removes: number } | undefined {
	let adds = 0;
	let removes = 0;
	for (const request of unknown) {
		for (const member of request.members) {
			if (member.action === 'remove') {
				if (tracked.has(member.id)) removes++;
			} else if (!tracked.has(member.id)) adds++;
		}
	}
	return adds + removes > 0 ? { adds, removes } : undefined;
}

/** The member ID and attribute mapping as written (expressions unevaluated): a change sends everyone. */
export function mappingHash(ctx: IExecuteFunctions): string {
	const raw = (name: string, fallback: unknown) => ctx.getNodeParameter(name, 0, fallback, { rawExpressions: true });
	const attributeMode = raw('attributeMode', 'none');
	const attributes = attributeMode === 'fields' ? raw('attributes', {}) : attributeMode === 'json' ? raw('attributesJson', '') : null;
	const { idType } = raw('options', {}) as { idType?: string };
	return shortHash(JSON.stringify([raw('userId', ''), attributeMode, attributes, raw('tags', null), idType ?? null]));
}
