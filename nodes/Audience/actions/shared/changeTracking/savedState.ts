import { createHash } from 'crypto';
import type { IDataObject, IExecuteFunctions } from 'n8n-workflow';
import { credentialsOf } from '../../../transport/request';

/**
 * Where change tracking keeps what earlier runs had accepted: the workflow's static data (the one
 * durable place a community node has), under the node's id, so renaming the node keeps it. n8n
 * saves it after every run but those started from the editor, also when the run fails.
 */
const ROOT = 'audienceSync';

/** What one node keeps, by audience (or CommBox audience ID). */
export type NodeState = Record<string, SavedAudience | SavedFile>;

/** An audience synced by Update with change tracking. */
export interface SavedAudience {
	kind: 'members';
	/** Hash of the account (project or app) the audience lives in: never a key. */
	account: string;
	/** Hash of the member ID and attribute mapping the members were sent with. */
	mapping: string;
	/** A Mirror run replaced the audience: from then on, the tracked members are all it holds. */
	mirrored: boolean;
	members: number;
	/**
	 * Members of the last run's requests whose outcome is unknown (e.g. an answer lost): the audience
	 * may hold up to `adds` more or `removes` fewer members than tracked, until they are sent again.
	 */
	uncertain?: { adds: number; removes: number };
	savedAt: string;
	/** The tracked members (see encodeSnapshot). */
	snapshot: string;
}

/** The last file CommBox accepted for an audience. */
export interface SavedFile {
	kind: 'file';
	account: string;
	/** Hash of the file's bytes. */
	file: string;
	rows: number | null;
	savedAt: string;
}

export function savedStateOf(ctx: IExecuteFunctions): NodeState {
	const root = ctx.getWorkflowStaticData('global')[ROOT] as Record<string, NodeState> | undefined;
	return root?.[ctx.getNode().id] ?? {};
}

/** Replaces the node's state; an empty one is removed. */
export function saveState(ctx: IExecuteFunctions, state: NodeState): void {
	const staticData = ctx.getWorkflowStaticData('global');
	const root = (staticData[ROOT] ?? {}) as IDataObject;
	if (Object.keys(state).length === 0) delete root[ctx.getNode().id];
	else root[ctx.getNode().id] = state as unknown as IDataObject;
	if (Object.keys(root).length === 0) delete staticData[ROOT];
	else staticData[ROOT] = root;
}

/** n8n keeps no static data for runs started from the editor: what they track is lost. */
export function stateIsKept(ctx: IExecuteFunctions): boolean {
	return ctx.getMode() !== 'manual';
}

/** 16 hex digits of the SHA-256 of the parts: identifies a mapping, an account or a file, and reveals none. */
export function shortHash(...parts: Array<string | Buffer>): string {
	const hash = createHash('sha256');
	for (const part of parts) hash.update(part).update('\n');
	return hash.digest('hex').slice(0, 16);
}

/** The credential fields that say which account (project, app) the audiences belong to. */
const ACCOUNT_FIELDS: Record<string, string[]> = {
	batchApi: ['baseUrl', 'projectKey'],
	batchCustomAudienceApi: ['baseUrl', 'appApiKey'],
	commBoxApi: ['baseUrl', 'apiKey'],
};

/** A hash of the account the credential reaches: another project or app starts tracking afresh. */
export async function accountHash(ctx: IExecuteFunctions, credentialType: string): Promise<string> {
	const credentials = await credentialsOf(ctx, credentialType);
	const identity = (ACCOUNT_FIELDS[credentialType] ?? []).map((field) => String(credentials[field] ?? '').trim());
	return shortHash(JSON.stringify([credentialType, ...identity]));
}
