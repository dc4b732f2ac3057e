import type { IDataObject, IExecuteFunctions, INodeExecutionData } from 'n8n-workflow';
import { NodeOperationError, sleep } from 'n8n-workflow';
import { parse } from '../../vendor/papaparse';
import { type AudienceCsv, buildAudienceCsv, type CsvRowInput, type InvalidItem, itemNumber } from '../../engine';
import { isReservedColumnName, RESERVED_COLUMN_RULE } from '../../engine/csv';
import type { AudienceUpload } from '../../transport/commBox';
import { itemReader, type ItemReader } from '../shared/itemParameters';
import { isEmptyInput } from '../shared/memberInputs';

/** The one file of a run, and which input items it carries. */
export interface AudienceFile {
	upload: AudienceUpload;
	format: 'csv' | 'xlsx' | 'xls';
	/** The header as sent; null for a spreadsheet (not read). */
	columns: string[] | null;
	/** Data rows; null for a spreadsheet (not read). */
	rows: number | null;
	duplicatesCollapsed: number;
	itemIndexes: number[];
	invalid: InvalidItem[];
}

const PHONE_COLUMN = 'phone1';
const CONTENT_TYPES = {
	csv: 'text/csv',
	xlsx: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
	xls: 'application/vnd.ms-excel',
};
const ZIP_MAGIC = Buffer.from([0x50, 0x4b, 0x03, 0x04]);
const OLE_MAGIC = Buffer.from([0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1]);
const DELIMITERS = [',', ';', '\t'];
/** Bytes of an incoming file decoded and parsed at a time (small chunks keep the garbage young). */
const CHUNK_BYTES = 1 << 16;
/** Parsing an incoming file gives the event loop a turn at least this often (a 64 KB chunk takes 1 to 2 ms). */
const SLICE_MS = 20;

/** The file of this run: a CSV built from every input item, or the one incoming binary file. */
export async function prepareAudienceFile(
	this: IExecuteFunctions,
	items: INodeExecutionData[],
	fileName: string | undefined,
): Promise<AudienceFile> {
	const source = this.getNodeParameter('source', 0, 'items') as string;
	return source === 'binary'
		? await fileFromBinary.call(this, items, fileName)
		: fileFromItems.call(this, items, fileName);
}

function fileFromItems(this: IExecuteFunctions, items: INodeExecutionData[], fileName: string | undefined): AudienceFile {
	// "Always Output Data" upstream turns an empty result into empty items: no row, no invalid item.
	const read = isEmptyInput(items) ? { rows: [], invalid: [], columns: columnNames.call(this) } : readRows.call(this, items);
	// The Default Country option (a country code): the country of numbers written without + or 00.
	const defaultCountry = String(this.getNodeParameter('options.defaultCountry', 0, '') ?? '');
	let csv: AudienceCsv;
	try {
		csv = buildAudienceCsv(read.rows, { columns: read.columns, defaultCountry });
	} catch (error) {
		throw new NodeOperationError(this.getNode(), (error as Error).message);
	}
	return {
		upload: { data: Buffer.from(csv.csv, 'utf8'), fileName: withExtension(fileName, 'csv'), contentType: CONTENT_TYPES.csv },
		format: 'csv',
		columns: csv.columns,
		rows: csv.rowCount,
		duplicatesCollapsed: csv.duplicatesCollapsed,
		itemIndexes: csv.itemIndexes,
		invalid: [...read.invalid, ...csv.invalid],
	};
}

/** phone1 and the extra columns of every item, read with the fast per-item reader. */
function readRows(
	this: IExecuteFunctions,
	items: INodeExecutionData[],
): { rows: CsvRowInput[]; invalid: InvalidItem[]; columns?: string[] } {
	const phone = itemReader(this, items, 'phone');
	const extra = this.getNodeParameter('extraColumns', 0, 'none') as string;
	const columns = extra === 'mapped' ? columnNames.call(this) : undefined;
	let columnsOf: (itemIndex: number) => Record<string, unknown> = () => ({});
	if (extra === 'allFields') {
		const phoneField = phoneFieldName(this.getNode().parameters.phone);
		columnsOf = (itemIndex) => withoutField(items[itemIndex].json, phoneField);
	} else if (columns) {
		const values: ItemReader[] = columns.map((_, k) => itemReader(this, items, `columns.column[${k}].value`));
		columnsOf = (itemIndex) => {
			// No prototype: every name is an own cell (the reserved names are refused in columnNames anyway).
			const cells = Object.create(null) as Record<string, unknown>;
			for (let k = 0; k < columns.length; k++) cells[columns[k]] = values[k](itemIndex);
			return cells;
		};
	}
	const rows: CsvRowInput[] = [];
	const invalid: InvalidItem[] = [];
	for (let itemIndex = 0; itemIndex < items.length; itemIndex++) {
		try {
			rows.push({ itemIndex, phone: phone(itemIndex), columns: columnsOf(itemIndex) });
		} catch (error) {
			invalid.push({ itemIndex, message: (error as Error).message });
		}
	}
	return { rows, invalid, columns };
}

/** Mapped column names, in the order they were set (read at item 0, the same for every item). */
function columnNames(this: IExecuteFunctions): string[] | undefined {
	if (this.getNodeParameter('extraColumns', 0, 'none') !== 'mapped') return undefined;
	const definitions = (this.getNode().parameters.columns as { column?: unknown[] } | undefined)?.column ?? [];
	const names = definitions.map((_, k) => String(this.getNodeParameter(`columns.column[${k}].name`, 0, '')).trim());
	const reserved = names.findIndex(isReservedColumnName);
	if (reserved >= 0) {
		throw new NodeOperationError(
			this.getNode(),
			`Column name ${JSON.stringify(names[reserved])} (mapped column ${reserved + 1}, item 1) is not allowed: ${RESERVED_COLUMN_RULE}. Nothing was sent.`,
			{ itemIndex: 0, description: `Give mapped column ${reserved + 1} another name.` },
		);
	}
	return names;
}

/** The top-level field the phone expression reads (`{{ $json.phone }}` -> "phone"), if it is that simple. */
function phoneFieldName(expression: unknown): string | undefined {
	const match = /^=\{\{\s*\$json(?:\.([A-Za-z_$][\w$]*)|\[(?:"([^"\\]+)"|'([^'\\]+)')\])\s*\}\}$/.exec(
		String(expression ?? '={{ $json.phone }}'),
	);
	return match ? match[1] ?? match[2] ?? match[3] : undefined;
}

function withoutField(json: IDataObject, field: string | undefined): Record<string, unknown> {
	if (field === undefined || !(field in json)) return json;
	const { [field]: _phone, ...rest } = json;
	return rest;
}

async function fileFromBinary(
	this: IExecuteFunctions,
	items: INodeExecutionData[],
	fileName: string | undefined,
): Promise<AudienceFile> {
	const property = String(this.getNodeParameter('binaryPropertyName', 0, 'data')).trim();
	const carriers: number[] = [];
	items.forEach((item, index) => item.binary?.[property] && carriers.push(index));
	if (carriers.length === 0) {
		if (isEmptyInput(items)) return emptyCsv(items, fileName);
		throw new NodeOperationError(this.getNode(), `No input item has a file in the binary field "${property}"`, {
			itemIndex: 0,
			description: 'Set "Input Binary Field" to the field holding the CSV or XLSX file, e.g. the output field of "Convert to File".',
		});
	}
	if (carriers.length > 1) {
		throw new NodeOperationError(
			this.getNode(),
			`Item ${itemNumber(carriers[1])} carries a second file in "${property}" (item ${itemNumber(carriers[0])} already does): CommBox replaces the whole audience with one file, so exactly one file is sent per run`,
			{ itemIndex: carriers[1], description: 'Merge the rows into one file first (e.g. "Convert to File" over all items), or use Source "Items".' },
		);
	}
	const [itemIndex] = carriers;
	const data = await this.helpers.getBinaryDataBuffer(itemIndex, property);
	const name = fileName ?? items[itemIndex].binary?.[property]?.fileName;
	const file = { duplicatesCollapsed: 0, itemIndexes: [itemIndex], invalid: [] };
	const spreadsheet = spreadsheetFormat(data);
	if (spreadsheet === 'notExcel') {
		throw new NodeOperationError(this.getNode(), `The file in "${property}" is a zip archive but not an Excel workbook (.xlsx)`, {
			itemIndex,
			description: 'CommBox accepts a CSV or an Excel file.',
		});
	}
	if (spreadsheet) {
		const upload = { data, fileName: withExtension(name, spreadsheet), contentType: CONTENT_TYPES[spreadsheet] };
		return { ...file, upload, format: spreadsheet, columns: null, rows: null };
	}
	const { header: columns, rows } = await readCsvShape(data);
	if (!columns.includes(PHONE_COLUMN)) {
		const shown = columns.slice(0, 20).map((column) => JSON.stringify(column)).join(', ');
		throw new NodeOperationError(this.getNode(), `The CSV file in "${property}" has no ${PHONE_COLUMN} column, which CommBox requires. Nothing was sent.`, {
			itemIndex,
			description: `Its header is: ${shown || '(empty)'}. Name the column of phone numbers exactly ${PHONE_COLUMN} (full international numbers: digits with the country code, no +), or use Source "Items" to build the file from the items.`,
		});
	}
	const upload = { data, fileName: withExtension(name, 'csv'), contentType: CONTENT_TYPES.csv };
	return { ...file, upload, format: 'csv', columns, rows };
}

/** Nothing to send: the header-only file that empties an audience (sent only when allowed). */
function emptyCsv(items: INodeExecutionData[], fileName: string | undefined): AudienceFile {
	const csv = buildAudienceCsv([]);
	return {
		upload: { data: Buffer.from(csv.csv, 'utf8'), fileName: withExtension(fileName, 'csv'), contentType: CONTENT_TYPES.csv },
		format: 'csv',
		columns: csv.columns,
		rows: 0,
		duplicatesCollapsed: 0,
		itemIndexes: items.map((_, index) => index),
		invalid: [],
	};
}

/** A CSV's rows (header first), delimiter detected and BOM removed, as CommBox reads it. */
export function readCsv(text: string, preview = 0): string[][] {
	const result = parse<string[]>(text.replace(/^\uFEFF/, ''), { skipEmptyLines: 'greedy', delimitersToGuess: DELIMITERS, preview });
	const [header = [], ...rows] = result.data;
	return [header.map((column) => String(column).trim()), ...rows];
}

/** How far the read of an incoming CSV has come: bytes of the file parsed, data rows counted. */
export interface CsvReadProgress {
	bytes: number;
	rows: number;
}

export interface ReadCsvShapeOptions {
	/**
	 * Awaited between slices of parsing (about every SLICE_MS), so that reading a large file never
	 * blocks the event loop for long. Default: n8n's `sleep(0)`, one turn of the event loop.
	 */
	yieldToEventLoop?: () => Promise<void>;
	/** Called after each chunk is parsed. */
	onChunk?: (progress: CsvReadProgress) => void;
}

/**
 * The header and the number of data rows of a CSV, read as `readCsv` reads it but one chunk at a
 * time: neither the whole text nor the table of a large file is ever held in memory, and the event
 * loop gets a turn between slices of parsing.
 */
export async function readCsvShape(data: Buffer, options: ReadCsvShapeOptions = {}): Promise<{ header: string[]; rows: number }> {
	const yieldToEventLoop = options.yieldToEventLoop ?? (async () => await sleep(0));
	let header: string[] | undefined;
	let rows = 0;
	let failed = false;
	let failure: unknown;
	const source = new ChunkSource();
	// Papa registers its listeners on the source right away; each chunk given to it is then parsed
	// before `emit` returns.
	parse<string[]>(source.stream(), {
		skipEmptyLines: 'greedy',
		delimitersToGuess: DELIMITERS,
		step: (row) => {
			if (header === undefined) header = row.data.map((column) => String(column).trim());
			else rows++;
		},
		error: (error) => {
			failed = true;
			failure = error;
		},
	});
	// UTF-8 text in chunks: the decoder keeps a character split between two chunks whole and drops the BOM.
	const decoder = new TextDecoder('utf-8');
	let sliceStart = Date.now();
	for (let start = 0; start < data.length && !failed; start += CHUNK_BYTES) {
		source.emit(decoder.decode(data.subarray(start, start + CHUNK_BYTES), { stream: true }));
		options.onChunk?.({ bytes: Math.min(start + CHUNK_BYTES, data.length), rows });
		if (Date.now() - sliceStart >= SLICE_MS) {
			await yieldToEventLoop();
			sliceStart = Date.now();
		}
	}
	if (!failed) {
		source.emit(decoder.decode());
		source.end();
	}
	if (failed) throw failure;
	return { header: header ?? [], rows };
}

type Listener = (chunk?: string) => void;

/**
 * The readable stream papaparse accepts as input (it uses `on`, `removeListener`, `pause`,
 * `resume` and the `data`/`end` events), fed one chunk of text at a time by `emit`. Node's stream
 * module is not among the modules n8n allows a community node to load, hence this small source.
 */
class ChunkSource {
	private readonly listeners = new Map<string, Listener>();

	stream(): NodeJS.ReadableStream {
		const listeners = this.listeners;
		const stream = {
			readable: true,
			read: () => null,
			on(event: string, listener: Listener) {
				listeners.set(event, listener);
				return stream;
			},
			removeListener(event: string) {
				listeners.delete(event);
				return stream;
			},
			pause: () => stream,
			resume: () => stream,
		};
		return stream as unknown as NodeJS.ReadableStream;
	}

	emit(chunk: string): void {
		if (chunk) this.listeners.get('data')?.(chunk);
	}

	end(): void {
		this.listeners.get('end')?.();
	}
}

/** Excel is recognised by its content: zip (.xlsx) or OLE (.xls) magic bytes. */
function spreadsheetFormat(data: Buffer): 'xlsx' | 'xls' | 'notExcel' | undefined {
	if (startsWith(data, OLE_MAGIC)) return 'xls';
	if (!startsWith(data, ZIP_MAGIC)) return undefined;
	// Entry names are stored uncompressed: an Office Open XML workbook lists these two.
	return data.includes('[Content_Types].xml') && data.includes('xl/') ? 'xlsx' : 'notExcel';
}

function startsWith(data: Buffer, magic: Buffer): boolean {
	return data.length >= magic.length && data.subarray(0, magic.length).equals(magic);
}

/** The file name with the extension of its format (`contacts` or `contacts.txt` -> `contacts.csv`). */
function withExtension(fileName: string | undefined, extension: 'csv' | 'xlsx' | 'xls'): string {
	const base = String(fileName ?? '').trim().replace(/\.(csv|txt|xlsx|xls)$/i, '') || 'audience';
	return `${base}.${extension}`;
}
