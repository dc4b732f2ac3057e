import { readdirSync, readFileSync } from 'fs';
import { type AddressInfo, createServer, type Server, type Socket } from 'net';
import { join } from 'path';
import { batchCall, pairedIndexes, range, startE2e, startServedE2e, stopE2e, stopServedE2e, type E2eFixture } from '../../harness/fixture';
import { outputOf, type WorkflowJson } from '../../harness/n8n';
import { AUDIENCE, byName, CREDENTIAL_REFS } from '../../harness/workflows';

/** Every workflow of examples/ runs in a real n8n against the sandbox and does what it says. */
const EXAMPLES = join(__dirname, '../../examples');
const examples: Record<string, WorkflowJson> = Object.fromEntries(
	readdirSync(EXAMPLES)
		.filter((file) => file.endsWith('.json'))
		.map((file) => [file.replace(/\.json$/, ''), JSON.parse(readFileSync(join(EXAMPLES, file), 'utf8'))]),
);

/**
 * A copy of an example whose CRM trigger is replaced by a Manual Trigger and a Code node of the
 * trigger's name giving the trigger's pinned items. `n8n execute` cannot run the example as it is:
 * it starts only from a Manual Trigger (or an Execute Workflow Trigger), and it ignores pinData,
 * which n8n 2.40.7 applies to manual (editor) runs only (WorkflowRunner.resolvePinData: modes
 * `manual` and `evaluation`; `n8n execute` runs in mode `cli`). In the editor, *Test workflow* uses
 * the pinned items as they are.
 */
function withPinnedTriggerAsCode(example: WorkflowJson, triggerName: string, id: string): WorkflowJson {
	const pinned = (example.pinData as Record<string, Array<{ json: unknown }>>)[triggerName];
	if (!pinned?.length) throw new Error(`${example.id} pins no items for "${triggerName}"`);
	const trigger = example.nodes.find((node) => node.name === triggerName)!;
	const nodes = example.nodes.map((node) =>
		node.name === triggerName
			? {
					id: `${id}-pinned`,
					name: triggerName,
					type: 'n8n-nodes-base.code',
					typeVersion: 2,
					position: trigger.position,
					parameters: { jsCode: `// The trigger's pinned items.\nreturn ${JSON.stringify(pinned)};` },
				}
			: node,
	);
	const manual = { id: `${id}-manual`, name: 'Run now', type: 'n8n-nodes-base.manualTrigger', typeVersion: 1, position: [-240, 0], parameters: {} };
	const { pinData: _pinData, ...rest } = example;
	return {
		...rest,
		id,
		name: `${example.name} (pinned trigger run by a Code node)`,
		nodes: [manual, ...nodes],
		connections: { ...example.connections, 'Run now': { main: [[{ node: triggerName, type: 'main', index: 0 }]] } },
	};
}

const HUBSPOT_TRIGGER = 'App user ID set in HubSpot';
const hubspotRun = withPinnedTriggerAsCode(examples['hubspot-contacts-to-batch'], HUBSPOT_TRIGGER, 'exampleHubSpotRun');

describe('example workflows in a real n8n', () => {
	let fixture: E2eFixture;

	beforeAll(async () => {
		// Every example is imported as it is (the HubSpot one also as its runnable copy).
		fixture = await startE2e([...Object.values(examples), hubspotRun], 200);
	}, 20 * 60_000);
	afterAll(async () => await stopE2e(fixture));
	beforeEach(() => {
		fixture.sandbox.reset();
		fixture.sandbox.setIndexingDelay(200);
	});

	// notify-when-applied starts from a polling trigger: audienceTrigger.e2e.test.ts runs it under `n8n start`.
	// alert-on-failure is an error workflow: "an error workflow in a running n8n" below runs it under `n8n start`.
	it('covers every example file', () => {
		expect(Object.keys(examples).sort()).toEqual([
			'alert-on-failure',
			'commbox-static-from-sheet',
			'crm-contacts-to-batch-and-commbox',
			'hubspot-contacts-to-batch',
			'nightly-delta-sync',
			'nightly-replace',
			'notify-when-applied',
			'unsubscribes-removed',
		]);
	});

	it('HubSpot trigger: the two contacts with an app user ID join the audience, each output item carrying its HubSpot event', async () => {
		const result = await fixture.n8n.execute(hubspotRun.id);
		expect(result.error).toBeUndefined();
		// The event whose app_user_id was cleared stops at the Filter.
		expect(outputOf(result, 'Has an app user ID').map((item) => item.json.propertyValue)).toEqual(['u-1042', 'u-2077']);

		const added = outputOf(result, 'Add to Batch audience');
		const token = added[0]?.json.indexingToken;
		expect(token).toMatch(/^[0-9a-f]{32}$/);
		expect(added.map((item) => item.json)).toEqual([
			expect.objectContaining({ contactId: 1246965, propertyValue: 'u-1042', audience: 'sandbox_audience', outcome: 'accepted', indexingToken: token }),
			expect.objectContaining({ contactId: 1246970, propertyValue: 'u-2077', audience: 'sandbox_audience', outcome: 'accepted', indexingToken: token }),
		]);
		expect(added.map((item) => item.pairedItem)).toEqual([{ item: 0 }, { item: 1 }]);

		await fixture.sandbox.whenIdle();
		expect(fixture.sandbox.state().batch.audiences.sandbox_audience.members).toEqual({
			'u-1042': { hubspot_contact_id: '1246965', 'date(linked_at)': '2025-12-06T00:00:00Z' },
			'u-2077': { hubspot_contact_id: '1246970', 'date(linked_at)': '2025-12-06T01:00:00Z' },
		});
	}, 5 * 60_000);

	it('HubSpot trigger: the example keeps the real HubSpot Trigger, with its sample output pinned', () => {
		const example = examples['hubspot-contacts-to-batch'];
		const trigger = example.nodes.find((node) => node.name === HUBSPOT_TRIGGER);
		expect(trigger).toMatchObject({ type: 'n8n-nodes-base.hubspotTrigger', typeVersion: 1 });
		expect(example.nodes.find((node) => node.name === 'Add to Batch audience')).toMatchObject({ typeVersion: 2 });
		expect((example.pinData as Record<string, unknown[]>)[HUBSPOT_TRIGGER]).toHaveLength(3);
	});

	it('flagship: 5,000 CRM contacts land in Batch (APPLIED) and in the CommBox static audience', async () => {
		const result = await fixture.n8n.execute(examples['crm-contacts-to-batch-and-commbox'].id);
		expect(result.error).toBeUndefined();
		const checks = outputOf(result, 'Wait until applied');
		expect(checks.map((c) => c.json.indexingState)).toEqual(['APPLIED']);
		const batch = fixture.sandbox.state().batch.audiences.sandbox_audience;
		expect(batch.nb_ids).toBe(5000);
		expect(batch.members['crm-00004']).toEqual({ plan: 'pro', score: 48, 'date(signed_up)': '2024-05-05T00:00:00Z' });

		const commBox = fixture.sandbox.state().commBox.audiences['1001'];
		expect(commBox.rows).toHaveLength(5000);
		expect(commBox.columns).toEqual(['phone1', 'email', 'first_name']);
		expect(commBox.rows[0]).toEqual({ phone1: '33610000000', email: 'contact0@example.com', first_name: 'Contact 0' });
		expect(pairedIndexes(outputOf(result, 'Replace CommBox static audience'))).toEqual(range(5000));
	}, 5 * 60_000);

	it('nightly replace: the audience holds exactly tonight\'s 3,000 subscribers', async () => {
		await batchCall(fixture.sandbox, 'update', { name: 'sandbox_audience', ids: range(2000).map((i) => ({ action: 'add', id: `old-${i}` })) });
		await fixture.sandbox.whenIdle();
		const result = await fixture.n8n.execute(examples['nightly-replace'].id);
		expect(result.error).toBeUndefined();
		expect(outputOf(result, 'Replace audience')[0].json).toMatchObject({ operation: 'replace', ids: 3000, indexingState: 'APPLIED' });
		const members = Object.keys(fixture.sandbox.state().batch.audiences.sandbox_audience.members);
		expect(members.sort()).toEqual(range(3000).map((i) => `sub-${i}`).sort());
	}, 5 * 60_000);

	it('nightly delta sync: the first run replaces the audience with the 3,000 contacts, the second sends nothing', async () => {
		await batchCall(fixture.sandbox, 'update', { name: 'sandbox_audience', ids: [{ action: 'add', id: 'left-long-ago' }] });
		await fixture.sandbox.whenIdle();
		const first = await fixture.n8n.execute(examples['nightly-delta-sync'].id);
		expect(first.error).toBeUndefined();
		await fixture.sandbox.whenIdle();
		const members = fixture.sandbox.state().batch.audiences.sandbox_audience.members;
		expect(Object.keys(members).sort()).toEqual(range(3000).map((i) => `crm-${i}`).sort());
		expect(members['crm-10']).toEqual({ plan: 'pro' });
		expect(outputOf(first, 'Mirror into audience')[0].json).toMatchObject({ operation: 'replace', ids: 3000, changeTracking: { firstRun: true, new: 3000 } });

		const writes = () => fixture.sandbox.requests().filter((request) => ['update', 'replace'].includes(request.route)).length;
		const before = writes();
		const second = await fixture.n8n.execute(examples['nightly-delta-sync'].id);
		expect(second.error).toBeUndefined();
		expect(writes()).toBe(before);
		const [unchanged] = outputOf(second, 'Mirror into audience');
		expect(unchanged.json).toMatchObject({ outcome: 'unchanged', ids: 3000, changeTracking: { firstRun: false, unchanged: 3000, removed: 0 } });
		expect(pairedIndexes([unchanged])).toEqual(range(3000));
	}, 5 * 60_000);

	it('unsubscribes: the three contacts leave the audience, one output item each', async () => {
		await batchCall(fixture.sandbox, 'update', { name: 'sandbox_audience', ids: range(5).map((i) => ({ action: 'add', id: `crm-0000${i}` })) });
		await fixture.sandbox.whenIdle();
		const result = await fixture.n8n.execute(examples['unsubscribes-removed'].id);
		expect(result.error).toBeUndefined();
		await fixture.sandbox.whenIdle();
		expect(Object.keys(fixture.sandbox.state().batch.audiences.sandbox_audience.members).sort()).toEqual(['crm-00000', 'crm-00004']);
		const items = outputOf(result, 'Remove from audience');
		expect(items.map((i) => [i.json.id, i.pairedItem.item])).toEqual([
			['crm-00001', 0],
			['crm-00002', 1],
			['crm-00003', 2],
		]);
	}, 5 * 60_000);

	it('CommBox from a sheet: one CSV with normalized phones, duplicates collapsed', async () => {
		const result = await fixture.n8n.execute(examples['commbox-static-from-sheet'].id);
		expect(result.error).toBeUndefined();
		const audience = fixture.sandbox.state().commBox.audiences['1001'];
		expect(audience.columns).toEqual(['phone1', 'Name', 'City']);
		expect(audience.rows).toEqual([
			{ phone1: '972541234567', Name: 'Dana L.', City: 'Tel Aviv' },
			{ phone1: '447911123456', Name: 'Sam', City: 'London' },
			{ phone1: '33612345678', Name: 'Lou', City: 'Paris' },
		]);
		expect(fixture.sandbox.requests().filter((r) => r.api === 'commBox' && r.method === 'PUT')).toHaveLength(1);
	}, 5 * 60_000);
});

/** One SMTP conversation's message, as the server received it. */
interface Mail {
	subject: string;
	text: string;
}

/**
 * A minimal SMTP server on loopback (no TLS, no authentication) for the Send Email node: it accepts
 * every message and keeps its subject and decoded text.
 */
async function startSmtp(): Promise<{ port: number; mails: Mail[]; close: () => Promise<void> }> {
	const mails: Mail[] = [];
	const sockets = new Set<Socket>();
	const server: Server = createServer((socket) => {
		sockets.add(socket);
		socket.on('close', () => sockets.delete(socket));
		socket.on('error', () => undefined);
		let buffer = '';
		let data: string[] | undefined;
		socket.write('220 localhost ESMTP test\r\n');
		socket.on('data', (chunk) => {
			buffer += chunk.toString('utf8');
			let end: number;
			while ((end = buffer.indexOf('\r\n')) >= 0) {
				const line = buffer.slice(0, end);
				buffer = buffer.slice(end + 2);
				if (data) {
					if (line === '.') {
						mails.push(parseMail(data.join('\r\n')));
						data = undefined;
						socket.write('250 OK\r\n');
					} else data.push(line.startsWith('..') ? line.slice(1) : line);
					continue;
				}
				const verb = line.slice(0, 4).toUpperCase();
				if (verb === 'EHLO') socket.write('250-localhost\r\n250 8BITMIME\r\n');
				else if (verb === 'DATA') {
					data = [];
					socket.write('354 End data with <CR><LF>.<CR><LF>\r\n');
				} else if (verb === 'QUIT') socket.end('221 Bye\r\n');
				else socket.write('250 OK\r\n');
			}
		});
	});
	await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
	return {
		port: (server.address() as AddressInfo).port,
		mails,
		close: () =>
			new Promise((resolve) => {
				for (const socket of sockets) socket.destroy();
				server.close(() => resolve());
			}),
	};
}

/** The subject and the text of a single-part message (quoted-printable, base64 or plain). */
function parseMail(raw: string): Mail {
	const split = raw.indexOf('\r\n\r\n');
	const headers = raw.slice(0, split).replace(/\r\n[ \t]+/g, ' ');
	const body = raw.slice(split + 4);
	const header = (name: string) => new RegExp(`^${name}:\\s*(.*)$`, 'im').exec(headers)?.[1] ?? '';
	const encoding = header('Content-Transfer-Encoding').toLowerCase();
	const text =
		encoding === 'base64'
			? Buffer.from(body, 'base64').toString('utf8')
			: encoding === 'quoted-printable'
				? Buffer.from(
						body.replace(/=\r\n/g, '').replace(/=([0-9A-F]{2})/gi, (_, hex: string) => String.fromCharCode(parseInt(hex, 16))),
						'latin1',
					).toString('utf8')
				: body;
	// An encoded word (=?UTF-8?Q?…?= or =?UTF-8?B?…?=) when the subject needs one.
	const subject = header('Subject').replace(/=\?utf-8\?([QB])\?([^?]*)\?=\s*/gi, (_, kind: string, word: string) =>
		kind.toUpperCase() === 'B'
			? Buffer.from(word, 'base64').toString('utf8')
			: Buffer.from(word.replace(/_/g, ' ').replace(/=([0-9A-F]{2})/gi, (__, hex: string) => String.fromCharCode(parseInt(hex, 16))), 'latin1').toString('utf8'),
	);
	return { subject, text: text.replace(/\r\n/g, '\n') };
}

/**
 * The alert-on-failure example as users set it up: published, and named as the error workflow of a
 * sync that fails. `n8n execute` cannot show this: it starts only from a Manual Trigger, and the
 * error workflow it would start after a failed run is cut off when the command exits. So this runs
 * under `n8n start`: a webhook starts a sync whose items have no id, the Audience node stops it
 * ("Nothing was sent"), n8n runs the error workflow, and its Send Email node mails the node's
 * message to a local SMTP server.
 */
describe('an error workflow in a running n8n (alert-on-failure)', () => {
	const alert = examples['alert-on-failure'];
	const FAILING = 'exampleAlertSync1';
	const WEBHOOK_PATH = 'alert-example-sync';
	let smtp: Awaited<ReturnType<typeof startSmtp>>;
	let served: E2eFixture;

	const failingSync: WorkflowJson = {
		id: FAILING,
		name: 'Nightly CRM sync',
		nodes: [
			{
				id: `${FAILING}-0`,
				name: 'CRM export received',
				type: 'n8n-nodes-base.webhook',
				typeVersion: 2,
				position: [0, 0],
				webhookId: '3e0f7a8c-5d1b-4c2e-9a6f-1b2c3d4e5f60',
				parameters: { httpMethod: 'POST', path: WEBHOOK_PATH, responseMode: 'onReceived', options: {} },
			},
			{
				id: `${FAILING}-1`,
				name: 'Sync to Batch audience',
				type: AUDIENCE,
				typeVersion: 2,
				position: [240, 0],
				credentials: CREDENTIAL_REFS.batch,
				// The default Custom User ID, {{ $json.id }}: the webhook's item has no `id`.
				parameters: { resource: 'batch', operation: 'update', audience: byName('sandbox_audience'), options: {} },
			},
		],
		connections: { 'CRM export received': { main: [[{ node: 'Sync to Batch audience', type: 'main', index: 0 }]] } },
		settings: { executionOrder: 'v1', errorWorkflow: alert.id },
	};

	beforeAll(async () => {
		smtp = await startSmtp();
		const smtpCredential = (alert.nodes.find((node) => node.name === 'Email the team')!.credentials as { smtp: { id: string; name: string } }).smtp;
		served = await startServedE2e({
			workflows: [alert, failingSync],
			publish: [alert.id, FAILING],
			credentials: [
				{ ...smtpCredential, type: 'smtp', data: { user: '', password: '', host: '127.0.0.1', port: smtp.port, secure: false, disableStartTls: true } },
			],
		});
	}, 20 * 60_000);

	afterAll(async () => {
		await stopServedE2e(served);
		await smtp?.close();
	});

	it('imports as an Error Trigger and a Send Email node, with a note on how to set it as the error workflow', () => {
		expect(alert.nodes.map((node) => node.type).sort()).toEqual(['n8n-nodes-base.emailSend', 'n8n-nodes-base.errorTrigger', 'n8n-nodes-base.stickyNote']);
		const note = alert.nodes.find((node) => node.type === 'n8n-nodes-base.stickyNote')!.parameters as { content: string };
		expect(note.content).toContain('Settings → Error workflow');
	});

	it('a failed sync starts it once, and it emails the Audience node\'s error message', async () => {
		const { sandbox, n8n } = served;
		// The webhook is served once n8n has activated the workflow.
		const deadline = Date.now() + 90_000;
		let status = 0;
		while (Date.now() < deadline) {
			status = await fetch(`http://127.0.0.1:${n8n.port}/webhook/${WEBHOOK_PATH}`, {
				method: 'POST',
				headers: { 'Content-Type': 'application/json' },
				body: JSON.stringify({ email: 'dana@example.com' }),
			}).then((response) => response.status, () => 0);
			if (status === 200) break;
			await new Promise((resolve) => setTimeout(resolve, 1_000));
		}
		expect(status).toBe(200);

		const finished = (id: string) => n8n.executions(id).filter((e) => !['new', 'running'].includes(e.status));
		while (finished(alert.id).length === 0 && Date.now() < deadline + 60_000) await new Promise((resolve) => setTimeout(resolve, 1_000));
		const [failed] = finished(FAILING);
		expect(failed.status).toBe('error');
		const alerts = finished(alert.id);
		expect(alerts.map((e) => [e.mode, e.status])).toEqual([['error', 'success']]);

		// What the Error Trigger hands over: the workflow, the failed node and its error.
		const [event] = alerts[0].runData['When a workflow fails'][0].data?.main[0] ?? [];
		expect(event.json).toMatchObject({
			workflow: { id: FAILING, name: 'Nightly CRM sync' },
			execution: { id: failed.id, lastNodeExecuted: 'Sync to Batch audience', mode: 'webhook' },
		});
		const message = event.json.execution.error.message as string;
		expect(message).toBe('Item 1: missing id: the "Custom User ID" field gave nothing. Nothing was sent.');
		// The details say where the items came from, for the id to be mapped from there.
		const description = event.json.execution.error.description as string;
		expect(description).toContain('The items this node received come from "CRM export received"');

		expect(smtp.mails).toHaveLength(1);
		const [mail] = smtp.mails;
		expect(mail.subject).toBe('n8n: "Nightly CRM sync" failed');
		expect(mail.text).toContain('The workflow "Nightly CRM sync" failed at the node "Sync to Batch audience".');
		expect(mail.text).toContain(message);
		expect(mail.text).toContain(description.split('\n')[0]);
		expect(mail.text).toContain(`/workflow/${FAILING}/executions/${failed.id}`);
		// Nothing reached the audience.
		expect(sandbox.requests().filter((r) => r.method !== 'GET')).toEqual([]);
	}, 6 * 60_000);
});
