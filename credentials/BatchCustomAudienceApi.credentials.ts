import type {
	IAuthenticateGeneric,
	Icon,
	ICredentialTestRequest,
	ICredentialType,
	INodeProperties,
} from 'n8n-workflow';
import { BASE_URL_HINT, credentialTest, refusedBaseUrlNotice } from './baseUrl';

export class BatchCustomAudienceApi implements ICredentialType {
	name = 'batchCustomAudienceApi';

	displayName = 'Batch Custom Audience API';

	icon: Icon = { light: 'file:../icons/batch.svg', dark: 'file:../icons/batch.dark.svg' };

	documentationUrl = 'https://doc.batch.com/developer/api/mep/custom-audience/1.1/update';

	properties: INodeProperties[] = [
		{
			displayName: 'REST API Key',
			name: 'restApiKey',
			type: 'string',
			typeOptions: { password: true },
			default: '',
			required: true,
			description:
				'Batch dashboard → Settings → General → REST API Key (the company key, visible to managers only)',
		},
		{
			displayName: 'App API Key',
			name: 'appApiKey',
			type: 'string',
			typeOptions: { password: true },
			default: '',
			required: true,
			description:
				"The app's Live, Dev or SDK API key: Batch dashboard → your app → Settings → General. iOS and Android apps have different keys.",
		},
		{
			displayName: 'API Version',
			name: 'apiVersion',
			type: 'options',
			options: [
				{ name: '1.0 (Custom User IDs and Advertising IDs)', value: '1.0' },
				{ name: '1.1 (Install IDs)', value: '1.1' },
			],
			default: '1.1',
			description: 'Version 1.1 accepts install IDs only; use 1.0 for custom user IDs',
		},
		{
			displayName: 'Base URL',
			name: 'baseUrl',
			type: 'string',
			default: 'https://api.batch.com',
			hint: BASE_URL_HINT,
			description: 'Address of the API. Change it only to try the node against a local sandbox.',
		},
		refusedBaseUrlNotice('baseUrl'),
	];

	authenticate: IAuthenticateGeneric = {
		type: 'generic',
		properties: {
			headers: { 'X-Authorization': '={{$credentials.restApiKey}}' },
		},
	};

	test: ICredentialTestRequest = credentialTest(
		'=/{{$credentials.apiVersion}}/{{encodeURIComponent(String($credentials.appApiKey).trim())}}/custom-audience',
		{
			qs: { limit: 1 },
			messages: {
				401: 'The REST API key is wrong: check it in Batch → Settings → General (the company key, visible to managers only)',
				403: "The App API key is wrong: use your app's Live, Dev or SDK API key from Batch → your app → Settings → General (iOS and Android apps have different keys)",
			},
		},
	);
}
