import { createServer, IncomingMessage, Server, ServerResponse } from 'node:http';
import type { ApiModule, Endpoint } from './apiModule';
import { batchApi } from './batchApi';
import { commBoxApi } from './commBoxApi';
import { RequestContext } from './context';
import { customAudienceApi } from './customAudienceApi';
import { ApiProblem, InvalidRequestError } from './errors';
import type { ErrorStatusKind, FaultDecision } from './faults';
import { ODD_SUCCESS_BODIES, oversizedErrorMessage } from './faultReplies';
import { ClientGoneError, parseTarget } from './http';
import { handleIntrospection } from './introspection';
import { pathForLog } from './requestLog';
import type { SandboxRuntime } from './runtime';

/** Tried in order; CommBox lives at `/` and owns whatever the Batch APIs do not. */
const APIS: readonly ApiModule[] = [customAudienceApi, batchApi, commBoxApi];

const ERROR_STATUS_PROBLEMS: Record<ErrorStatusKind, ApiProblem> = {
	'429': 'TOO_MANY_REQUESTS',
	'500': 'SERVER_ERROR',
	'503': 'MAINTENANCE_ERROR',
};

export function createSandboxServer(runtime: SandboxRuntime): Server {
	const server = createServer((req, res) => {
		handleRequest(runtime, req, res).catch((error: unknown) => {
			console.error('sandbox: unexpected error', error);
			res.destroy();
		});
	});
	// Node closes an idle keep-alive connection after 5 s; a client reusing it at that moment gets a
	// reset it never caused (seen on loaded machines). Idle connections stay open longer than any
	// client keeps them, as API gateways do; faults are injected on purpose, never by timing.
	server.keepAliveTimeout = 65_000;
	server.headersTimeout = 66_000;
	return server;
}

async function handleRequest(runtime: SandboxRuntime, req: IncomingMessage, res: ServerResponse): Promise<void> {
	// A client that disconnects must never surface as an unhandled 'error' event.
	req.on('error', () => undefined);
	res.on('error', () => undefined);
	const target = parseTarget(req.url);
	if (target.segments[0] === '__sandbox') return handleIntrospection(runtime, req, res, target);

	const method = req.method ?? 'GET';
	const { api, endpoint } = resolveEndpoint(method, target.segments);
	const fault = runtime.faults.decide(api.name, endpoint.route);
	const inFlight = runtime.inFlight.enter();
	let counted = true;
	const leave = () => {
		if (counted) runtime.inFlight.leave();
		counted = false;
	};
	res.once('close', leave);
	const context = new RequestContext(req, res, target, runtime.state, runtime.log, {
		seq: runtime.log.nextSeq(),
		time: new Date().toISOString(),
		api: api.name,
		method,
		path: pathForLog(target, req.headers),
		route: endpoint.route,
		...(fault ? { fault: fault.label } : {}),
		inFlight,
	}, leave);
	try {
		await handleWithFault(runtime, api, endpoint, context, fault);
	} catch (error) {
		if (error instanceof InvalidRequestError) api.replyProblem(context, error.problem, error.message);
		else if (error instanceof ClientGoneError) context.closeWithoutReply();
		else {
			console.error('sandbox: unexpected error', error);
			api.replyProblem(context, 'SERVER_ERROR', 'Unexpected error');
		}
	}
}

function resolveEndpoint(method: string, segments: readonly string[]): { api: ApiModule; endpoint: Endpoint } {
	for (const api of APIS) {
		const endpoint = api.resolve(method, segments);
		if (endpoint) return { api, endpoint };
	}
	throw new Error('unreachable: the CommBox API resolves every path');
}

/**
 * A faulted request is never processed (a client may safely retry it), except `lostResponse` (processed,
 * reply dropped) and the odd-body kinds (processed, success reply with an odd body).
 */
async function handleWithFault(
	runtime: SandboxRuntime,
	api: ApiModule,
	endpoint: Endpoint,
	context: RequestContext,
	fault: FaultDecision | undefined,
): Promise<void> {
	if (fault?.latencyMs) await runtime.inFlight.holdUntil(fault.untilInFlight, fault.latencyMs);
	if (!fault?.failure) return endpoint.handle(context);
	const { failure } = fault;
	if (failure === 'reset') return context.closeWithoutReply();
	if (failure === 'hugeErrorBody') {
		return api.replyProblem(context, 'MALFORMED_PARAMETER', oversizedErrorMessage(fault.errorBodyBytes));
	}
	if (failure === '429' || failure === '500' || failure === '503') {
		if (failure === '429') context.res.setHeader('Retry-After', String(fault.retryAfterSeconds));
		return api.replyProblem(context, ERROR_STATUS_PROBLEMS[failure], `Injected fault: ${failure}`);
	}
	if (failure === 'lostResponse') context.dropReply();
	else context.replaceSuccessBody(ODD_SUCCESS_BODIES[failure]);
	await endpoint.handle(context);
}
