import { secretMasker } from '../nodes/Audience/engine/secrets';

/** The only credentials the sandbox accepts. They are fake and safe to print. */
export const SANDBOX_CREDENTIALS = {
	batchRestKey: 'sandbox-rest-key',
	batchProjectKey: 'project_sandbox',
	/** The legacy Custom Audience API authenticates with `batchRestKey`; this key goes in the path. */
	customAudienceAppKey: 'sandbox-app-key',
	commBoxApiKey: 'sandbox-commbox-key',
} as const;

export const SANDBOX_SECRETS: readonly string[] = Object.values(SANDBOX_CREDENTIALS);

/** Replaces every sandbox secret found in `text`, in any form (e.g. URL-encoded), with `***`. */
export const redactSecrets = secretMasker(SANDBOX_SECRETS);
