/** What became of one task of `mapInFlight`. */
export type TaskOutcome<R> =
	| { status: 'fulfilled'; value: R }
	| { status: 'rejected'; reason: unknown }
	/** Never launched: an earlier task failed, or launching was stopped. */
	| { status: 'notStarted' };

export interface InFlightOutcome<R> {
	/** One entry per task, in the tasks' order (not the order they finished in). */
	outcomes: Array<TaskOutcome<R>>;
	/** The task whose failure was seen first, when one failed. */
	firstFailure?: number;
}

export interface InFlightOptions {
	/**
	 * The most tasks running at once, at least 1. A function is read before every launch, so a
	 * caller can lower it during the run (for example to 1 after a rate-limit answer).
	 */
	limit: number | (() => number);
	/** Keep launching after a failure (n8n's "continue on fail"). Default: stop at the first failure. */
	continueAfterFailure?: boolean;
	/** Read before every launch: true launches nothing more (e.g. the execution was cancelled). */
	stopLaunching?: () => boolean;
}

const NOT_STARTED = { status: 'notStarted' } as const;

/**
 * Runs `run` over the tasks with at most `limit` of them in flight, launching them in order.
 * After a failure nothing new is launched (unless `continueAfterFailure`), but the tasks already
 * in flight are awaited: each task ends fulfilled, rejected or never started, so a caller can say
 * exactly which were done. Never rejects.
 */
export async function mapInFlight<T, R>(
	tasks: readonly T[],
	run: (task: T, index: number) => Promise<R>,
	options: InFlightOptions,
): Promise<InFlightOutcome<R>> {
	const outcomes: Array<TaskOutcome<R>> = tasks.map(() => NOT_STARTED);
	const limit = typeof options.limit === 'function' ? options.limit : () => options.limit as number;
	let firstFailure: number | undefined;
	let next = 0;
	let running = 0;

	const cap = () => {
		const value = Math.floor(limit());
		return value >= 1 ? value : 1;
	};

	return await new Promise((resolve) => {
		const mayLaunch = () =>
			next < tasks.length &&
			running < cap() &&
			(firstFailure === undefined || options.continueAfterFailure === true) &&
			options.stopLaunching?.() !== true;

		const launch = () => {
			while (mayLaunch()) {
				const index = next++;
				running++;
				let attempt: Promise<R>;
				try {
					attempt = Promise.resolve(run(tasks[index], index));
				} catch (error) {
					attempt = Promise.reject(error);
				}
				attempt
					.then(
						(value) => {
							outcomes[index] = { status: 'fulfilled', value };
						},
						(reason: unknown) => {
							outcomes[index] = { status: 'rejected', reason };
							if (firstFailure === undefined) firstFailure = index;
						},
					)
					.then(() => {
						running--;
						launch();
					});
			}
			if (running === 0) resolve(firstFailure === undefined ? { outcomes } : { outcomes, firstFailure });
		};
		launch();
	});
}
