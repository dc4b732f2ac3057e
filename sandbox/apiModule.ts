import type { RequestContext } from './context';
import type { ApiProblem } from './errors';

export type ApiName = 'batch' | 'customAudience' | 'commBox';

export interface Endpoint {
	/** The name fault rules and the request log use: `update`, `view`, `PUT /Audiences`, ... or `unknown`. */
	route: string;
	handle(context: RequestContext): Promise<void> | void;
}

/** One fake API: which requests it owns, and how it words an error. */
export interface ApiModule {
	name: ApiName;
	/** Undefined when the path does not belong to this API. */
	resolve(method: string, segments: readonly string[]): Endpoint | undefined;
	replyProblem(context: RequestContext, problem: ApiProblem, message: string): void;
}
