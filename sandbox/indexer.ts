interface IndexingJob {
	dueAt: number;
	apply: () => void;
}

/**
 * Applies accepted writes after a delay, strictly in acceptance order per audience: each audience
 * has its own queue and only its head is ever scheduled, so a shorter delay set later can never let
 * a newer write overtake an older one.
 */
export class IndexingQueue {
	private readonly queues = new Map<object, IndexingJob[]>();
	private readonly timers = new Map<object, NodeJS.Timeout>();
	private pending = 0;
	private idleWaiters: Array<() => void> = [];

	constructor(private delayMs: number) {}

	get indexingDelayMs(): number {
		return this.delayMs;
	}

	/** Applies to writes accepted from now on. */
	setDelay(delayMs: number): void {
		this.delayMs = delayMs;
	}

	enqueue(audience: object, apply: () => void): void {
		const queue = this.queues.get(audience) ?? [];
		queue.push({ dueAt: Date.now() + this.delayMs, apply });
		this.queues.set(audience, queue);
		this.pending++;
		if (!this.timers.has(audience)) this.scheduleHead(audience);
	}

	/** Drops the audience's pending writes (the audience was deleted). */
	cancel(audience: object): void {
		clearTimeout(this.timers.get(audience));
		this.timers.delete(audience);
		this.pending -= this.queues.get(audience)?.length ?? 0;
		this.queues.delete(audience);
		this.resolveWaitersIfIdle();
	}

	cancelAll(): void {
		for (const audience of [...this.queues.keys()]) this.cancel(audience);
	}

	whenIdle(): Promise<void> {
		if (this.pending === 0) return Promise.resolve();
		return new Promise((resolve) => this.idleWaiters.push(resolve));
	}

	private scheduleHead(audience: object): void {
		const head = this.queues.get(audience)?.[0];
		if (!head) {
			this.queues.delete(audience);
			return;
		}
		const timer = setTimeout(() => this.applyHead(audience), Math.max(0, head.dueAt - Date.now()));
		timer.unref();
		this.timers.set(audience, timer);
	}

	private applyHead(audience: object): void {
		this.timers.delete(audience);
		const job = this.queues.get(audience)?.shift();
		if (!job) return;
		this.pending--;
		try {
			job.apply();
		} catch (error) {
			// A bug in one write must not stop the queue or take the server down.
			console.error('sandbox: indexing a write failed', error);
		}
		this.scheduleHead(audience);
		this.resolveWaitersIfIdle();
	}

	private resolveWaitersIfIdle(): void {
		if (this.pending !== 0) return;
		const waiters = this.idleWaiters;
		this.idleWaiters = [];
		for (const resolve of waiters) resolve();
	}
}
