import type { IHttpRequestOptions, ILoadOptionsFunctions } from 'n8n-workflow';
import { listSearch } from '../../nodes/Audience/methods/listSearch';
import { commBoxApi, isStatic, multipartBody } from '../../nodes/Audience/transport/commBox';
import { startSandbox } from '../../sandbox';
import { parseMultipart } from '../../sandbox/multipart';

/** The hand-built multipart body, read back by the sandbox's strict RFC 7578 parser. */
describe('CommBox multipart body', () => {
	const csv = Buffer.from('phone1,name\r\n442079832100,"Ann ""A"""', 'utf8');

	it('carries the file as audience_file, with its name and content type, and the text fields first', () => {
		const { body, contentType } = multipartBody([['name', 'NE_USA-above50']], {
			data: csv,
			fileName: 'audience.csv',
			contentType: 'text/csv',
		});
		expect(contentType).toMatch(/^multipart\/form-data; boundary=----AudienceSync[0-9a-f]{32}$/);
		const parts = parseMultipart(body, contentType);
		expect(parts.map((part) => [part.name, part.fileName, part.contentType])).toEqual([
			['name', undefined, undefined],
			['audience_file', 'audience.csv', 'text/csv'],
		]);
		expect(parts[0].data.toString('utf8')).toBe('NE_USA-above50');
		expect(parts[1].data.equals(csv)).toBe(true);
	});

	it('keeps binary content byte for byte and never lets a file name break the header', () => {
		const xlsx = Buffer.from([0x50, 0x4b, 0x03, 0x04, 0x00, 0x0d, 0x0a, 0x2d, 0x2d, 0xff]);
		const { body, contentType } = multipartBody([], {
			data: xlsx,
			fileName: 'bad"name\r\n.xlsx',
			contentType: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
		});
		const [part] = parseMultipart(body, contentType);
		expect(part.fileName).toBe('bad_name__.xlsx');
		expect(part.data.equals(xlsx)).toBe(true);
	});
});

describe('CommBox errors', () => {
	it('uses the envelope description, with a hint per status', () => {
		expect(commBoxApi.describeError(404, { status: 404, description: 'Not Found' })).toEqual({
			message: 'Not Found',
			hint: expect.stringMatching(/^No CommBox audience has this ID/),
		});
		expect(commBoxApi.describeError(400, { status: '400', description: 'Bad Request' }).hint).toMatch(/only Static audiences can be replaced/);
		expect(commBoxApi.describeError(503, '<html>down</html>')).toEqual({ message: '<html>down</html>', hint: expect.stringMatching(/failed on its side/) });
		expect(commBoxApi.describeError(401, undefined).message).toBe('no description');
	});

	it('never lets the API key through and reads the audience type leniently', () => {
		expect(commBoxApi.secrets({ apiKey: 'k-123456', baseUrl: 'https://api.commbox.io' })).toEqual(['k-123456']);
		expect([{ type: 'Static' }, { type: 'static' }, { type: 'Dynamic' }, {}].map((a) => isStatic({ id: '1', name: 'a', ...a }))).toEqual([
			true,
			true,
			false,
			false,
		]);
	});
});

/** The picker against the sandbox, with a minimal load-options context doing real HTTP. */
describe('searchCommBoxStaticAudiences', () => {
	it('lists Static audiences only, filtered by name or ID', async () => {
		const sandbox = await startSandbox({ indexingDelayMs: 0 });
		try {
			const apiKey = sandbox.credentials.commBoxApiKey;
			const context = {
				getNode: () => ({ name: 'Audience', type: 'audience', typeVersion: 1, parameters: {} }),
				getCredentials: async () => ({ apiKey, baseUrl: sandbox.url }),
				helpers: {
					async httpRequestWithAuthentication(_type: string, options: IHttpRequestOptions) {
						const reply = await fetch(options.url, { method: options.method, headers: { Authorization: `Bearer ${apiKey}` } });
						return { statusCode: reply.status, headers: {}, body: await reply.text() };
					},
				},
			} as unknown as ILoadOptionsFunctions;
			const created = new FormData();
			created.append('name', 'VIP buyers');
			created.append('audience_file', new Blob(['phone1\n442079832100'], { type: 'text/csv' }), 'vip.csv');
			await fetch(`${sandbox.url}/audiences`, { method: 'POST', headers: { Authorization: `Bearer ${apiKey}` }, body: created });

			const all = await listSearch.searchCommBoxStaticAudiences.call(context);
			expect(all.results).toEqual([
				{ name: 'sandbox_static (1001)', value: '1001' },
				{ name: 'VIP buyers (1003)', value: '1003' },
			]);
			expect((await listSearch.searchCommBoxStaticAudiences.call(context, 'vip')).results).toEqual([{ name: 'VIP buyers (1003)', value: '1003' }]);
			expect((await listSearch.searchCommBoxStaticAudiences.call(context, '1001')).results).toHaveLength(1);
			expect((await listSearch.searchCommBoxStaticAudiences.call(context, 'dynamic')).results).toEqual([]);
		} finally {
			await sandbox.stop();
		}
	});
});
