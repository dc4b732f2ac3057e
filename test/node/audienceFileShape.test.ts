/**
 * An incoming CSV file is read for its header and row count one chunk at a time: the same answer
 * as parsing the whole text, without holding the whole text or table in memory.
 */
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { readCsv, readCsvShape } from '../../nodes/Audience/actions/commBox/audienceFile';

const MB = 1024 * 1024;

describe('readCsvShape', () => {
	it('counts like a full parse across chunk boundaries: quoted newlines, multi-byte text, BOM, blank lines', async () => {
		// About 2.5 MB: rows, quotes and multi-byte characters straddle the 64 KB chunks many times.
		const rows = Array.from({ length: 80_000 }, (_, k) =>
			k % 7 === 0 ? `3361234${String(k).padStart(4, '0')};"line one\r\nline two; ""quoted"" é😀"` : `3361234${String(k).padStart(4, '0')};Zoë ${k}`,
		);
		const text = `\uFEFFphone1 ; note\r\n${rows.join('\r\n')}\r\n\r\n   \r\n`;
		expect(Buffer.byteLength(text)).toBeGreaterThan(2 * MB);

		const whole = readCsv(text);
		const shape = await readCsvShape(Buffer.from(text, 'utf8'));

		expect(shape).toEqual({ header: ['phone1', 'note'], rows: 80_000 });
		expect(shape).toEqual({ header: whole[0], rows: whole.length - 1 });
	});

	it('an empty file and a header-only file', async () => {
		expect(await readCsvShape(Buffer.alloc(0))).toEqual({ header: [], rows: 0 });
		expect(await readCsvShape(Buffer.from('phone1,name\n'))).toEqual({ header: ['phone1', 'name'], rows: 0 });
	});

	it('a 1,000,000-row file: reports the heap growth of reading it', async () => {
		setFlagsFromString('--expose-gc');
		const gc = runInNewContext('gc') as () => void;
		const rowCount = 1_000_000;
		const parts: Buffer[] = [Buffer.from('phone1,first_name,last_name,email,city,plan\n')];
		for (let start = 0; start < rowCount; start += 10_000) {
			let chunk = '';
			for (let k = start; k < start + 10_000; k++) {
				chunk += `3361${String(k).padStart(7, '0')},First${k},Last${k},user${k}@example.com,Paris,premium\n`;
			}
			parts.push(Buffer.from(chunk));
		}
		const data = Buffer.concat(parts);
		parts.length = 0;

		gc();
		const before = process.memoryUsage().heapUsed;
		let peak = before;
		const sampler = setInterval(() => {
			peak = Math.max(peak, process.memoryUsage().heapUsed);
		}, 1);
		const shape = await readCsvShape(data);
		clearInterval(sampler);
		peak = Math.max(peak, process.memoryUsage().heapUsed);
		gc();
		const after = process.memoryUsage().heapUsed;

		const figures = {
			fileMB: +(data.length / MB).toFixed(1),
			rows: shape.rows,
			peakHeapGrowthMB: +((peak - before) / MB).toFixed(1),
			retainedHeapGrowthMB: +((after - before) / MB).toFixed(1),
		};
		console.log(`incoming CSV read: ${JSON.stringify(figures)}`);
		expect(shape).toEqual({ header: ['phone1', 'first_name', 'last_name', 'email', 'city', 'plan'], rows: rowCount });
		// A generous sanity bound: a full parse of this file costs several hundred MB.
		expect(figures.peakHeapGrowthMB).toBeLessThan(100);
	}, 120_000);
});
