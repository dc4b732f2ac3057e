/**
 * An incoming CSV file is read for its header and row count one chunk at a time: the same answer
 * as parsing the whole text, without holding the whole text or table in memory, and giving the
 * event loop a turn between slices of parsing.
 */
import { monitorEventLoopDelay, performance } from 'node:perf_hooks';
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

	it('reports its progress after each chunk and gives the event loop turns through the given function', async () => {
		const text = `phone1,name\n${Array.from({ length: 50_000 }, (_, k) => `3361${String(k).padStart(7, '0')},Name ${k}`).join('\n')}\n`;
		const data = Buffer.from(text);
		const progress: { bytes: number; rows: number }[] = [];
		let yields = 0;
		const shape = await readCsvShape(data, {
			onChunk: (step) => progress.push(step),
			yieldToEventLoop: async () => {
				yields++;
				await new Promise((resolve) => setTimeout(resolve, 0));
			},
		});

		expect(shape).toEqual({ header: ['phone1', 'name'], rows: 50_000 });
		expect(progress).toHaveLength(Math.ceil(data.length / 65_536));
		expect(progress.at(-1)?.bytes).toBe(data.length);
		for (let k = 1; k < progress.length; k++) {
			expect(progress[k].bytes).toBeGreaterThan(progress[k - 1].bytes);
			expect(progress[k].rows).toBeGreaterThanOrEqual(progress[k - 1].rows);
		}
		expect(yields).toBeGreaterThan(0);
	});

	it('a 1,000,000-row file: reports the heap growth and the longest event-loop block of reading it', async () => {
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
		const sampleHeap = () => {
			peak = Math.max(peak, process.memoryUsage().heapUsed);
		};
		// The heap is sampled after every 64 KB chunk (inside the read) and on every timer tick.
		let chunks = 0;
		const onChunk = () => {
			chunks++;
			sampleHeap();
		};
		// Longest event-loop block: the histogram of the loop's delays, and the longest gap between
		// two ticks of a 1 ms timer (the first gap starts when the read starts).
		const loopDelay = monitorEventLoopDelay({ resolution: 1 });
		let ticks = 0;
		let longestGap = 0;
		let lastTick = performance.now();
		const ticker = setInterval(() => {
			const now = performance.now();
			longestGap = Math.max(longestGap, now - lastTick);
			lastTick = now;
			ticks++;
			sampleHeap();
		}, 1);
		loopDelay.enable();
		const started = performance.now();
		lastTick = started;
		const shape = await readCsvShape(data, { onChunk });
		const readMs = performance.now() - started;
		// The gap that ends with the read's last slice counts too.
		longestGap = Math.max(longestGap, performance.now() - lastTick);
		loopDelay.disable();
		clearInterval(ticker);
		sampleHeap();
		gc();
		const after = process.memoryUsage().heapUsed;

		const figures = {
			rows: shape.rows,
			bytes: data.length,
			fileMB: +(data.length / MB).toFixed(1),
			chunks,
			timerTicksDuringRead: ticks,
			peakHeapGrowthDuringReadMB: +((peak - before) / MB).toFixed(1),
			retainedHeapGrowthMB: +((after - before) / MB).toFixed(1),
			longestBlockMs: +(loopDelay.max / 1e6).toFixed(1),
			longestTimerGapMs: +longestGap.toFixed(1),
			readMs: Math.round(readMs),
		};
		console.log(`incoming CSV read: ${JSON.stringify(figures)}`);
		expect(shape).toEqual({ header: ['phone1', 'first_name', 'last_name', 'email', 'city', 'plan'], rows: rowCount });
		expect(chunks).toBe(Math.ceil(data.length / 65_536));
		// The read gave the event loop turns: timers ran while it went on.
		expect(ticks).toBeGreaterThan(0);
		// A generous bound, not a measurement: a full parse of this file costs several hundred MB.
		expect(figures.peakHeapGrowthDuringReadMB).toBeLessThan(100);
	}, 120_000);
});
