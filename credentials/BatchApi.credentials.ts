import type {
	IAuthenticateGeneric,
	Icon,
	ICredentialTestRequest,
	ICredentialType,
	INodeProperties,
} from 'n8n-workflow';
import { BASE_URL_HINT, credentialTest, refusedBaseUrlNotice } from './baseUrl';

export class BatchApi implements ICredentialType {
	name = 'batchApi';

	displayName = 'Batch API';

	icon: Icon = { light: 'file:../icons/batch.svg', dark: 'file:../icons/batch.dark.svg' };

	documentationUrl = 'https://doc.batch.com/developer/api/cep';

	properties: INodeProperties[] = [
		{
			displayName: 'REST API Key',
			name: 'restApiKey',
			type: 'string',
			typeOptions: { password: true },
			default: '',
			required: true,
			description:
				'Batch dashboard → Settings → General → REST API Key (visible to account managers only)',
		},
		{
			displayName: 'Project Key',
			name: 'projectKey',
			type: 'string',
			default: '',
			required: true,
			placeholder: 'project_0664hxvwffvbpn278gxdyhsadddqgna6',
			description: 'Batch dashboard → Settings → General → Project Key (starts with project_)',
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
		{
			displayName: 'API Version',
			name: 'apiVersion',
			type: 'string',
			default: '2.11',
			description: 'Version of the Batch project API (2.x) used in every request path',
		},
	];

	authenticate: IAuthenticateGeneric = {
		type: 'generic',
		properties: {
			headers: {
				Authorization: '=Bearer {{$credentials.restApiKey}}',
				'X-Batch-Project': '={{$credentials.projectKey}}',
			},
		},
	};

	test: ICredentialTestRequest = credentialTest('=/{{$credentials.apiVersion}}/audiences/list', {
		qs: { limit: 1 },
		messages: {
			401: 'The REST API key or the project key is wrong: check both in Batch → Settings → General (only account managers see the REST API key)',
			403: 'Batch refused this REST API key for this project: check that the REST API key and the project key belong to the same project, in Batch → Settings → General',
		},
	});
}
