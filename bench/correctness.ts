import type { RequestLogEntry, Sandbox } from '../sandbox';
import type { RunSummary } from './runDataSummary';
import { AUDIENCE_NAME, BODIES_AUDIENCE_NAME, expectedMember, generatedSince, HTTP_AUDIENCE_NAME, ITEMS_NODE, WAYS, type Way } from './workflows';

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

export function checkRun(way: Way, count: number, run: RunSummary | undefined, requests: RequestLogEntry[], sandbox: Sandbox): RunCheck {
	const problems: string[] = [];
	const accepted = requests.filter((r) => r.status >= 200 && r.status < 300).length;
	const idsSent = requests.reduce((sum, r) => sum + r.ids, 0);
	const result: RunCheck = { ok: false, problems, requests: requests.length, accepted, idsSent };

	if (!run) {
		problems.push('n8n printed no run data');
		return result;
	}
	if (run.error) problems.push(`run error: ${run.error.message}`);
	const generated = run.nodes[ITEMS_NODE]?.outputs[0]?.count;
	if (generated !== count) problems.push(`the Code node produced ${generated} items, expected ${count}`);
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
