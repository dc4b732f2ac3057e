export * from './types';
export { MAX_IDS_PER_REQUEST, MAX_ATTRIBUTES_PER_ID, AUDIENCE_NAME_PATTERN } from './limits';
export { planSync } from './plan';
export { describeInvalidItem, itemNumber } from './messages';
export { validateAudienceName } from './audienceName';
export { defaultCountryOf, normalizePhone, parsePhone, type PhoneOptions } from './phone';
export { COUNTRIES, countryName } from './countries';
export { type AudienceCsvOptions, buildAudienceCsv } from './csv';
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
export { chunkMembers, collectMembers, NO_ITEM, type AudienceMembers, type CollectedMembers } from './plan';
export { recordAccepted, selectChanges, trackedMemberCount, type AudienceChanges, type SendMode } from './changes';
export { memberFingerprint } from './fingerprint';
export { decodeSnapshot, encodeSnapshot, type TrackedMembers } from './memberSnapshot';
