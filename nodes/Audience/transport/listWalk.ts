import { NodeOperationError } from 'n8n-workflow';
import type { RequestContext } from './request';

/** 10,000 pages of 100: a million audiences, far above any real project. */
export const MAX_LIST_PAGES = 10_000;

/**
 * Guards a paged list walk against an API that never ends it: a cursor seen before, a page that
 * brings no new audience, or more pages than any real list has stop the walk with a clear error.
 */
export class ListWalk {
	private readonly cursors = new Set<string>();
	private pages = 0;

	constructor(
		private readonly ctx: RequestContext,
		private readonly what: string,
	) {}

	/** Called before asking for the page at `cursor`, with what the previous page brought. */
	next(previous: { cursor: string; added: number; listed: number }): void {
		this.pages++;
		const stop = (reason: string) =>
			new NodeOperationError(this.ctx.getNode(), `The ${this.what} stopped after ${this.pages} pages: ${reason}`, {
				description: 'The API paged in a way that would never end; the audiences read so far are not returned.',
			});
		if (previous.listed > 0 && previous.added === 0) throw stop(`page ${this.pages} listed only audiences already read (next: ${previous.cursor})`);
		if (this.cursors.has(previous.cursor)) throw stop(`the API gave the cursor ${previous.cursor} twice`);
		if (this.pages >= MAX_LIST_PAGES) throw stop(`more than ${MAX_LIST_PAGES} pages`);
		this.cursors.add(previous.cursor);
	}
}
