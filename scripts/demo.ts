import { readdirSync, readFileSync } from 'fs';
import { join } from 'path';
import { startSandbox, type Sandbox } from '../sandbox';
import { LocalN8n, outputOf, type WorkflowJson } from '../harness/n8n';
import { sandboxCredentials } from '../harness/workflows';

/**
 * The demo: a sandbox, a real n8n with the package, the sandbox credentials and every example
 * workflow; runs the flagship headless and prints what happened, or with --ui opens the editor.
 */
const FLAGSHIP = 'crm-contacts-to-batch-and-commbox.json';
const examplesDir = join(__dirname, '../examples');
const examples: WorkflowJson[] = readdirSync(examplesDir)
	.filter((file) => file.endsWith('.json'))
	.map((file) => JSON.parse(readFileSync(join(examplesDir, file), 'utf8')));
const flagship = JSON.parse(readFileSync(join(examplesDir, FLAGSHIP), 'utf8')) as WorkflowJson;
const number = (n: number) => n.toLocaleString('en-US');
/** The port the README's sandbox table names; another free one if it is taken. */
const SANDBOX_PORT = 4010;

async function startDemoSandbox(port = SANDBOX_PORT): Promise<Sandbox> {
	try {
		return await startSandbox({ port, indexingDelayMs: 1000 });
	} catch (error) {
		if (port === 0 || (error as NodeJS.ErrnoException).code !== 'EADDRINUSE') throw error;
		const sandbox = await startDemoSandbox(0);
		console.log(`Port ${SANDBOX_PORT} is taken: the sandbox runs on ${sandbox.url} instead (use that Base URL).`);
		return sandbox;
	}
}

/** What to type into each credential to reach the sandbox (they are also imported ready-made). */
function printSandboxCredentials(sandbox: Sandbox): void {
	const keys = sandbox.credentials;
	console.log(`
Sandbox credentials (already imported as "Batch sandbox", "Batch Custom Audience sandbox", "CommBox sandbox"):
  Batch API                   REST API Key ${keys.batchRestKey}, Project Key ${keys.batchProjectKey}, Base URL ${sandbox.url}
  Batch Custom Audience API   REST API Key ${keys.batchRestKey}, App API Key ${keys.customAudienceAppKey}, Base URL ${sandbox.url}
  CommBox API                 API Key ${keys.commBoxApiKey}, Base URL ${sandbox.url}`);
}

async function main(): Promise<void> {
	const ui = process.argv.includes('--ui');
	const sandbox = await startDemoSandbox();
	const n8n = new LocalN8n();
	const stop = async () => {
		await n8n.stop();
		n8n.dispose();
		await sandbox.stop();
	};
	for (const signal of ['SIGINT', 'SIGTERM'] as const) {
		process.once(signal, () => {
			console.log('\nStopping n8n and the sandbox…');
			void stop().then(() => process.exit(130));
		});
	}
	try {
		console.log(`Sandbox (Batch, Batch Custom Audience, CommBox APIs) on ${sandbox.url}`);
		await n8n.importCredentials(sandboxCredentials(sandbox.url));
		await n8n.importWorkflows(examples);
		console.log(`n8n 2.40.7 with the package, 3 sandbox credentials and ${examples.length} example workflows imported`);
		if (ui) {
			await n8n.start();
			console.log(`\nOpen http://localhost:${n8n.port} (create the local owner account on first visit).`);
			console.log(`Workflows: ${examples.map((w) => w.name).join(' · ')}`);
			printSandboxCredentials(sandbox);
			console.log('Press Ctrl-C to stop n8n and the sandbox.');
			await new Promise(() => undefined);
		}
		const ok = await runFlagship(n8n, sandbox);
		await stop();
		process.exit(ok ? 0 : 1);
	} catch (error) {
		console.error(`Demo failed: ${(error as Error).message}`);
		await stop();
		process.exit(1);
	}
}

async function runFlagship(n8n: LocalN8n, sandbox: Sandbox): Promise<boolean> {
	console.log(`\nRunning "${flagship.name}" headless…`);
	const started = Date.now();
	const result = await n8n.execute(flagship.id);
	const seconds = ((Date.now() - started) / 1000).toFixed(1);
	if (result.error) {
		console.error(`The workflow failed: ${result.error.message}`);
		return false;
	}
	await sandbox.whenIdle();
	const contacts = outputOf(result, 'CRM contacts');
	const updates = outputOf(result, 'Sync to Batch audience');
	const checks = outputOf(result, 'Wait until applied');
	const [upload] = outputOf(result, 'Replace CommBox static audience');
	const batch = sandbox.state().batch.audiences.sandbox_audience;
	const commBox = sandbox.state().commBox.audiences['1001'];
	const sent = sandbox.requests().filter((r) => r.method !== 'GET');

	console.log(`
  CRM contacts            ${number(contacts.length)} items
  Batch Update            ${updates.length} request(s): ${updates.map((u) => `${number(u.json.ids)} ids -> token ${u.json.indexingToken}`).join(', ')}
  Check Indexing (wait)   ${checks.map((c) => `${c.json.indexingToken.slice(0, 8)}… ${c.json.indexingState}`).join(', ')}
  CommBox Replace Static  1 upload of ${number(upload.json.rows)} rows (${number(upload.json.bytes)} bytes) to audience ${upload.json.audienceId}
  Requests to the APIs    ${sent.length} writes for ${number(contacts.length)} contacts
  Wall time               ${seconds} s (n8n start-up included)

  Sandbox now holds       Batch "sandbox_audience": ${number(batch.nb_ids)} members, ${batch.indexing_state}; CommBox 1001: ${number(commBox.rows.length)} rows`);

	const consistent =
		batch.nb_ids === contacts.length &&
		checks.every((c) => c.json.indexingState === 'APPLIED') &&
		commBox.rows.length === upload.json.rows;
	console.log(consistent ? '\nEvery token is APPLIED and the sandbox matches the summary.' : '\nMISMATCH between the run and the sandbox state.');
	return consistent;
}

void main();
