import { mapInFlight, type InFlightOptions, type InFlightOutcome } from '../../nodes/Audience/engine';

/** Tasks the test settles by hand, so what is in flight at each step is known exactly. */
class Tasks {
	started: number[] = [];
	private settle = new Map<number, { resolve: (value: string) => void; reject: (error: Error) => void }>();
	running = 0;
	mostRunning = 0;

	run = (task: string, index: number): Promise<string> => {
		this.started.push(index);
		this.running++;
		this.mostRunning = Math.max(this.mostRunning, this.running);
		return new Promise<string>((resolve, reject) => {
			this.settle.set(index, { resolve, reject });
		}).finally(() => this.running--);
	};

	async succeed(index: number): Promise<void> {
		this.settle.get(index)?.resolve(`sent ${index}`);
		await flush();
	}

	async fail(index: number): Promise<void> {
		this.settle.get(index)?.reject(new Error(`refused ${index}`));
		await flush();
	}
}

/** Lets every settled promise's handlers run. */
const flush = () => new Promise((resolve) => setImmediate(resolve));

const names = (count: number) => Array.from({ length: count }, (_, i) => `chunk ${i}`);

function start(count: number, options: InFlightOptions): { tasks: Tasks; done: Promise<InFlightOutcome<string>> } {
	const tasks = new Tasks();
	return { tasks, done: mapInFlight(names(count), tasks.run, options) };
}

describe('mapInFlight', () => {
	it('keeps at most `limit` tasks in flight, launches them in order, and reports results in task order', async () => {
		const { tasks, done } = start(5, { limit: 2 });
		await flush();
		expect(tasks.started).toEqual([0, 1]);

		await tasks.succeed(1);
		expect(tasks.started).toEqual([0, 1, 2]);
		await tasks.succeed(2);
		await tasks.succeed(0);
		expect(tasks.started).toEqual([0, 1, 2, 3, 4]);
		await tasks.succeed(4);
		await tasks.succeed(3);

		const outcome = await done;
		expect(tasks.mostRunning).toBe(2);
		expect(outcome).toEqual({ outcomes: [0, 1, 2, 3, 4].map((i) => ({ status: 'fulfilled', value: `sent ${i}` })) });
	});

	it('with limit 1 runs one task after the other', async () => {
		const { tasks, done } = start(3, { limit: 1 });
		for (const index of [0, 1, 2]) {
			await flush();
			expect(tasks.started).toEqual([0, 1, 2].slice(0, index + 1));
			await tasks.succeed(index);
		}
		expect((await done).outcomes.map((o) => o.status)).toEqual(['fulfilled', 'fulfilled', 'fulfilled']);
		expect(tasks.mostRunning).toBe(1);
	});

	it('after a failure launches nothing more, awaits the tasks in flight and says which never started', async () => {
		const { tasks, done } = start(6, { limit: 3 });
		await flush();
		await tasks.fail(1);
		expect(tasks.started).toEqual([0, 1, 2]);
		await tasks.succeed(2);
		await tasks.succeed(0);

		const outcome = await done;
		expect(tasks.started).toEqual([0, 1, 2]);
		expect(outcome.firstFailure).toBe(1);
		expect(outcome.outcomes).toEqual([
			{ status: 'fulfilled', value: 'sent 0' },
			{ status: 'rejected', reason: new Error('refused 1') },
			{ status: 'fulfilled', value: 'sent 2' },
			{ status: 'notStarted' },
			{ status: 'notStarted' },
			{ status: 'notStarted' },
		]);
	});

	it('reports a task that fails while another failure is being awaited, keeping the first as firstFailure', async () => {
		const { tasks, done } = start(4, { limit: 2 });
		await flush();
		await tasks.fail(0);
		await tasks.fail(1);
		const outcome = await done;
		expect(outcome.firstFailure).toBe(0);
		expect(outcome.outcomes.map((o) => o.status)).toEqual(['rejected', 'rejected', 'notStarted', 'notStarted']);
	});

	it('with continueAfterFailure runs every task and reports each failure', async () => {
		const { tasks, done } = start(4, { limit: 2, continueAfterFailure: true });
		await flush();
		await tasks.fail(0);
		await tasks.succeed(1);
		await tasks.succeed(2);
		await tasks.fail(3);
		const outcome = await done;
		expect(tasks.started).toEqual([0, 1, 2, 3]);
		expect(outcome.firstFailure).toBe(0);
		expect(outcome.outcomes.map((o) => o.status)).toEqual(['rejected', 'fulfilled', 'fulfilled', 'rejected']);
	});

	it('reads a limit given as a function before every launch, so it can be lowered during the run', async () => {
		let limit = 3;
		const { tasks, done } = start(6, { limit: () => limit });
		await flush();
		expect(tasks.started).toEqual([0, 1, 2]);
		limit = 1;
		await tasks.succeed(0);
		await tasks.succeed(1);
		expect(tasks.started).toEqual([0, 1, 2]);
		await tasks.succeed(2);
		expect(tasks.started).toEqual([0, 1, 2, 3]);
		for (const index of [3, 4, 5]) await tasks.succeed(index);
		expect((await done).outcomes.every((o) => o.status === 'fulfilled')).toBe(true);
	});

	it.each([[0], [-2], [NaN], [0.5]])('treats a limit of %p as 1', async (limit) => {
		const { tasks, done } = start(2, { limit });
		await flush();
		expect(tasks.started).toEqual([0]);
		await tasks.succeed(0);
		await tasks.succeed(1);
		expect((await done).outcomes.map((o) => o.status)).toEqual(['fulfilled', 'fulfilled']);
	});

	it('stops launching when told to (a cancelled execution), reporting the rest as not started', async () => {
		let stopped = false;
		const { tasks, done } = start(4, { limit: 2, stopLaunching: () => stopped });
		await flush();
		stopped = true;
		await tasks.succeed(0);
		await tasks.succeed(1);
		const outcome = await done;
		expect(tasks.started).toEqual([0, 1]);
		expect(outcome.firstFailure).toBeUndefined();
		expect(outcome.outcomes.map((o) => o.status)).toEqual(['fulfilled', 'fulfilled', 'notStarted', 'notStarted']);
	});

	it('counts a task that throws before returning a promise as failed', async () => {
		const outcome = await mapInFlight(
			['a', 'b', 'c'],
			(task) => {
				if (task === 'b') throw new Error('bad chunk');
				return Promise.resolve(task.toUpperCase());
			},
			{ limit: 1 },
		);
		expect(outcome).toEqual({
			outcomes: [{ status: 'fulfilled', value: 'A' }, { status: 'rejected', reason: new Error('bad chunk') }, { status: 'notStarted' }],
			firstFailure: 1,
		});
	});

	it('resolves at once for no tasks', async () => {
		await expect(mapInFlight([], async () => 'x', { limit: 4 })).resolves.toEqual({ outcomes: [] });
	});
});
