/** The only credentials the sandbox accepts. They are fake and safe to print. */
export const SANDBOX_CREDENTIALS = {
	batchRestKey: 'sandbox-rest-key',
	batchProjectKey: 'project_sandbox',
	/** The legacy Custom Audience API authenticates with `batchRestKey`; this key goes in the path. */
	customAudienceAppKey: 'sandbox-app-key',
	commBoxApiKey: 'sandbox-commbox-key',
} as const;

const SECRETS = Object.values(SANDBOX_CREDENTIALS);

/** Replaces every sandbox secret found in `text` with `***`. */
export function redactSecrets(text: string): string {
	return SECRETS.reduce((result, secret) => result.split(secret).join('***'), text);
}
