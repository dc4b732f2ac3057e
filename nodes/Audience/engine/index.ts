export * from './types';
export { MAX_IDS_PER_REQUEST, MAX_ATTRIBUTES_PER_ID, AUDIENCE_NAME_PATTERN } from './limits';
export { planSync } from './plan';
export { describeInvalidItem } from './messages';
export { validateAudienceName } from './audienceName';
export { normalizePhone } from './phone';
export { buildAudienceCsv } from './csv';
export {
	halveRequest,
	MAX_EXTRA_REQUESTS_PER_CHUNK,
	PROBES,
	sendWithSplitRetry,
	type SentPart,
	type SplitOutcome,
	splitRetryBound,
} from './splitRetry';
export { count, cutText } from './messages';
export { memberIdOf } from './members';
export { mapInFlight, type InFlightOptions, type InFlightOutcome, type TaskOutcome } from './inFlight';
