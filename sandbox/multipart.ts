import { malformed } from './errors';

export interface MultipartPart {
	name: string;
	fileName?: string;
	contentType?: string;
	data: Buffer;
}

const CRLF = '\r\n';
const BOUNDARY = /^multipart\/form-data\s*;(?:.*;)?\s*boundary=(?:"([^"]+)"|([^\s;]+))/i;
const FIELD_NAME = /(?:^|;)\s*name=(?:"([^"]*)"|([^;\s]*))/i;
const FILE_NAME = /;\s*filename=(?:"([^"]*)"|([^;\s]*))/i;

/** Parses a multipart/form-data body (RFC 7578). Throws a 400-worthy error when it is malformed or truncated. */
export function parseMultipart(body: Buffer, contentType: string | undefined): MultipartPart[] {
	const boundaryMatch = BOUNDARY.exec(contentType ?? '');
	if (!boundaryMatch) throw malformed('Content-Type must be multipart/form-data with a boundary');
	const delimiter = `--${boundaryMatch[1] ?? boundaryMatch[2]}`;
	const nextDelimiter = Buffer.from(CRLF + delimiter);
	let position = body.indexOf(delimiter);
	if (position === -1) throw malformed('the multipart body holds no part');
	const parts: MultipartPart[] = [];
	for (;;) {
		position += delimiter.length;
		if (body.toString('latin1', position, position + 2) === '--') return parts;
		if (body.toString('latin1', position, position + 2) !== CRLF) throw malformed('the multipart body is malformed');
		const end = body.indexOf(nextDelimiter, position + 2);
		if (end === -1) throw malformed('the multipart body is truncated');
		parts.push(parsePart(body.subarray(position + 2, end)));
		position = end + CRLF.length;
	}
}

function parsePart(raw: Buffer): MultipartPart {
	const headersEnd = raw.indexOf(CRLF + CRLF);
	if (headersEnd === -1) throw malformed('a multipart part has no headers');
	const headers = new Map<string, string>();
	for (const line of raw.toString('utf8', 0, headersEnd).split(CRLF)) {
		const colon = line.indexOf(':');
		if (colon > 0) headers.set(line.slice(0, colon).trim().toLowerCase(), line.slice(colon + 1).trim());
	}
	const disposition = headers.get('content-disposition') ?? '';
	const name = FIELD_NAME.exec(disposition);
	if (!/^form-data\b/i.test(disposition) || !name) throw malformed('a multipart part has no form-data name');
	const fileName = FILE_NAME.exec(disposition);
	return {
		name: name[1] ?? name[2],
		fileName: fileName ? fileName[1] ?? fileName[2] : undefined,
		contentType: headers.get('content-type'),
		data: raw.subarray(headersEnd + 2 * CRLF.length),
	};
}
