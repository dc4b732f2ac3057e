import type { ApiName } from './apiModule';
import { findUnknownField, isPlainObject } from './json';
import { createRandom } from './random';

/** Not processed: the API's own error reply with this status. */
export type ErrorStatusKind = '429' | '500' | '503';
/** Processed as normal; the success reply keeps its status and headers but carries this odd body. */
export type OddBodyKind = 'emptyBody' | 'nullBody' | 'emptyObjectBody' | 'htmlBody';
/**
 * Every fault but `latency`; at most one hits a request:
 * - `reset`: not processed, the connection is closed without a reply;
 * - `hugeErrorBody`: not processed, a 400 in the API's error envelope with a message of `errorBodyBytes`;
 * - `lostResponse`: processed, then the connection is closed without a reply.
 */
export type FailureKind = ErrorStatusKind | 'reset' | 'hugeErrorBody' | 'lostResponse' | OddBodyKind;
export type FaultKind = FailureKind | 'latency';

export interface FaultRule {
	/** Default: every API. */
	api?: ApiName;
	/** A route name (`update`, `view`, `PUT /Audiences`, ...; case-insensitive) or `*` (default). */
	route?: string;
	kind: FaultKind;
	/** Share of matching requests hit, 0..1, drawn from the seeded PRNG. Default: every one. */
	rate?: number;
	/** Hit at most the next N matching requests. */
	count?: number;
	/** Let the first N matching requests through before the rule applies. */
	after?: number;
	/** For 429; default 1. */
	retryAfterSeconds?: number;
	/** Required for `latency`. */
	latencyMs?: number;
	/** For `latency`: the wait ends early once this many requests are in flight at once. */
	untilInFlight?: number;
	/** For `hugeErrorBody`: the length of the error message in bytes; default 2 MiB. */
	errorBodyBytes?: number;
}

export interface FaultConfig {
	/** Default: the sandbox's seed. */
	seed?: number;
	rules: FaultRule[];
}

export interface FaultDecision {
	latencyMs: number;
	untilInFlight?: number;
	failure?: FailureKind;
	retryAfterSeconds: number;
	errorBodyBytes: number;
	/** What the request log shows, e.g. `429` or `latency:200ms+reset`. */
	label: string;
}

interface ActiveRule {
	rule: FaultRule;
	remaining: number;
	passThrough: number;
}

const API_NAMES: readonly string[] = ['batch', 'customAudience', 'commBox'];
const ODD_BODY_KINDS: readonly OddBodyKind[] = ['emptyBody', 'nullBody', 'emptyObjectBody', 'htmlBody'];
const FAULT_KINDS: readonly string[] = ['429', '500', '503', 'reset', 'hugeErrorBody', 'lostResponse', ...ODD_BODY_KINDS, 'latency'];
const RULE_FIELDS: readonly string[] = [
	'api',
	'route',
	'kind',
	'rate',
	'count',
	'after',
	'retryAfterSeconds',
	'latencyMs',
	'untilInFlight',
	'errorBodyBytes',
];
const DEFAULT_ERROR_BODY_BYTES = 2 * 1024 * 1024;
/** Keeps a mistyped size from exhausting the sandbox's memory. */
const MAX_ERROR_BODY_BYTES = 64 * 1024 * 1024;

/**
 * Decides, before a request is processed, whether it fails. Deterministic: the same seed and the same
 * sequence of requests give the same faults.
 */
export class FaultInjector {
	private rules: ActiveRule[] = [];
	private random: () => number;

	constructor(private readonly defaultSeed: number) {
		this.random = createRandom(defaultSeed);
	}

	/** Replaces the rules and restarts the PRNG. Throws on an invalid config. */
	configure(config: FaultConfig): void {
		const valid = parseFaultConfig(config);
		this.rules = valid.rules.map((rule) => ({ rule, remaining: rule.count ?? Infinity, passThrough: rule.after ?? 0 }));
		this.random = createRandom(valid.seed ?? this.defaultSeed);
	}

	clear(): void {
		this.configure({ rules: [] });
	}

	decide(api: ApiName, route: string): FaultDecision | undefined {
		const matching = this.rules.filter((active) => {
			if (active.remaining <= 0 || !ruleMatches(active.rule, api, route)) return false;
			if (active.passThrough === 0) return true;
			active.passThrough--;
			return false;
		});
		const latency = this.pick(matching.filter((active) => active.rule.kind === 'latency'));
		const failure = this.pick(matching.filter((active) => active.rule.kind !== 'latency'));
		if (!latency && !failure) return undefined;
		const latencyMs = latency?.latencyMs ?? 0;
		const untilInFlight = latency?.untilInFlight;
		const held = untilInFlight === undefined ? '' : ` or ${untilInFlight} in flight`;
		const labels = [latency && `latency:${latencyMs}ms${held}`, failure?.kind].filter(Boolean);
		return {
			latencyMs,
			...(untilInFlight === undefined ? {} : { untilInFlight }),
			failure: failure?.kind as FailureKind | undefined,
			retryAfterSeconds: failure?.retryAfterSeconds ?? 1,
			errorBodyBytes: failure?.errorBodyBytes ?? DEFAULT_ERROR_BODY_BYTES,
			label: labels.join('+'),
		};
	}

	/**
	 * Rules without a rate fire first, in order. Rules with a rate share ONE draw per request and cover
	 * consecutive bands of [0, 1), so their rates add up: three rules of 0.1 hit 30% of requests.
	 */
	private pick(candidates: ActiveRule[]): FaultRule | undefined {
		const rated = candidates.filter((active) => active.rule.rate !== undefined);
		const draw = rated.length > 0 ? this.random() : undefined;
		const chosen =
			candidates.find((active) => active.rule.rate === undefined) ??
			(draw === undefined ? undefined : ruleInBand(rated, draw));
		if (!chosen) return undefined;
		chosen.remaining--;
		return chosen.rule;
	}
}

function ruleInBand(rated: ActiveRule[], draw: number): ActiveRule | undefined {
	let bandEnd = 0;
	for (const active of rated) {
		bandEnd += active.rule.rate ?? 0;
		if (draw < bandEnd) return active;
	}
	return undefined;
}

function ruleMatches(rule: FaultRule, api: ApiName, route: string): boolean {
	if (rule.api !== undefined && rule.api !== api) return false;
	return rule.route === undefined || rule.route === '*' || rule.route.toLowerCase() === route.toLowerCase();
}

/** Validates a config that may come from JSON. Throws an Error saying what is wrong. */
export function parseFaultConfig(input: unknown): FaultConfig {
	if (!isPlainObject(input) || !Array.isArray(input.rules)) throw new Error('faults: expected {"seed"?, "rules": [...]}');
	const unknownKey = findUnknownField(input, ['seed', 'rules']);
	if (unknownKey) throw new Error(`faults: unknown field "${unknownKey}"`);
	if (input.seed !== undefined && !Number.isInteger(input.seed)) throw new Error('faults: seed must be an integer');
	return { seed: input.seed as number | undefined, rules: input.rules.map(parseFaultRule) };
}

function parseFaultRule(input: unknown, index: number): FaultRule {
	const where = `faults: rules[${index}]`;
	if (!isPlainObject(input)) throw new Error(`${where} must be an object`);
	const unknownKey = findUnknownField(input, RULE_FIELDS);
	if (unknownKey) throw new Error(`${where}: unknown field "${unknownKey}"`);
	const { api, route, kind, rate, count, after, retryAfterSeconds, latencyMs, untilInFlight, errorBodyBytes } = input;
	if (api !== undefined && !API_NAMES.includes(api as string)) throw new Error(`${where}.api must be one of ${API_NAMES.join(', ')}`);
	if (route !== undefined && (typeof route !== 'string' || route === '')) throw new Error(`${where}.route must be a non-empty string`);
	if (!FAULT_KINDS.includes(kind as string)) throw new Error(`${where}.kind must be one of ${FAULT_KINDS.join(', ')}`);
	if (rate !== undefined && !(typeof rate === 'number' && rate >= 0 && rate <= 1)) throw new Error(`${where}.rate must be between 0 and 1`);
	for (const [field, value] of Object.entries({ count, after, retryAfterSeconds, latencyMs, untilInFlight, errorBodyBytes })) {
		if (value !== undefined && !(Number.isInteger(value) && (value as number) >= 0)) {
			throw new Error(`${where}.${field} must be a non-negative integer`);
		}
	}
	if (kind === 'latency' && latencyMs === undefined) throw new Error(`${where}.latencyMs is required for a latency rule`);
	if (untilInFlight !== undefined && kind !== 'latency') throw new Error(`${where}.untilInFlight applies to a latency rule only`);
	if (errorBodyBytes !== undefined) {
		if (kind !== 'hugeErrorBody') throw new Error(`${where}.errorBodyBytes applies to a hugeErrorBody rule only`);
		if ((errorBodyBytes as number) > MAX_ERROR_BODY_BYTES) {
			throw new Error(`${where}.errorBodyBytes must be at most ${MAX_ERROR_BODY_BYTES}`);
		}
	}
	return input as unknown as FaultRule;
}
