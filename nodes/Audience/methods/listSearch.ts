import type { ILoadOptionsFunctions, INodeListSearchResult } from 'n8n-workflow';
import { listAudiences } from '../transport/batch';

/** Searchable audience pickers: one page per call, filtered by name or display name. */
export const listSearch = {
	async searchBatchAudiences(
		this: ILoadOptionsFunctions,
		filter?: string,
		paginationToken?: string,
	): Promise<INodeListSearchResult> {
		const page = await listAudiences.call(this, { from: paginationToken, limit: 100 });
		const needle = (filter ?? '').toLowerCase();
		return {
			results: (page.audiences ?? [])
				.filter((a) => !needle || `${a.name} ${a.display_name ?? ''}`.toLowerCase().includes(needle))
				.map((a) => ({ name: a.display_name ? `${a.display_name} (${a.name})` : a.name, value: a.name })),
			paginationToken: page.has_more ? page.next_from : undefined,
		};
	},

	/** The trigger's picker follows its platform; legacy audiences join once that API is supported. */
	async searchAudiencesForTrigger(
		this: ILoadOptionsFunctions,
		filter?: string,
		paginationToken?: string,
	): Promise<INodeListSearchResult> {
		return await listSearch.searchBatchAudiences.call(this, filter, paginationToken);
	},
};
