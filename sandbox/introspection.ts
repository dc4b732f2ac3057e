import type { IncomingMessage, ServerResponse } from 'node:http';
import { parseFaultConfig } from './faults';
import { parseJsonObject, readBody, RequestTarget, sendJson } from './http';
import type { SandboxRuntime } from './runtime';

/**
 * `/__sandbox/*`: state, request log, reset, faults and config, for tests and tools running in
 * another process. Never faulted, never logged.
 */
export async function handleIntrospection(
	runtime: SandboxRuntime,
	req: IncomingMessage,
	res: ServerResponse,
	target: RequestTarget,
): Promise<void> {
	const route = `${req.method} /${target.segments.join('/')}`;
	try {
		switch (route) {
			case 'GET /__sandbox/state':
				return sendJson(res, 200, runtime.state.snapshot());
			case 'GET /__sandbox/requests':
				return sendJson(res, 200, runtime.log.list());
			case 'GET /__sandbox/idle':
				await runtime.state.indexing.whenIdle();
				return sendJson(res, 200, { idle: true });
			case 'POST /__sandbox/reset':
				runtime.reset();
				return sendJson(res, 200, { reset: true });
			case 'POST /__sandbox/faults': {
				const config = parseFaultConfig(parseJsonObject(await readBody(req)));
				runtime.setFaults(config);
				return sendJson(res, 200, config);
			}
			case 'POST /__sandbox/config':
				return sendJson(res, 200, runtime.configure(parseJsonObject(await readBody(req))));
			default:
				return sendJson(res, 404, { error: `no sandbox route ${route}` });
		}
	} catch (error) {
		sendJson(res, 400, { error: error instanceof Error ? error.message : String(error) });
	}
}
