/**
 * What the package does, in n8n's node search. n8n shows one entry for the Audience node and its
 * trigger, with the trigger's description: both carry this text.
 */
export const AUDIENCE_APP_DESCRIPTION =
	'Sync audiences to Batch.com and CommBox in the fewest API requests, with every item accounted for';
