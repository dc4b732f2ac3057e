import { parseArgs } from 'node:util';
import { startSandbox } from './index';
import { DEFAULT_INDEXING_DELAY_MS, SandboxOptions } from './runtime';

const DEFAULT_PORT = 4010;
const USAGE = `Usage: npm run sandbox -- [--port ${DEFAULT_PORT}] [--indexing-delay <ms>] [--seed <n>]

  --port            port on 127.0.0.1 (default ${DEFAULT_PORT}; 0 = any free port)
  --indexing-delay  ms before an accepted write is indexed (default ${DEFAULT_INDEXING_DELAY_MS})
  --seed            seed for indexing tokens and faults (default 1)`;

/** The options, or undefined when only the usage was asked for. Throws on bad flags. */
function parseCommandLine(args: string[]): SandboxOptions | undefined {
	const { values } = parseArgs({
		args,
		options: {
			port: { type: 'string' },
			'indexing-delay': { type: 'string' },
			seed: { type: 'string' },
			help: { type: 'boolean', short: 'h' },
		},
	});
	if (values.help) return undefined;
	return {
		port: parseInteger(values.port, '--port') ?? DEFAULT_PORT,
		indexingDelayMs: parseInteger(values['indexing-delay'], '--indexing-delay') ?? DEFAULT_INDEXING_DELAY_MS,
		seed: parseInteger(values.seed, '--seed'),
	};
}

function parseInteger(value: string | undefined, flag: string): number | undefined {
	if (value === undefined) return undefined;
	if (!/^-?\d+$/.test(value)) throw new Error(`${flag} must be an integer`);
	return Number(value);
}

async function main(): Promise<void> {
	let options: SandboxOptions | undefined;
	try {
		options = parseCommandLine(process.argv.slice(2));
	} catch (error) {
		console.error(`${(error as Error).message}\n\n${USAGE}`);
		process.exit(2);
	}
	if (!options) return console.log(USAGE);

	const sandbox = await startSandbox(options);
	const { credentials, url } = sandbox;
	console.log(`Audience sandbox listening on ${url} (indexing delay ${options.indexingDelayMs} ms)

Use ${url} as the Base URL of each credential:
  Batch API                  REST API key ${credentials.batchRestKey}, project key ${credentials.batchProjectKey}
  Batch Custom Audience API  REST API key ${credentials.batchRestKey}, app API key ${credentials.customAudienceAppKey}
  CommBox API                API key ${credentials.commBoxApiKey}

Introspection: GET ${url}/__sandbox/state, GET ${url}/__sandbox/requests,
               POST ${url}/__sandbox/reset, /__sandbox/faults, /__sandbox/config
Press Ctrl+C to stop.`);

	const shutdown = (signal: NodeJS.Signals) => {
		console.log(`\n${signal}: stopping the sandbox.`);
		void sandbox.stop().then(() => process.exit(0));
	};
	process.once('SIGINT', shutdown);
	process.once('SIGTERM', shutdown);
}

main().catch((error: unknown) => {
	console.error(`sandbox: ${error instanceof Error ? error.message : String(error)}`);
	process.exit(1);
});
