import type { PendingStateWord } from './audiences';
import { FaultConfig, FaultInjector } from './faults';
import { InFlightCounter } from './inFlight';
import { findUnknownField, isPlainObject } from './json';
import { RequestLog } from './requestLog';
import { SandboxState } from './state';

export interface SandboxOptions {
	/** 0 = a random free port (the default of `startSandbox`). */
	port?: number;
	/** Delay before an accepted write is indexed; default 1500; 0 = on the next tick. */
	indexingDelayMs?: number;
	/** Seeds indexing tokens and, unless a fault config sets its own, the fault PRNG. Default 1. */
	seed?: number;
	/** The word pending Batch 2.x tokens report; default IN_PROGRESS. */
	inProcessState?: PendingStateWord;
	/** Ids every Batch and legacy write refuses with a 400, as an undocumented record-level rule would. */
	rejectIds?: string[];
	/** That 400's message, naming no record; unset, '' or null: the message names the id and its index. */
	rejectIdsMessage?: string | null;
}

/** What can change while the sandbox runs (`POST /__sandbox/config`). */
export interface SandboxConfig {
	indexingDelayMs?: number;
	inProcessState?: PendingStateWord;
	rejectIds?: string[];
	/** '' or null clears it. */
	rejectIdsMessage?: string | null;
}

export const DEFAULT_INDEXING_DELAY_MS = 1500;
const DEFAULT_SEED = 1;
const PENDING_WORDS: readonly string[] = ['IN_PROGRESS', 'IN_PROCESS'];
const CONFIG_FIELDS: readonly string[] = ['indexingDelayMs', 'inProcessState', 'rejectIds', 'rejectIdsMessage'];

/** The state, fault injector and request log one sandbox shares between its HTTP server and its owner. */
export class SandboxRuntime {
	readonly state: SandboxState;
	readonly faults: FaultInjector;
	readonly log = new RequestLog();
	readonly inFlight = new InFlightCounter();

	constructor(options: SandboxOptions) {
		const seed = options.seed ?? DEFAULT_SEED;
		if (!Number.isInteger(seed)) throw new Error('seed must be an integer');
		this.state = new SandboxState(seed, DEFAULT_INDEXING_DELAY_MS, 'IN_PROGRESS');
		this.faults = new FaultInjector(seed);
		const { indexingDelayMs, inProcessState, rejectIds, rejectIdsMessage } = options;
		this.configure({ indexingDelayMs, inProcessState, rejectIds, rejectIdsMessage });
	}

	/** Seed data back, log and faults cleared. */
	reset(): void {
		this.state.reset();
		this.log.clear();
		this.faults.clear();
	}

	setFaults(config: FaultConfig): void {
		this.faults.configure(config);
	}

	/** Validates and applies a config (possibly from JSON); returns the resulting settings. */
	configure(input: unknown): Required<SandboxConfig> {
		const { indexingDelayMs, inProcessState, rejectIds, rejectIdsMessage } = parseSandboxConfig(input);
		const { state } = this;
		if (indexingDelayMs !== undefined) state.indexing.setDelay(indexingDelayMs);
		if (inProcessState !== undefined) state.pendingStateWord = inProcessState;
		if (rejectIds !== undefined) state.recordRules = { ...state.recordRules, rejectedIds: new Set(rejectIds) };
		if (rejectIdsMessage !== undefined) state.recordRules = { ...state.recordRules, message: rejectIdsMessage || undefined };
		return {
			indexingDelayMs: state.indexing.indexingDelayMs,
			inProcessState: state.pendingStateWord,
			rejectIds: [...state.recordRules.rejectedIds],
			rejectIdsMessage: state.recordRules.message ?? null,
		};
	}
}

function parseSandboxConfig(input: unknown): SandboxConfig {
	if (!isPlainObject(input)) throw new Error(`config: expected {${CONFIG_FIELDS.map((field) => `"${field}"?`).join(', ')}}`);
	const unknownField = findUnknownField(input, CONFIG_FIELDS);
	if (unknownField) throw new Error(`config: unknown field "${unknownField}"`);
	const { indexingDelayMs, inProcessState, rejectIds, rejectIdsMessage } = input;
	if (rejectIds !== undefined && !(Array.isArray(rejectIds) && rejectIds.every((id) => typeof id === 'string' && id !== ''))) {
		throw new Error('config: rejectIds must be an array of non-empty strings');
	}
	if (rejectIdsMessage !== undefined && rejectIdsMessage !== null && typeof rejectIdsMessage !== 'string') {
		throw new Error('config: rejectIdsMessage must be a string or null');
	}
	if (indexingDelayMs !== undefined && !(Number.isInteger(indexingDelayMs) && (indexingDelayMs as number) >= 0)) {
		throw new Error('config: indexingDelayMs must be a non-negative integer');
	}
	if (inProcessState !== undefined && !PENDING_WORDS.includes(inProcessState as string)) {
		throw new Error(`config: inProcessState must be ${PENDING_WORDS.join(' or ')}`);
	}
	return input as SandboxConfig;
}
