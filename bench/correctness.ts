import type { RequestLogEntry, Sandbox } from '../sandbox';
import type { RunSummary } from './runDataSummary';
import { AUDIENCE_NAME, expectedMember, HTTP_AUDIENCE_NAME, ITEMS_NODE, WAYS, type Way } from './workflows';

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
	const measured = run.nodes[WAYS[way].node];
	if (!measured) problems.push(`node "${WAYS[way].node}" did not run`);
	else if (measured.error) problems.push(`node "${WAYS[way].node}" failed: ${measured.error.message}`);

	if (way === 'audience') {
		const expected = Math.ceil(count / MAX_IDS_PER_REQUEST);
		if (requests.length !== expected) problems.push(`${requests.length} requests, expected ceil(${count} / 10,000) = ${expected}`);
		if (requests.some((r) => r.route !== 'update')) problems.push('a request other than update');
		if (accepted !== requests.length) problems.push(`${requests.length - accepted} requests not accepted`);
		if (idsSent !== count) problems.push(`${idsSent} ids sent, expected ${count}`);
		const audience = sandbox.state().batch.audiences[AUDIENCE_NAME];
		result.members = audience?.nb_ids;
		if (audience?.nb_ids !== count) problems.push(`the audience holds ${audience?.nb_ids} members, expected ${count}`);
		for (const i of [0, 1, 2, Math.floor(count / 2), count - 1]) {
			const member = audience?.members[`user-${i}`];
			if (JSON.stringify(member) !== JSON.stringify(expectedMember(i))) {
				problems.push(`member user-${i} holds ${JSON.stringify(member)}, expected ${JSON.stringify(expectedMember(i))}`);
			}
		}
		const output = measured?.outputs[0];
		if (output && output.count !== expected) problems.push(`the node output ${output.count} items, expected one per request (${expected})`);
		const summed = output?.items?.reduce((sum, item) => sum + Number(item.json.ids ?? 0), 0);
		if (summed !== undefined && summed !== count) problems.push(`the node reported ${summed} ids sent, expected ${count}`);
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
