import type { ILoadOptionsFunctions, INodeListSearchResult } from 'n8n-workflow';
import { listAudiences } from '../transport/batch';
import { LIST_PAGE_SIZE, listCustomAudiences } from '../transport/customAudience';
import { isStatic, listAudiences as listCommBoxAudiences } from '../transport/commBox';

/** Searchable audience pickers: one page per call, filtered by name or display name. */
export const listSearch = {
	/** CommBox lists every audience at once; only Static ones can be written to. */
	async searchCommBoxStaticAudiences(this: ILoadOptionsFunctions, filter?: string): Promise<INodeListSearchResult> {
		const needle = (filter ?? '').toLowerCase();
		const audiences = await listCommBoxAudiences.call(this);
		return {
			results: audiences
				.filter((a) => isStatic(a) && (!needle || `${a.name} ${a.id}`.toLowerCase().includes(needle)))
				.map((a) => ({ name: `${a.name} (${a.id})`, value: a.id })),
		};
	},

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

	/** Legacy Custom Audience API: offset pages, the token is the next offset. */
	async searchCustomAudiences(
		this: ILoadOptionsFunctions,
		filter?: string,
		paginationToken?: string,
	): Promise<INodeListSearchResult> {
		const from = Number(paginationToken ?? 0) || 0;
		const page = await listCustomAudiences.call(this, { from, limit: LIST_PAGE_SIZE });
		const needle = (filter ?? '').toLowerCase();
		return {
			results: page
				.filter((a) => !needle || `${a.name} ${a.description ?? ''}`.toLowerCase().includes(needle))
				.map((a) => ({ name: a.name, value: a.name, description: a.description || undefined })),
			paginationToken: page.length === LIST_PAGE_SIZE ? String(from + page.length) : undefined,
		};
	},

	/** The trigger's picker follows its platform. */
	async searchAudiencesForTrigger(
		this: ILoadOptionsFunctions,
		filter?: string,
		paginationToken?: string,
	): Promise<INodeListSearchResult> {
		const search =
			(this.getCurrentNodeParameter('platform') ?? this.getCurrentNodeParameter('resource')) === 'batchCustomAudience'
				? listSearch.searchCustomAudiences
				: listSearch.searchBatchAudiences;
		return await search.call(this, filter, paginationToken);
	},
};
