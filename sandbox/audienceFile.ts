import { extname } from 'node:path';
import Papa from 'papaparse';
import * as XLSX from 'xlsx';
import type { CommBoxUpload } from './audiences';
import { malformed } from './errors';
import { mediaType } from './http';
import type { MultipartPart } from './multipart';

/** A CommBox audience file (CSV or Excel) read into rows keyed by the header row. */
export interface AudienceFile {
	columns: string[];
	rows: Array<Record<string, string>>;
	upload: CommBoxUpload;
}

const PHONE_COLUMN = 'phone1';
/** Full international number with country code, digits only (no `+`). */
const PHONE_NUMBER = /^\d{8,15}$/;
const ZIP_MAGIC = Buffer.from([0x50, 0x4b, 0x03, 0x04]);
const OLE_MAGIC = Buffer.from([0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1]);
const CSV_EXTENSIONS = ['.csv', '.txt'];
const CSV_MEDIA_TYPES = ['text/csv', 'text/plain', 'application/csv'];

/** Reads the file; the content decides Excel (zip or OLE magic), the name or media type decides CSV. */
export function readAudienceFile(part: MultipartPart): AudienceFile {
	const upload: CommBoxUpload = {
		fileName: part.fileName ?? '',
		contentType: part.contentType ?? '',
		bytes: part.data.length,
	};
	if (startsWith(part.data, ZIP_MAGIC) || startsWith(part.data, OLE_MAGIC)) {
		return { ...tableToRows(readWorkbook(part.data)), upload };
	}
	if (!isNamedLikeCsv(upload)) throw invalidFormat('expected a CSV or Excel file');
	const text = decodeText(part.data);
	return { ...tableToRows(readCsv(text)), upload: { ...upload, text } };
}

/** Every row needs a phone1 of 8 to 15 digits. */
export function checkPhoneNumbers(file: AudienceFile): void {
	if (!file.columns.includes(PHONE_COLUMN)) throw malformed(`missing ${PHONE_COLUMN} column`);
	file.rows.forEach((row, index) => {
		if (!PHONE_NUMBER.test(row[PHONE_COLUMN])) {
			throw malformed(
				`row ${index + 1}: ${PHONE_COLUMN} must be 8 to 15 digits with the country code and no "+", got "${row[PHONE_COLUMN]}"`,
			);
		}
	});
}

function invalidFormat(detail: string) {
	return malformed(`invalid file format: ${detail}`);
}

function startsWith(data: Buffer, magic: Buffer): boolean {
	return data.length >= magic.length && data.subarray(0, magic.length).equals(magic);
}

function isNamedLikeCsv({ fileName, contentType }: CommBoxUpload): boolean {
	const extension = extname(fileName).toLowerCase();
	return extension ? CSV_EXTENSIONS.includes(extension) : CSV_MEDIA_TYPES.includes(mediaType(contentType));
}

function decodeText(data: Buffer): string {
	let text: string;
	try {
		text = new TextDecoder('utf-8', { fatal: true }).decode(data);
	} catch {
		throw invalidFormat('a CSV file must be UTF-8 text');
	}
	if (text.includes('\0')) throw invalidFormat('a CSV file must be text');
	return text.replace(/^\uFEFF/, '');
}

function readCsv(text: string): string[][] {
	const result = Papa.parse<string[]>(text, { skipEmptyLines: true, delimitersToGuess: [',', ';', '\t'] });
	// A one-column file has no delimiter to detect; that is not an error.
	const error = result.errors.find((problem) => problem.code !== 'UndetectableDelimiter');
	if (error) throw invalidFormat(`CSV ${error.message.toLowerCase()} (line ${(error.row ?? 0) + 1})`);
	return result.data;
}

function readWorkbook(data: Buffer): string[][] {
	const sheet = firstSheet(data);
	if (!sheet) throw invalidFormat('the Excel file cannot be read');
	const cells = XLSX.utils.sheet_to_json<unknown[]>(sheet, { header: 1, raw: true, defval: '', blankrows: false });
	return cells.map((row) => row.map((cell) => String(cell)));
}

function firstSheet(data: Buffer): XLSX.WorkSheet | undefined {
	try {
		const workbook = XLSX.read(data, { type: 'buffer' });
		return workbook.Sheets[workbook.SheetNames[0]];
	} catch {
		return undefined;
	}
}

function tableToRows([header = [], ...dataRows]: string[][]): Pick<AudienceFile, 'columns' | 'rows'> {
	const columns = header.map((column) => column.trim());
	const duplicate = columns.find((column, index) => columns.indexOf(column) !== index);
	if (duplicate !== undefined) throw invalidFormat(`the column "${duplicate}" appears twice`);
	const rows = dataRows.map((cells, index) => {
		if (cells.length !== columns.length) {
			throw invalidFormat(`row ${index + 1} has ${cells.length} fields, the header has ${columns.length}`);
		}
		return Object.fromEntries(columns.map((column, position) => [column, cells[position]]));
	});
	return { columns, rows };
}
