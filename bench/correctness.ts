import type { RequestLogEntry, Sandbox } from '../sandbox';
import type { RunSummary } from './runDataSummary';
import type { SavedStaticData } from './savedExecution';
import {
	AUDIENCE_NAME,
	BODIES_AUDIENCE_NAME,
	CHANGE_EVERY,
	type DeltaStage,
	type DeltaWay,
	expectedDeltaMember,
	expectedMember,
	generatedSince,
	HTTP_AUDIENCE_NAME,
	ID_KIND,
	ITEMS_NODE,
	memberIdOf,
	WAYS,
	type Way,
} from './workflows';

/**
 * A run's figures count only if the run did what it claims: checked against what the sandbox
 * received and holds, and against n8n's run data.
 */
export interface RunCheck {
	ok: boolean;
	problems: string[];
	/** Every request the sandbox received during the run. */
	requests: number;
	/** Of which accepted (2xx). */
	accepted: number;
	/** Sum of `ids` over the requests. */
	idsSent: number;
	/** Members of the target audience afterwards (none for the pass-through). */
	members?: number;
}

export const MAX_IDS_PER_REQUEST = 10_000;

/** What every run's check starts with: the requests' counts, the run data, its error, the items generated. */
function beginCheck(count: number, run: RunSummary | undefined, requests: RequestLogEntry[], noRunData: string): RunCheck {
	const problems: string[] = [];
	const accepted = requests.filter((r) => r.status >= 200 && r.status < 300).length;
	const idsSent = requests.reduce((sum, r) => sum + r.ids, 0);
	const result: RunCheck = { ok: false, problems, requests: requests.length, accepted, idsSent };
	if (!run) {
		problems.push(noRunData);
		return result;
	}
	if (run.error) problems.push(`run error: ${run.error.message}`);
	const generated = run.nodes[ITEMS_NODE]?.outputs[0]?.count;
	if (generated !== count) problems.push(`the Code node produced ${generated} items, expected ${count}`);
	return result;
}

export function checkRun(way: Way, count: number, run: RunSummary | undefined, requests: RequestLogEntry[], sandbox: Sandbox): RunCheck {
	const result = beginCheck(count, run, requests, 'n8n printed no run data');
	const { problems, accepted, idsSent } = result;
	if (!run) return result;
	for (const name of WAYS[way].nodes) {
		const node = run.nodes[name];
		if (!node) problems.push(`node "${name}" did not run`);
		else if (node.error) problems.push(`node "${name}" failed: ${node.error.message}`);
	}
	const measured = run.nodes[WAYS[way].nodes[WAYS[way].nodes.length - 1]];
	const expectedRequests = Math.ceil(count / MAX_IDS_PER_REQUEST);
	const holds = (audienceName: string, expected: (i: number) => Record<string, unknown>) => {
		const audience = sandbox.state().batch.audiences[audienceName];
		result.members = audience?.nb_ids;
		if (audience?.nb_ids !== count) problems.push(`the audience holds ${audience?.nb_ids} members, expected ${count}`);
		for (const i of [0, 1, 2, Math.floor(count / 2), count - 1]) {
			const member = audience?.members[`user-${i}`];
			if (JSON.stringify(member) !== JSON.stringify(expected(i))) {
				problems.push(`member user-${i} holds ${JSON.stringify(member)}, expected ${JSON.stringify(expected(i))}`);
			}
		}
	};
	const updatesOf = (ids: number, perContact = false) => {
		if (requests.length !== expectedRequests) problems.push(`${requests.length} requests, expected ceil(${count} / 10,000) = ${expectedRequests}`);
		if (requests.some((r) => r.route !== 'update')) problems.push('a request other than update');
		if (accepted !== requests.length) problems.push(`${requests.length - accepted} requests not accepted`);
		if (idsSent !== ids) problems.push(`${idsSent} ids sent, expected ${ids}`);
		const output = measured?.outputs[0];
		if (!perContact && output && output.count !== expectedRequests) problems.push(`the node output ${output.count} items, expected one per request (${expectedRequests})`);
	};

	if (way === 'audience') {
		updatesOf(count);
		holds(AUDIENCE_NAME, expectedMember);
		const summed = measured?.outputs[0]?.items?.reduce((sum, item) => sum + Number(item.json.ids ?? 0), 0);
		if (summed !== undefined && summed !== count) problems.push(`the node reported ${summed} ids sent, expected ${count}`);
	}
	if (way === 'audiencePerContact') {
		updatesOf(count, true);
		holds(AUDIENCE_NAME, expectedMember);
		// One item per contact: N items, item i paired to input item i alone, holding its fields and the request's outcome.
		const output = measured?.outputs[0];
		if (output?.count !== count) problems.push(`the node output ${output?.count} items, expected one per contact (${count})`);
		if (output?.pairedToOwnInput !== count) problems.push(`${output?.pairedToOwnInput} output items paired to their own input item, expected ${count}`);
		if (output?.carryingInputFields !== count) problems.push(`${output?.carryingInputFields} output items carry their input item's fields, expected ${count}`);
		if (!output?.samples?.length) problems.push('no output item to look at');
		for (const { index, item } of output?.samples ?? []) {
			const expected = { id: `user-${index}`, plan: ['free', 'pro', 'team'][index % 3], score: index % 1000, since: generatedSince(index), audience: AUDIENCE_NAME, outcome: 'accepted' };
			const held = Object.fromEntries(Object.keys(expected).map((key) => [key, item.json[key]]));
			if (JSON.stringify(held) !== JSON.stringify(expected)) problems.push(`output item ${index} holds ${JSON.stringify(held)}, expected ${JSON.stringify(expected)}`);
			if (!/^[0-9a-f]{32}$/.test(String(item.json.indexingToken))) problems.push(`output item ${index} has no indexing token: ${JSON.stringify(item.json.indexingToken)}`);
		}
	}
	if (way === 'httpBodies') {
		updatesOf(count);
		// Sent as the items hold them: the dates keep their milliseconds.
		holds(BODIES_AUDIENCE_NAME, (i) => ({ ...expectedMember(i), 'date(since)': generatedSince(i) }));
	}
	if (way === 'floor') {
		if (requests.length !== 0) problems.push(`${requests.length} requests, expected none`);
		const output = measured?.outputs[0];
		if (output?.count !== expectedRequests) problems.push(`the Code node output ${output?.count} bodies, expected ${expectedRequests}`);
		const summed = output?.items?.reduce((sum, item) => sum + Number(item.json.ids ?? 0), 0);
		if (summed !== count) problems.push(`the bodies hold ${summed} ids, expected ${count}`);
		if (!(Number(output?.items?.[0]?.json.totalBytes) > count * 50)) problems.push('the bodies were not serialized');
	}
	if (way === 'httpPerItem') {
		if (requests.length !== count) problems.push(`${requests.length} requests, expected one per item (${count})`);
		if (accepted !== requests.length) problems.push(`${requests.length - accepted} requests not accepted`);
		if (requests.some((r) => r.ids !== 1 || r.route !== 'update')) problems.push('a request that is not an update of exactly 1 id');
		const audience = sandbox.state().batch.audiences[HTTP_AUDIENCE_NAME];
		result.members = audience?.nb_ids;
		if (audience?.nb_ids !== count) problems.push(`the audience holds ${audience?.nb_ids} members, expected ${count}`);
		const output = measured?.outputs[0]?.count;
		if (output !== count) problems.push(`the node output ${output} items, expected ${count}`);
	}
	if (way === 'passThrough') {
		if (requests.length !== 0) problems.push(`${requests.length} requests, expected none`);
		const output = measured?.outputs[0]?.count;
		if (output !== count) problems.push(`the node output ${output} items, expected ${count}`);
	}
	result.ok = problems.length === 0;
	return result;
}

/**
 * (f) Change tracking, per stage. Every stage: the Items node produced N items, the Audience node ran
 * without error, every request was an accepted update, and afterwards the audience holds exactly the
 * N ids with the attributes of the stage's input (checked on every member; run 2 and the plain Update
 * get run 2's input). Then:
 * - first: ceil(N / 10,000) requests carrying N ids; the node reports a first run sending everyone;
 *   the saved static data holds a snapshot of N ids.
 * - changed: one request per 10,000 changed ids (N / 100 ids changed: 1 request at 1,000,000), carrying
 *   exactly N / 100 ids. As every changed member now holds its new plan, and only that many ids were
 *   sent, they were exactly the changed ones. The node's output says so too: its request is paired
 *   to input items 0, 100, 200, ... and its summaries count N / 100 changed and the rest unchanged.
 *   The snapshot still holds N ids.
 * - plain: like way (a) on run 2's input: ceil(N / 10,000) requests carrying N ids, and no static data.
 */
export function checkDeltaRun(
	way: DeltaWay,
	stage: DeltaStage,
	count: number,
	run: RunSummary | undefined,
	requests: RequestLogEntry[],
	sandbox: Sandbox,
	state: SavedStaticData | undefined,
): RunCheck {
	const result = beginCheck(count, run, requests, 'n8n saved no run data');
	const { problems, accepted, idsSent } = result;
	if (!run) return result;
	const node = run.nodes[WAYS[way].nodes[0]];
	if (!node) problems.push('the Audience node did not run');
	else if (node.error) problems.push(`the Audience node failed: ${node.error.message}`);

	const changedIds = Math.ceil(count / CHANGE_EVERY);
	const sends = stage === 'changed' ? changedIds : count;
	const expectedRequests = Math.ceil(sends / MAX_IDS_PER_REQUEST);
	if (requests.length !== expectedRequests) problems.push(`${requests.length} requests, expected ceil(${sends} / 10,000) = ${expectedRequests}`);
	if (requests.some((r) => r.route !== 'update')) problems.push('a request other than update');
	if (accepted !== requests.length) problems.push(`${requests.length - accepted} requests not accepted`);
	if (idsSent !== sends) problems.push(`${idsSent} ids sent, expected ${sends}`);

	// The audience: exactly the N ids, each with the attributes of this stage's input.
	const audience = sandbox.state().batch.audiences[AUDIENCE_NAME];
	result.members = audience?.nb_ids;
	if (audience?.nb_ids !== count) problems.push(`the audience holds ${audience?.nb_ids} members, expected ${count}`);
	const idOf = memberIdOf(ID_KIND[way]);
	let wrong = 0;
	let firstWrong = '';
	for (let i = 0; i < count && audience; i++) {
		const id = idOf(i);
		const held = JSON.stringify(audience.members[id]);
		const expected = JSON.stringify(expectedDeltaMember(i, stage !== 'first'));
		if (held !== expected) {
			if (wrong++ === 0) firstWrong = `member ${id} (item ${i}) holds ${held}, expected ${expected}`;
		}
	}
	if (wrong > 0) problems.push(`${wrong} members hold other attributes than the input's, e.g. ${firstWrong}`);

	// What the node says it did (node version 1: one item per accepted request, and with change tracking one summary of the unchanged).
	const output = node?.outputs[0];
	const summaries = output?.summaries ?? output?.items?.map((item) => ({ json: item.json, paired: pairedSummary(item.pairedItem) }));
	const requestItems = summaries?.filter((s) => s.json.outcome === 'accepted') ?? [];
	const unchangedItems = summaries?.filter((s) => s.json.outcome === 'unchanged') ?? [];
	if (!summaries) problems.push(`the node's output (${output?.count} items) could not be read`);
	else {
		if (requestItems.length !== expectedRequests) problems.push(`the node output ${requestItems.length} request items, expected ${expectedRequests}`);
		const reported = requestItems.reduce((sum, s) => sum + Number(s.json.ids ?? 0), 0);
		if (reported !== sends) problems.push(`the node reported ${reported} ids sent, expected ${sends}`);
		if (stage === 'plain') {
			if (unchangedItems.length > 0 || requestItems.some((s) => s.json.changeTracking)) problems.push('the plain Update reported change tracking');
		} else {
			const tracking = requestItems[0]?.json.changeTracking as Record<string, unknown> | undefined;
			const expected =
				stage === 'first'
					? { firstRun: true, new: count, changed: 0, unchanged: 0, removed: 0, stateKept: true }
					: { firstRun: false, new: 0, changed: changedIds, unchanged: count - changedIds, removed: 0, stateKept: true };
			const held = tracking && Object.fromEntries(Object.keys(expected).map((key) => [key, tracking[key]]));
			if (JSON.stringify(held) !== JSON.stringify(expected)) problems.push(`the node's change tracking summary holds ${JSON.stringify(held)}, expected ${JSON.stringify(expected)}`);
			if (stage === 'changed') {
				const paired = requestItems[0]?.paired;
				const expectedPaired = { count: changedIds, first: 0, last: (changedIds - 1) * CHANGE_EVERY, step: changedIds > 1 ? CHANGE_EVERY : undefined };
				if (JSON.stringify(paired) !== JSON.stringify(expectedPaired)) problems.push(`the sent request is paired to input items ${JSON.stringify(paired)}, expected ${JSON.stringify(expectedPaired)}`);
				const notSent = unchangedItems.reduce((sum, s) => sum + Number(s.json.ids ?? 0), 0);
				if (notSent !== count - changedIds) problems.push(`the node reported ${notSent} unchanged members not sent, expected ${count - changedIds}`);
			} else if (unchangedItems.length > 0) problems.push('the first run reported unchanged members');
		}
	}

	// What n8n saved: a snapshot of every member for the tracked workflow, nothing for the plain Update.
	if (!state) problems.push('the static data could not be read');
	else if (stage === 'plain') {
		if (state.snapshots.length > 0) problems.push('the plain Update saved change tracking');
	} else {
		const snapshot = state.snapshots.find((s) => s.audience === AUDIENCE_NAME);
		if (state.snapshots.length !== 1 || !snapshot) problems.push(`${state.snapshots.length} snapshots saved, expected 1 for ${AUDIENCE_NAME}`);
		else if (snapshot.members !== count || snapshot.decodedIds !== count) problems.push(`the snapshot tracks ${snapshot.members} members and holds ${snapshot.decodedIds} ids, expected ${count}`);
	}
	result.ok = problems.length === 0;
	return result;
}

/** The input items an output item is paired to, as savedExecution.ts summarizes them: count; first, last and step when evenly spaced. */
function pairedSummary(pairedItem: unknown): { count: number; first?: number; last?: number; step?: number } {
	const list = Array.isArray(pairedItem) ? pairedItem : pairedItem === undefined ? [] : [pairedItem];
	const indexes = list.map((p) => (typeof p === 'number' ? p : (p as { item: number }).item));
	const step = indexes.length > 1 ? indexes[1] - indexes[0] : undefined;
	const even = step !== undefined && indexes.every((k, i) => i === 0 || k - indexes[i - 1] === step);
	return { count: indexes.length, first: indexes[0], last: indexes[indexes.length - 1], step: even ? step : undefined };
}
