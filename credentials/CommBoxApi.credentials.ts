import type {
	IAuthenticateGeneric,
	Icon,
	ICredentialTestRequest,
	ICredentialType,
	INodeProperties,
} from 'n8n-workflow';
import { BASE_URL_HINT, credentialTest, refusedBaseUrlNotice } from './baseUrl';

export class CommBoxApi implements ICredentialType {
	name = 'commBoxApi';

	displayName = 'CommBox API';

	icon: Icon = { light: 'file:../icons/commbox.svg', dark: 'file:../icons/commbox.dark.svg' };

	documentationUrl = 'https://help.commbox.io/docs/api-key';

	properties: INodeProperties[] = [
		{
			displayName: 'API Key',
			name: 'apiKey',
			type: 'string',
			typeOptions: { password: true },
			default: '',
			required: true,
			description: 'CommBox console → Settings → API (admin privileges required)',
		},
		{
			displayName: 'Base URL',
			name: 'baseUrl',
			type: 'string',
			default: 'https://api.commbox.io',
			hint: BASE_URL_HINT,
			description: 'Address of the API. Change it only to try the node against a local sandbox.',
		},
		refusedBaseUrlNotice('baseUrl'),
	];

	authenticate: IAuthenticateGeneric = {
		type: 'generic',
		properties: {
			headers: { Authorization: '=Bearer {{$credentials.apiKey}}' },
		},
	};

	test: ICredentialTestRequest = credentialTest('/audiences', {
		messages: {
			401: 'The API key is wrong or has expired (CommBox keys are valid for up to a year): copy or create one in the CommBox console → Settings → API (admin privileges required)',
		},
	});
}
