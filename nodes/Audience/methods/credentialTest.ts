import type {
	ICredentialDataDecryptedObject,
	ICredentialsDecrypted,
	ICredentialTestFunctions,
	INodeCredentialTestResult,
} from 'n8n-workflow';
import { BASE_URL_HINT, isAllowedBaseUrl } from '../../../credentials/baseUrl';
import { batchApi } from '../transport/batch';
import { commBoxApi } from '../transport/commBox';
import { customAudienceApi } from '../transport/customAudience';
import type { PlatformApi } from '../transport/request';

/**
 * The credentials' "Test" button. A test run by n8n from a request description can only say
 * "Couldn't connect" for a refused Base URL; these tests say what is wrong, send nothing to a refused
 * URL, and otherwise make the same read-only request as the node (the auth headers are the ones each
 * credential's `authenticate` adds).
 */
interface CredentialCheck {
	api: PlatformApi;
	/** Read-only path after the platform prefix, with its query. */
	path: string;
	headers(credentials: ICredentialDataDecryptedObject): Record<string, string>;
}

const text = (value: unknown) => String(value ?? '').trim();

const checks: Record<string, CredentialCheck> = {
	batchApi: {
		api: batchApi,
		path: '/audiences/list?limit=1',
		headers: (c) => ({ Authorization: `Bearer ${text(c.restApiKey)}`, 'X-Batch-Project': text(c.projectKey) }),
	},
	batchCustomAudienceApi: {
		api: customAudienceApi,
		path: '/custom-audience?limit=1',
		headers: (c) => ({ 'X-Authorization': text(c.restApiKey) }),
	},
	commBoxApi: {
		api: commBoxApi,
		path: '/audiences',
		headers: (c) => ({ Authorization: `Bearer ${text(c.apiKey)}` }),
	},
};

async function testCredential(
	this: ICredentialTestFunctions,
	check: CredentialCheck,
	credential: ICredentialsDecrypted,
): Promise<INodeCredentialTestResult> {
	const credentials = credential.data ?? {};
	const baseUrl = text(credentials.baseUrl).replace(/\/+$/, '');
	if (!isAllowedBaseUrl(baseUrl)) {
		return { status: 'Error', message: `Base URL "${baseUrl}" is refused: it ${BASE_URL_HINT.charAt(0).toLowerCase()}${BASE_URL_HINT.slice(1)}. Nothing was sent.` };
	}
	const secrets = check.api.secrets(credentials).filter((secret) => secret.length >= 4);
	const mask = (message: string) => secrets.reduce((masked, secret) => masked.split(secret).join('***'), message);
	let response: { statusCode: number; body: unknown };
	try {
		// A credential test gets only this helper (no httpRequest), in n8n 1.x and 2.x.
		response = await this.helpers.request({
			method: 'GET',
			uri: `${baseUrl}${check.api.pathPrefix(credentials)}${check.path}`,
			headers: check.headers(credentials),
			json: true,
			simple: false,
			resolveWithFullResponse: true,
			timeout: 30_000,
		});
	} catch (error) {
		const { code, cause } = error as { code?: string; cause?: { code?: string } };
		const reason = code ?? cause?.code ?? 'no answer';
		return { status: 'Error', message: `${check.api.name} could not be reached at ${baseUrl} (${reason}): check the Base URL.` };
	}
	if (response.statusCode < 400) return { status: 'OK', message: `Connected to ${check.api.name} at ${baseUrl}` };
	const { message, hint } = check.api.describeError(response.statusCode, response.body);
	return { status: 'Error', message: mask(`${check.api.name} answered ${response.statusCode}: ${message}${hint ? `. ${hint}` : ''}`) };
}

/** `testedBy` names of the nodes' credentials. */
export const credentialTest = {
	async batchApiTest(this: ICredentialTestFunctions, credential: ICredentialsDecrypted): Promise<INodeCredentialTestResult> {
		return await testCredential.call(this, checks.batchApi, credential);
	},
	async batchCustomAudienceApiTest(this: ICredentialTestFunctions, credential: ICredentialsDecrypted): Promise<INodeCredentialTestResult> {
		return await testCredential.call(this, checks.batchCustomAudienceApi, credential);
	},
	async commBoxApiTest(this: ICredentialTestFunctions, credential: ICredentialsDecrypted): Promise<INodeCredentialTestResult> {
		return await testCredential.call(this, checks.commBoxApi, credential);
	},
};
