import type { IDataObject, IExecuteFunctions, INodeExecutionData } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';
import { count, itemNumber } from '../../engine';
import type { AudienceUpload, CommBoxEnvelope } from '../../transport/commBox';
import { errorItem, invalidItemsOutput } from '../shared/itemErrors';
import { type Banner, showBanners } from '../shared/summaryHint';
import { outputModeOf, type OutputMode } from '../shared/sync/output';
import { asNodeError } from '../shared/nodeError';
import { itemReader } from '../shared/itemParameters';
import { isStopped } from '../../transport/cancellation';
import { httpStatusOf, outcomeOf } from '../../transport/request';
import { requestPolicy, type RequestPolicy } from '../../transport/requestPolicy';
import { type AudienceFile, prepareAudienceFile, readCsv } from './audienceFile';

export interface UploadOptions {
	allowEmpty?: boolean;
	dryRun?: boolean;
	fileName?: string;
	maxRetries?: number;
	minimumShare?: number;
	outputMode?: OutputMode;
}

/** Where the file goes: an existing Static audience (replace) or a new one (create). */
export interface UploadTarget {
	operation: string;
	/** Identifies the audience in the output, e.g. `{ audienceId: '1001' }`. */
	audience: IDataObject;
	/** Why an empty file is refused, e.g. `replacing would remove every customer of audience 1001`. */
	emptyEffect: string;
	allowEmptyOption: string;
	/** A refusal to send this file (Replace Static's shrink guard), checked after a dry run would have stopped. */
	guard?(this: IExecuteFunctions, file: AudienceFile, policy: RequestPolicy): Promise<Error | undefined>;
	send(this: IExecuteFunctions, upload: AudienceUpload, policy: RequestPolicy): Promise<CommBoxEnvelope<{ id?: string | number }>>;
	/** Replace Static: whether the file is the one CommBox last accepted for the audience (it is then not uploaded). */
	unchanged?(this: IExecuteFunctions, file: AudienceFile, policy: RequestPolicy): Promise<boolean>;
	/** Called once CommBox accepted the file. */
	accepted?(this: IExecuteFunctions, file: AudienceFile): void;
}

const PREVIEW_ROWS = 10;

/**
 * Replace Static and Create Static: one file per run (CommBox replaces the whole audience, so it
 * cannot be split), invalid items handled before anything is sent, an empty file only on purpose.
 */
export async function uploadAudienceFile(
	this: IExecuteFunctions,
	items: INodeExecutionData[],
	target: UploadTarget,
): Promise<INodeExecutionData[]> {
	const options = this.getNodeParameter('options', 0, {}) as UploadOptions;
	const file = await prepareAudienceFile.call(this, items, options.fileName?.trim() || undefined);
	const invalidOutput = invalidItemsOutput.call(this, file.invalid);
	const allItems = items.map((_, index) => index);

	if (file.rows === 0 && !options.allowEmpty) {
		const error = new NodeOperationError(this.getNode(), `No valid row to send: ${target.emptyEffect}. Nothing was sent.`, {
			description: `Turn on "${target.allowEmptyOption}" in the options to send a file with only the header on purpose.`,
		});
		if (!this.continueOnFail()) throw error;
		return [...invalidOutput, errorItem(error.message, allItems)];
	}

	const pairedItem = (file.itemIndexes.length > 0 ? file.itemIndexes : allItems).map((item) => ({ item }));
	const summary: IDataObject = {
		...target.audience,
		operation: target.operation,
		source: this.getNodeParameter('source', 0, 'items') as string,
		rows: file.rows,
		columns: file.columns,
		duplicatesCollapsed: file.duplicatesCollapsed,
		invalid: file.invalid.length,
		fileName: file.upload.fileName,
		format: file.format,
		bytes: file.upload.data.length,
	};
	/** `50 items → 1 file of 48 rows accepted, 0 duplicates collapsed, 2 invalid`; no outcome for a dry run. */
	const banner = (outcome?: string): Banner => ({
		message: `${outcome ? '' : 'Dry run (nothing sent): '}${fileText(items.length, file)}${outcome ? ` ${outcome}` : ''}, ${count(file.duplicatesCollapsed)} ${file.duplicatesCollapsed === 1 ? 'duplicate' : 'duplicates'} collapsed, ${count(file.invalid.length)} invalid`,
		type: (!outcome || outcome === 'accepted' || outcome.startsWith('unchanged')) && file.invalid.length === 0 ? 'info' : 'warning',
	});
	const perContact = outputModeOf(this, options) === 'perContact';
	const output = (json: IDataObject): INodeExecutionData[] => {
		if (!perContact) return [{ json, pairedItem }, ...invalidOutput];
		// The audience's ID only: a contact keeps its own fields (a "name" among them).
		const outcome = json.dryRun ? {} : { outcome: json.outcome ?? 'accepted' };
		const fields: IDataObject = { audienceId: json.audienceId ?? target.audience.audienceId ?? null, ...outcome, dryRun: Boolean(json.dryRun) };
		const contacts = pairedItem.map(({ item }) => ({ json: { ...items[item].json, ...fields }, pairedItem: { item } }));
		return [...contacts, ...invalidOutput];
	};
	if (options.dryRun) {
		showBanners(this, banner());
		return output({ ...summary, dryRun: true, status: null, description: null, firstRows: firstRows(file) });
	}

	const policy = requestPolicy(this, options);
	let envelope: CommBoxEnvelope<{ id?: string | number }>;
	try {
		if (file.rows !== 0 && (await target.unchanged?.call(this, file, policy))) {
			showBanners(this, banner('unchanged since the last accepted upload, not uploaded'));
			return output({ ...summary, dryRun: false, outcome: 'unchanged', uploaded: false, note: 'Identical to the last file CommBox accepted for this audience: not uploaded again.' });
		}
		const refusal = file.rows === 0 ? undefined : await target.guard?.call(this, file, policy);
		if (refusal) throw refusal;
		envelope = await target.send.call(this, file.upload, policy);
	} catch (error) {
		if (isStopped(error, policy.signal) || !this.continueOnFail()) throw asNodeError(this.getNode(), error);
		const outcome = outcomeOf(error);
		const status = httpStatusOf(error);
		showBanners(this, banner(outcome === 'unknown' ? 'with an unknown outcome (may have been applied)' : status ? `refused (${status})` : 'not sent'));
		return [errorItem((error as Error).message, pairedItem.map(({ item }) => item), outcome), ...invalidOutput];
	}
	const status = Number(envelope?.status);
	const id = envelope?.data?.id;
	target.accepted?.call(this, file);
	showBanners(this, banner('accepted'));
	return output({
		...summary,
		...(id === undefined || id === null ? {} : { audienceId: String(id) }),
		dryRun: false,
		status: Number.isFinite(status) ? status : null,
		description: typeof envelope?.description === 'string' ? envelope.description : null,
	});
}

/** `50 items → 1 file of 48 rows` (a spreadsheet's rows are not counted). */
function fileText(items: number, file: AudienceFile): string {
	const rows = file.rows === null ? `a ${file.format.toUpperCase()} file` : `1 file of ${count(file.rows)} ${file.rows === 1 ? 'row' : 'rows'}`;
	return `${count(items)} ${items === 1 ? 'item' : 'items'} → ${rows}`;
}

/** The first rows of the CSV as it would be sent, keyed by its header. */
function firstRows(file: AudienceFile): IDataObject[] | null {
	if (file.format !== 'csv') return null;
	const [header, ...rows] = readCsv(file.upload.data.toString('utf8'), PREVIEW_ROWS + 1);
	return rows.map((cells) => Object.fromEntries(header.map((column, k) => [column, cells[k] ?? ''])));
}

/**
 * A parameter that must be the same for every item (one file goes to one audience per run); it
 * may still be an expression, e.g. `{{ $json.audienceId }}`.
 */
export function sameForAllItems(
	this: IExecuteFunctions,
	items: INodeExecutionData[],
	name: string,
	label: string,
): string {
	const read = itemReader(this, items, name);
	const first = String(read(0) ?? '').trim();
	if (first === '') {
		throw new NodeOperationError(this.getNode(), `The ${label} is empty`, { itemIndex: 0 });
	}
	for (let itemIndex = 1; itemIndex < items.length; itemIndex++) {
		const value = String(read(itemIndex) ?? '').trim();
		if (value !== first) {
			throw new NodeOperationError(
				this.getNode(),
				`Item ${itemNumber(itemIndex)} gives the ${label} "${value}" but item 1 gives "${first}": one run sends one file to one audience`,
				{ itemIndex, description: 'Split the items by audience first (e.g. with a Switch node), one Audience node per audience.' },
			);
		}
	}
	return first;
}
