import type { IExecuteFunctions } from 'n8n-workflow';
import type { AudienceUpload } from '../../../transport/commBox';
import { accountHash, savedStateOf, saveState, type SavedFile, shortHash } from './savedState';

/** CommBox Replace Static: the last file CommBox accepted for an audience from this node. */
export interface UploadIdentity {
	audienceId: string;
	account: string;
	file: string;
}

export async function uploadIdentity(ctx: IExecuteFunctions, audienceId: string, upload: AudienceUpload): Promise<UploadIdentity> {
	const file = shortHash(upload.fileName, upload.contentType, upload.data);
	return { audienceId, account: await accountHash(ctx, 'commBoxApi'), file };
}

/** The rows of the last accepted file when it is identical to this one; undefined otherwise. */
export function sameAsLastUpload(ctx: IExecuteFunctions, identity: UploadIdentity): { rows: number | null } | undefined {
	const saved = savedStateOf(ctx)[identity.audienceId];
	if (saved?.kind !== 'file' || saved.account !== identity.account || saved.file !== identity.file) return undefined;
	return { rows: saved.rows };
}

/** Remembers an accepted file (only this audience's: the node sends one file per run). */
export function rememberUpload(ctx: IExecuteFunctions, identity: UploadIdentity, rows: number | null): void {
	const saved: SavedFile = { kind: 'file', account: identity.account, file: identity.file, rows, savedAt: new Date().toISOString() };
	saveState(ctx, { [identity.audienceId]: saved });
}
