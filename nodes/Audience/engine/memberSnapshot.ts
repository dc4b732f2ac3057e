/**
 * The compact form of a tracked audience (member id → fingerprint) kept between runs: the ids in
 * sorted order, each written as the length of the prefix it shares with the previous one and the
 * rest of its UTF-8 bytes, then the 6-byte fingerprints, gzipped and in base64 (it is stored in JSON).
 * Sorted, neighbouring ids share long prefixes (numeric ids, `user_…`), which then cost one byte.
 */
export type TrackedMembers = Map<string, number>;

const FINGERPRINT_BYTES = 6;
const FORMAT = 1;

export async function encodeSnapshot(members: TrackedMembers): Promise<string> {
	const ids = [...members.keys()].sort();
	const writer = new ByteWriter(ids.length * 16 + 16);
	writer.varint(FORMAT);
	writer.varint(ids.length);
	let previous: Buffer = Buffer.alloc(0);
	for (const id of ids) {
		const bytes = Buffer.from(id, 'utf8');
		let shared = 0;
		const most = Math.min(previous.length, bytes.length);
		while (shared < most && previous[shared] === bytes[shared]) shared++;
		writer.varint(shared);
		writer.varint(bytes.length - shared);
		writer.bytes(bytes.subarray(shared));
		previous = bytes;
	}
	for (const id of ids) writer.uint48(members.get(id) ?? 0);
	return (await transform(writer.written(), new CompressionStream('gzip'))).toString('base64');
}

export async function decodeSnapshot(text: string): Promise<TrackedMembers> {
	const reader = new ByteReader(await transform(Buffer.from(text, 'base64'), new DecompressionStream('gzip')));
	const format = reader.varint();
	if (format !== FORMAT) throw new Error(`Unknown snapshot format ${format}`);
	const size = reader.varint();
	const ids: string[] = new Array(size);
	// The id being read, built in place on the previous one's shared prefix.
	let id = Buffer.alloc(256);
	for (let i = 0; i < size; i++) {
		const shared = reader.varint();
		const rest = reader.bytes(reader.varint());
		const length = shared + rest.length;
		if (length > id.length) id = Buffer.concat([id, Buffer.alloc(length)]);
		rest.copy(id, shared);
		ids[i] = id.toString('utf8', 0, length);
	}
	const members: TrackedMembers = new Map();
	for (const id of ids) members.set(id, reader.uint48());
	return members;
}

/**
 * Runs bytes through a (de)compression stream, reading while writing so neither side stalls. Both
 * sides are awaited together: a damaged input fails both, and neither failure may go unhandled.
 */
async function transform(input: Uint8Array, stream: CompressionStream | DecompressionStream): Promise<Buffer> {
	const writer = stream.writable.getWriter();
	const writing = writer.write(input).then(async () => await writer.close());
	const [chunks] = await Promise.all([readAll(stream.readable.getReader()), writing]);
	return Buffer.concat(chunks);
}

async function readAll(reader: ReadableStreamDefaultReader<Uint8Array>): Promise<Uint8Array[]> {
	const chunks: Uint8Array[] = [];
	for (;;) {
		const { done, value } = await reader.read();
		if (done) return chunks;
		chunks.push(value);
	}
}

class ByteWriter {
	private buffer: Buffer;
	private length = 0;

	constructor(capacity: number) {
		this.buffer = Buffer.alloc(capacity);
	}

	varint(value: number): void {
		this.reserve(8);
		let rest = value;
		while (rest >= 0x80) {
			this.buffer[this.length++] = (rest & 0x7f) | 0x80;
			rest = Math.floor(rest / 0x80);
		}
		this.buffer[this.length++] = rest;
	}

	uint48(value: number): void {
		this.reserve(FINGERPRINT_BYTES);
		this.buffer.writeUIntBE(value, this.length, FINGERPRINT_BYTES);
		this.length += FINGERPRINT_BYTES;
	}

	bytes(bytes: Uint8Array): void {
		this.reserve(bytes.length);
		this.buffer.set(bytes, this.length);
		this.length += bytes.length;
	}

	written(): Buffer {
		return this.buffer.subarray(0, this.length);
	}

	private reserve(bytes: number): void {
		if (this.length + bytes <= this.buffer.length) return;
		const grown = Buffer.alloc(Math.max(this.buffer.length * 2, this.length + bytes));
		this.buffer.copy(grown, 0, 0, this.length);
		this.buffer = grown;
	}
}

class ByteReader {
	private offset = 0;

	constructor(private readonly buffer: Buffer) {}

	varint(): number {
		let value = 0;
		let scale = 1;
		for (;;) {
			if (this.offset >= this.buffer.length) throw new Error('The snapshot is cut short');
			const byte = this.buffer[this.offset++];
			value += (byte & 0x7f) * scale;
			if (byte < 0x80) return value;
			scale *= 0x80;
		}
	}

	uint48(): number {
		if (this.offset + FINGERPRINT_BYTES > this.buffer.length) throw new Error('The snapshot is cut short');
		const value = this.buffer.readUIntBE(this.offset, FINGERPRINT_BYTES);
		this.offset += FINGERPRINT_BYTES;
		return value;
	}

	bytes(length: number): Buffer {
		if (this.offset + length > this.buffer.length) throw new Error('The snapshot is cut short');
		const bytes = this.buffer.subarray(this.offset, this.offset + length);
		this.offset += length;
		return bytes;
	}
}
