/**
 * Counts the API requests the sandbox is handling at once, so the request log can show how many a
 * client had in flight, and a latency fault can hold requests until a number of them are in flight.
 */
export class InFlightCounter {
	private current = 0;
	private waiters: Array<{ count: number; release: () => void }> = [];

	/** Counts a request in; returns how many are in flight now (itself included). */
	enter(): number {
		this.current++;
		for (const waiter of this.waiters.filter((w) => this.current >= w.count)) waiter.release();
		return this.current;
	}

	leave(): void {
		this.current--;
	}

	/** Waits `ms`, or less when `count` is given: until that many requests are in flight at once. */
	async holdUntil(count: number | undefined, ms: number): Promise<void> {
		if (count !== undefined && this.current >= count) return;
		await new Promise<void>((resolve) => {
			const waiter = {
				count: count ?? Infinity,
				release: () => {
					clearTimeout(timer);
					this.waiters = this.waiters.filter((other) => other !== waiter);
					resolve();
				},
			};
			const timer = setTimeout(waiter.release, ms);
			this.waiters.push(waiter);
		});
	}
}
