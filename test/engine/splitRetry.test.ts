/**
 * Split-retry (engine/splitRetry.ts) against a fake API that refuses any request holding a bad id
 * with a generic message, the same text whatever the part: the bad records are found by probing
 * three ids alone (first, middle, last), then sending the rest once and bisecting it while refused,
 * never from the message. Only when the three probes and the rest are all refused is the chunk
 * reported request-wide.
 */
import {
	cutText,
	MAX_EXTRA_REQUESTS_PER_CHUNK,
	PROBES,
	sendWithSplitRetry,
	type PlannedRequest,
	type SendResult,
	type SplitOutcome,
	splitRetryBound,
} from '../../nodes/Audience/engine';
import { MAX_API_TEXT_LENGTH } from '../../nodes/Audience/engine/messages';

const GENERIC = 'Batch answered 400: One or more ids are not valid [MALFORMED_PARAMETER]';

/** One chunk of `n` members `u0`…`u{n-1}`, member k carried by input item k. */
function chunk(n: number): PlannedRequest {
	const members = Array.from({ length: n }, (_, i) => ({ id: `u${i}`, action: 'add' as const }));
	return { operation: 'update', audience: 'vip', members, itemIndexes: members.map((_, i) => i), added: n, removed: 0, duplicatesCollapsed: 0 };
}
const idOfItem = (itemIndex: number) => `u${itemIndex}`;

interface FakeApi {
	send: (part: PlannedRequest) => Promise<SendResult>;
	/** Every request sent, in order. */
	sent: PlannedRequest[];
}

/**
 * Refuses any part holding one of `bad` (positions) with the same generic message; accepts the
 * others with a token. `override` may answer a given call (1-based) otherwise.
 */
function fakeApi(bad: Iterable<number>, override?: (call: number, part: PlannedRequest) => SendResult | undefined): FakeApi {
	const badIds = new Set([...bad].map((i) => `u${i}`));
	const sent: PlannedRequest[] = [];
	const send = async (part: PlannedRequest): Promise<SendResult> => {
		sent.push(part);
		const answer = override?.(sent.length, part);
		if (answer) return answer;
		if (part.members.some((member) => badIds.has(member.id))) return { outcome: 'refused', message: GENERIC, error: new Error(GENERIC), recordLevel: true };
		return { outcome: 'accepted', token: `token-${sent.length}` };
	};
	return { send, sent };
}

const idsOf = (parts: SplitOutcome['parts'], outcome: SendResult['outcome']) =>
	parts.filter((part) => part.outcome === outcome).flatMap((part) => part.request.members.map((member) => member.id));
const sortIds = (ids: string[]) => [...ids].sort((a, b) => Number(a.slice(1)) - Number(b.slice(1)));
const ids = (...positions: number[]) => positions.map((i) => `u${i}`);
const range = (from: number, to: number) => Array.from({ length: to - from + 1 }, (_, i) => from + i);
/** The member ids of each request sent, in order. */
const sentIds = (api: FakeApi) => api.sent.map((part) => part.members.map((member) => member.id));
/** Each part as [outcome, first id, members], sorted by first id. */
const summaryOf = (outcome: SplitOutcome) =>
	outcome.parts
		.map((part) => [part.outcome, part.request.members[0].id, part.request.members.length] as const)
		.sort((a, b) => Number(a[1].slice(1)) - Number(b[1].slice(1)));
/** The positions split-retry probes alone in a refused chunk of `n` ids. */
const probePositions = (n: number) => (n <= PROBES ? range(0, n - 1) : [0, Math.floor(n / 2), n - 1]);
/** The positions of a refused chunk of `n` ids left once its probes are sent alone. */
const restAfterProbes = (n: number) => range(0, n - 1).filter((i) => !probePositions(n).includes(i));
/** The requests after a refused chunk of `n` ids: each probe alone, then the rest once (none for a chunk of 3 ids or fewer). */
const probesThenRest = (n: number) => [...probePositions(n).map((i) => ids(i)), ...(n <= PROBES ? [] : [ids(...restAfterProbes(n))])];
/** The same for a chunk of 10,000, written out: u0, u5000 and u9999 alone, then the 9,997 others. */
const PROBES_THEN_REST_OF_10_000 = [ids(0), ids(5000), ids(9999), ids(...range(1, 9998).filter((i) => i !== 5000))];

type PartOutcome = SendResult['outcome'];
type Summary = ReturnType<typeof summaryOf>;

/** A chunk sent through split-retry to the fake API, and what came of it. */
interface Sent {
	request: PlannedRequest;
	api: FakeApi;
	outcome: SplitOutcome;
}

/** Sends a chunk of `n` ids through split-retry to `fakeApi(bad, override)`. */
async function sendChunk(n: number, bad: Iterable<number>, override?: Parameters<typeof fakeApi>[1]): Promise<Sent> {
	const request = chunk(n);
	const api = fakeApi(bad, override);
	const outcome = await sendWithSplitRetry(request, api.send, idOfItem);
	return { request, api, outcome };
}

/** Every member (and every input item) of the chunk is in exactly one part, each part's items being its members'. */
function expectEveryMemberOnce(outcome: SplitOutcome, request: PlannedRequest): void {
	const members = outcome.parts.flatMap((part) => part.request.members.map((member) => member.id));
	expect(members).toHaveLength(request.members.length);
	expect(new Set(members).size).toBe(request.members.length);
	expect(sortIds(members)).toEqual(request.members.map((member) => member.id));
	const items = outcome.parts.flatMap((part) => part.request.itemIndexes).sort((a, b) => a - b);
	expect(items).toEqual(request.itemIndexes);
	const misplaced: number[] = [];
	for (const part of outcome.parts) {
		const partIds = new Set(part.request.members.map((member) => member.id));
		for (const itemIndex of part.request.itemIndexes) if (!partIds.has(idOfItem(itemIndex))) misplaced.push(itemIndex);
		expect(part.request.added + part.request.removed).toBe(part.request.members.length);
	}
	expect(misplaced).toEqual([]);
}

/** The first answer was final: one part, the whole chunk with that answer, and no other request sent. */
function expectAnsweredAtOnce({ request, api, outcome }: Sent, answer: SendResult): void {
	expect(outcome).toEqual({ parts: [{ request, ...answer }], extraRequests: 0, requestWide: false });
	expect(api.sent).toHaveLength(1);
}

/** The split ended, not request-wide, as `parts` (see summaryOf) after `extraRequests` extra requests, every member in exactly one part. */
function expectSplitEndedAs({ request, api, outcome }: Sent, extraRequests: number, parts: Summary): void {
	expectEveryMemberOnce(outcome, request);
	expect(api.sent).toHaveLength(1 + extraRequests);
	expect(outcome.extraRequests).toBe(extraRequests);
	expect(outcome.requestWide).toBe(false);
	expect(summaryOf(outcome)).toEqual(parts);
}

/**
 * Reported request-wide: after the chunk, its probes (every id of a chunk of 3 or fewer) and then the
 * rest were each sent once and refused; nothing split further, nothing accepted.
 */
function expectReportedRequestWide({ request, api, outcome }: Sent, badCount: number): void {
	const n = request.members.length;
	expect(outcome.requestWide).toBe(true);
	expect(sentIds(api)).toEqual([ids(...range(0, n - 1)), ...probesThenRest(n)]);
	expect(outcome.extraRequests).toBe(api.sent.length - 1);
	expect(outcome.extraRequests).toBe(splitRetryBound(n, n));
	expect(outcome.extraRequests).toBeLessThanOrEqual(splitRetryBound(n, badCount));
	expect(outcome.parts).toHaveLength(n <= PROBES ? n : PROBES + 1);
	expect(outcome.parts.every((part) => part.outcome === 'refused')).toBe(true);
	expect(idsOf(outcome.parts, 'refused')).toHaveLength(n);
	expect(idsOf(outcome.parts, 'accepted')).toEqual([]);
	expectEveryMemberOnce(outcome, request);
}

/** A chunk of 10,000 ended as its three probes (u0, u5000, u9999) and the rest (u1 and the 9,996 others), each as given, after 4 extra requests. */
function expectProbesAndRestOf10_000(outcome: SplitOutcome, outcomes: { u0: PartOutcome; rest: PartOutcome; u5000: PartOutcome; u9999: PartOutcome }): void {
	expect(outcome.extraRequests).toBe(PROBES + 1);
	expect(summaryOf(outcome)).toEqual([
		[outcomes.u0, 'u0', 1],
		[outcomes.rest, 'u1', 9997],
		[outcomes.u5000, 'u5000', 1],
		[outcomes.u9999, 'u9999', 1],
	]);
}

/**
 * The first probe (u0) was refused, then the second (the middle id) answered `middle`, a failure that
 * ends the split: the last probe and the rest are notSent, carrying that failure.
 */
function expectSplitEndedAtMiddleProbe(sent: Sent, middle: PartOutcome, failure: { message: string; error: Error }): void {
	const n = sent.request.members.length;
	const middlePosition = Math.floor(n / 2);
	expect(sentIds(sent.api)).toEqual([ids(...range(0, n - 1)), ids(0), ids(middlePosition)]);
	expectSplitEndedAs(sent, 2, [
		['refused', 'u0', 1],
		['notSent', 'u1', n - 3],
		[middle, `u${middlePosition}`, 1],
		['notSent', `u${n - 1}`, 1],
	]);
	for (const part of sent.outcome.parts.filter((p) => p.outcome === 'notSent')) expect(part).toMatchObject(failure);
}

/**
 * A chunk of 1,000 with bad ids u3 and u900 whose 7th request is answered `answer`. Calls: 1 the chunk
 * (refused), 2-4 the probes u0, u500, u999 (accepted), 5 the rest (997 ids) refused, 6 [u1-u499]
 * refused (record level), 7 [u501-u998].
 */
const sendChunkOf1000AnsweringCall7 = (answer: SendResult) => sendChunk(1000, [3, 900], (call) => (call === 7 ? answer : undefined));

/** The split of sendChunkOf1000AnsweringCall7 ended at its 7th request ([u501-u998], left `call7`): [u1-u499] is not split further. */
function expectSplitEndedAtCall7(sent: Sent, call7: PartOutcome): void {
	expectSplitEndedAs(sent, 6, [
		['accepted', 'u0', 1],
		['refused', 'u1', 499],
		['accepted', 'u500', 1],
		[call7, 'u501', 498],
		['accepted', 'u999', 1],
	]);
}

/** The bad records end refused one by one, found by probing or splitting; everything else accepted. */
async function isolate(n: number, bad: number[]): Promise<Sent> {
	const sent = await sendChunk(n, bad);
	const { request, api, outcome } = sent;
	expectEveryMemberOnce(outcome, request);
	expect(sortIds(idsOf(outcome.parts, 'refused'))).toEqual(ids(...[...bad].sort((a, b) => a - b)));
	expect(idsOf(outcome.parts, 'accepted')).toHaveLength(n - bad.length);
	for (const part of outcome.parts.filter((p) => p.outcome === 'refused')) {
		expect(part.request.members).toHaveLength(1);
		if (part.outcome === 'refused') expect(part.message).toBe(GENERIC);
	}
	expect(outcome.requestWide).toBe(false);
	// The chunk, then its probes alone: the first, middle and last ids (every id of a chunk of 3 or fewer).
	const probes = probePositions(n);
	expect(sentIds(api).slice(0, 1 + probes.length)).toEqual([ids(...range(0, n - 1)), ...probes.map((i) => ids(i))]);
	// Then the rest of the chunk, once, whole.
	if (n > PROBES) expect(sentIds(api)[1 + PROBES]).toEqual(ids(...restAfterProbes(n)));
	else expect(api.sent).toHaveLength(1 + n);
	expect(outcome.extraRequests).toBe(api.sent.length - 1);
	expect(outcome.extraRequests).toBeLessThanOrEqual(splitRetryBound(n, bad.length));
	return sent;
}

/** One test per [n, bad] row, titled `title`, each isolating the bad records of a chunk of n ids (see isolate). */
function itIsolatesEach(title: string, rows: [n: number, bad: number[]][]): void {
	it.each(rows)(title, async (n, bad) => {
		await isolate(n, bad);
	});
}

describe('sendWithSplitRetry: a generic refusal is probed, then bisected until only the bad records fail', () => {
	it('accepted at once: one part, no extra request', async () => {
		expectAnsweredAtOnce(await sendChunk(10_000, []), { outcome: 'accepted', token: 'token-1' });
	});

	it('the order of the requests: the chunk, its first, middle and last ids alone, the rest, then halves level by level', async () => {
		const sent = await sendChunk(8, [5]);
		expect(sentIds(sent.api)).toEqual([
			ids(0, 1, 2, 3, 4, 5, 6, 7),
			ids(0),
			ids(4),
			ids(7),
			ids(1, 2, 3, 5, 6),
			ids(1, 2, 3),
			ids(5, 6),
			ids(5),
			ids(6),
		]);
		expectSplitEndedAs(sent, 8, [
			// The first probe and the first half of the rest, accepted.
			['accepted', 'u0', 1], ['accepted', 'u1', 3],
			// The middle probe, then the second half of the rest split in two: u5 (bad) refused, u6 accepted.
			['accepted', 'u4', 1], ['refused', 'u5', 1], ['accepted', 'u6', 1],
			// The last probe.
			['accepted', 'u7', 1],
		]);
		expect(splitRetryBound(8, 1)).toBe(PROBES + 1 + 2 * 3);
		expect(sent.outcome.extraRequests).toBeLessThanOrEqual(splitRetryBound(8, 1));
	});

	it('bad ids at positions 7 and 6,000 of a 10,000-id chunk', async () => {
		const { outcome } = await isolate(10_000, [7, 6000]);
		// Three probes and the rest, then each of the two isolated on its own path of halvings: 2 requests per level, 14 levels at most.
		expect(outcome.extraRequests).toBeLessThanOrEqual(PROBES + 1 + 2 * 2 * 14);
		expect(outcome.parts.filter((part) => part.outcome === 'accepted').every((part) => part.outcome === 'accepted' && part.token)).toBe(true);
	});

	it.each([
		['3 adjacent bad ids (100, 101, 102)', [100, 101, 102]],
		['3 adjacent bad ids around the probed middle (4999, 5000, 5001)', [4999, 5000, 5001]],
		['bad records in both halves', [10, 4999, 5000, 9999]],
	])('%s', async (_scenario, bad) => {
		await isolate(10_000, bad);
	});

	it('a single bad id costs the probes, the rest, then at most 2 requests per level', async () => {
		const { outcome } = await isolate(10_000, [4242]);
		expect(splitRetryBound(10_000, 1)).toBe(PROBES + 1 + 2 * Math.ceil(Math.log2(10_000)));
		expect(splitRetryBound(10_000, 1)).toBe(32);
		expect(outcome.extraRequests).toBeLessThanOrEqual(splitRetryBound(10_000, 1));
	});

	it('a single bad id among the probes: found by its probe, the rest accepted at once', async () => {
		const { outcome, api } = await isolate(10_000, [5000]);
		expect(api.sent[1 + PROBES].members).toHaveLength(10_000 - PROBES);
		expectProbesAndRestOf10_000(outcome, { u0: 'accepted', rest: 'accepted', u5000: 'refused', u9999: 'accepted' });
	});

	itIsolatesEach('%i ids, bad %j', [
		[2, [0]],
		[2, [1]],
		[3, [2]],
		[3, [0, 2]],
		[4, [1]],
		[5, [1, 3]],
		[25, [3, 20]],
		[1000, [0, 999]],
	]);

	it('a chunk of 3 ids or fewer is probed id by id: as many extra requests as ids, no more', async () => {
		for (const [n, bad] of [
			[2, [0]],
			[3, [1]],
			[3, [0, 1]],
		] as const) {
			const { outcome } = await isolate(n, [...bad]);
			expect(outcome.extraRequests).toBe(n);
			expect(splitRetryBound(n, bad.length)).toBe(n);
		}
	});

	it('duplicates collapsed into a member follow it into its part', async () => {
		// Items 0-5 give ids a, b, a, c, d, c: 4 members, 6 items; "c" is bad.
		const itemIds = ['a', 'b', 'a', 'c', 'd', 'c'];
		const members = ['a', 'b', 'c', 'd'].map((id) => ({ id, action: 'add' as const }));
		const request: PlannedRequest = { operation: 'update', audience: 'vip', members, itemIndexes: [0, 1, 2, 3, 4, 5], added: 4, removed: 0, duplicatesCollapsed: 2 };
		const sent: PlannedRequest[] = [];
		const send = async (part: PlannedRequest): Promise<SendResult> => {
			sent.push(part);
			return part.members.some((m) => m.id === 'c') ? { outcome: 'refused', message: GENERIC, error: new Error(GENERIC), recordLevel: true } : { outcome: 'accepted', token: 't' };
		};
		const outcome = await sendWithSplitRetry(request, send, (i) => itemIds[i]);
		// Probes: a (first), c (middle: position 2 of 4), d (last); then the rest, b.
		expect(sent.map((part) => part.members.map((m) => m.id))).toEqual([['a', 'b', 'c', 'd'], ['a'], ['c'], ['d'], ['b']]);
		const described = outcome.parts
			.map((part) => [part.outcome, part.request.members.map((m) => m.id), part.request.itemIndexes, part.request.duplicatesCollapsed] as const)
			.sort((x, y) => x[1][0].localeCompare(y[1][0]));
		expect(described).toEqual([
			['accepted', ['a'], [0, 2], 1],
			['accepted', ['b'], [1], 0],
			['refused', ['c'], [3, 5], 1],
			['accepted', ['d'], [4], 0],
		]);
		const items = outcome.parts.flatMap((part) => part.request.itemIndexes).sort((a, b) => a - b);
		expect(items).toEqual([0, 1, 2, 3, 4, 5]);
		expect(outcome.extraRequests).toBe(4);
		expect(outcome.extraRequests).toBeLessThanOrEqual(splitRetryBound(4, 1));
	});

	it('a one-member request that is refused is not split', async () => {
		expectAnsweredAtOnce(await sendChunk(1, [0]), { outcome: 'refused', message: GENERIC, error: expect.any(Error), recordLevel: true });
	});
});

describe('sendWithSplitRetry: a refusal of the request itself', () => {
	it(`every id of 10,000 refused: the ${PROBES} probes and the rest are refused, so it is reported request-wide after ${PROBES + 1} extra requests`, async () => {
		const n = 10_000;
		const sent = await sendChunk(n, range(0, n - 1));
		expect(splitRetryBound(n, n)).toBe(PROBES + 1);
		expect(sent.outcome.extraRequests).toBe(4);
		expectReportedRequestWide(sent, n);
		expect(sentIds(sent.api).slice(1)).toEqual(PROBES_THEN_REST_OF_10_000);
		// The three probes alone, and the rest sent once (never split), each refused with its own answer.
		expectProbesAndRestOf10_000(sent.outcome, { u0: 'refused', rest: 'refused', u5000: 'refused', u9999: 'refused' });
		for (const part of sent.outcome.parts) {
			expect(part.outcome).toBe('refused');
			if (part.outcome === 'refused') {
				expect(part.message).toBe(GENERIC);
				expect(part.recordLevel).toBe(true);
			}
		}
	});

	it.each([2, 3, 4, 5, 7, 8, 9, 16, 100])('every id of %i refused: splitRetryBound(n, n) extra requests, reported request-wide', async (n) => {
		const sent = await sendChunk(n, range(0, n - 1));
		// Chunks of 3 ids or fewer: each id alone, no rest. Larger chunks: the three probes, then the rest once.
		expect(splitRetryBound(n, n)).toBe(n <= PROBES ? n : PROBES + 1);
		expectReportedRequestWide(sent, n);
	});

	it('the rest, refused after the three refused probes, is reported with its own refusal, not the chunk\'s', async () => {
		const n = 100;
		const restError = new Error('Batch answered 400: the rest is refused [MALFORMED_PARAMETER]');
		const restRefusal: SendResult = { outcome: 'refused', message: restError.message, error: restError, recordLevel: true };
		// Calls: 1 the chunk, 2-4 the probes u0, u50, u99 (refused), 5 the rest (97 ids) refused with its own message.
		const sent = await sendChunk(n, range(0, n - 1), (call) => (call === 5 ? restRefusal : undefined));
		const { outcome } = sent;
		expect(sentIds(sent.api)).toEqual([ids(...range(0, 99)), ids(0), ids(50), ids(99), ids(...range(1, 98).filter((i) => i !== 50))]);
		expectReportedRequestWide(sent, n);
		expect(outcome.extraRequests).toBe(PROBES + 1);
		expect(summaryOf(outcome)).toEqual([
			['refused', 'u0', 1],
			['refused', 'u1', 97],
			['refused', 'u50', 1],
			['refused', 'u99', 1],
		]);
		for (const part of outcome.parts.filter((p) => p.request.members.length === 1)) expect(part).toMatchObject({ outcome: 'refused', message: GENERIC, recordLevel: true });
		expect(outcome.parts.find((part) => part.request.members.length === 97)).toMatchObject({ outcome: 'refused', message: restError.message, error: restError, recordLevel: true });
	});

	describe('the documented limit: request-wide is concluded only when the three probed ids (first, middle, last) and the rest are all refused', () => {
		it('bad ids at the first, middle and last positions of 10,000 and one more in the rest: reported request-wide, the good ids with them', async () => {
			const sent = await sendChunk(10_000, [0, 42, 5000, 9999]);
			expectReportedRequestWide(sent, 4);
			expect(sentIds(sent.api).slice(1)).toEqual(PROBES_THEN_REST_OF_10_000);
			expectProbesAndRestOf10_000(sent.outcome, { u0: 'refused', rest: 'refused', u5000: 'refused', u9999: 'refused' });
		});

		it('bad ids only at the first, middle and last positions of 10,000: the rest is delivered, exactly those 3 refused, 4 extra requests', async () => {
			const n = 10_000;
			const { outcome, api } = await isolate(n, [0, 5000, 9999]);
			expect(sentIds(api)).toEqual([ids(...range(0, n - 1)), ...PROBES_THEN_REST_OF_10_000]);
			expectProbesAndRestOf10_000(outcome, { u0: 'refused', rest: 'accepted', u5000: 'refused', u9999: 'refused' });
		});

		it.each([
			[4, [0, 2, 3]],
			[5, [0, 2, 4]],
			[25, [0, 12, 24]],
		])('%i ids, bad %j (first, middle, last only): the rest is delivered, those 3 refused, 4 extra requests', async (n, bad) => {
			const { outcome, api } = await isolate(n, bad);
			expect(outcome.extraRequests).toBe(PROBES + 1);
			expect(api.sent).toHaveLength(1 + PROBES + 1);
			expect(idsOf(outcome.parts, 'accepted')).toEqual(ids(...range(0, n - 1).filter((i) => !bad.includes(i))));
		});

		it.each([
			[4, [0, 1, 2, 3]],
			[5, [0, 1, 2, 4]],
			[5, [0, 2, 3, 4]],
			[25, [0, 5, 12, 24]],
			[25, [0, 12, 23, 24]],
		])('%i ids, bad %j (first, middle, last and one more in the rest): reported request-wide', async (n, bad) => {
			const sent = await sendChunk(n, bad);
			expectReportedRequestWide(sent, bad.length);
			expect(sent.outcome.extraRequests).toBe(PROBES + 1);
		});

		itIsolatesEach('%i ids, bad %j (at most two of the three probed positions): isolated correctly', [
			[10_000, [0, 5000]],
			[10_000, [0, 9999]],
			[10_000, [5000, 9999]],
			[10_000, [1, 5000, 9999]],
			[10_000, [0, 4999, 9999]],
			[4, [0, 2]],
			[4, [2, 3]],
			[25, [0, 24]],
			[25, [12, 24]],
		]);

		it('bad ids at two probed positions only: the rest is accepted at once, 4 extra requests', async () => {
			const { outcome } = await isolate(10_000, [0, 9999]);
			expectProbesAndRestOf10_000(outcome, { u0: 'refused', rest: 'accepted', u5000: 'accepted', u9999: 'refused' });
		});
	});
});

describe(`sendWithSplitRetry: at most ${MAX_EXTRA_REQUESTS_PER_CHUNK} extra requests per chunk`, () => {
	it('50 bad records among 10,000: the split stops before the cap, the parts still refused are reported with a note', async () => {
		const n = 10_000;
		// Every 100th id of the first half is bad (u0, a probe, among them); the middle and last probes
		// and the second half of the rest are accepted at once (so it is not request-wide).
		const bad = Array.from({ length: 50 }, (_, i) => i * 100);
		const { request, api, outcome } = await sendChunk(n, bad);

		expect(splitRetryBound(n, bad.length)).toBe(MAX_EXTRA_REQUESTS_PER_CHUNK);
		expect(outcome.extraRequests).toBeLessThanOrEqual(splitRetryBound(n, bad.length));
		expect(outcome.extraRequests).toBe(api.sent.length - 1);
		expect(outcome.requestWide).toBe(false);
		expectEveryMemberOnce(outcome, request);

		// Every bad id is in a refused part, no accepted part holds one, and the second half was accepted.
		const refused = new Set(idsOf(outcome.parts, 'refused'));
		expect(ids(...bad).filter((id) => !refused.has(id))).toEqual([]);
		const accepted = new Set(idsOf(outcome.parts, 'accepted'));
		expect(ids(...bad).filter((id) => accepted.has(id))).toEqual([]);
		expect(Array.from({ length: 5000 }, (_, i) => `u${5000 + i}`).filter((id) => !accepted.has(id))).toEqual([]);
		// Good ids are still refused along with the bad ones: the cap stopped the split.
		expect(refused.size).toBeGreaterThan(bad.length);
		const multi = outcome.parts.filter((part) => part.outcome === 'refused' && part.request.members.length > 1);
		expect(multi.length).toBeGreaterThan(0);
		for (const part of multi) {
			if (part.outcome === 'refused') {
				expect(part.message).toBe(`${GENERIC} (not split further: at most ${MAX_EXTRA_REQUESTS_PER_CHUNK} extra requests per chunk)`);
			}
		}
		// A single refused id (u0, found by its probe) is never given the note.
		const singles = outcome.parts.filter((p) => p.outcome === 'refused' && p.request.members.length === 1);
		expect(singles.map((part) => part.request.members[0].id)).toContain('u0');
		for (const part of singles) {
			if (part.outcome === 'refused') expect(part.message).toBe(GENERIC);
		}
	});

	it('the bound itself never exceeds the cap', () => {
		for (const [n, k] of [
			[10_000, 1],
			[10_000, 7],
			[10_000, 8],
			[10_000, 1000],
			[10_000, 9999],
			[10_000, 10_000],
			[2, 1],
			[2, 2],
			[1, 1],
		]) {
			expect(splitRetryBound(n, k)).toBeLessThanOrEqual(MAX_EXTRA_REQUESTS_PER_CHUNK);
			expect(splitRetryBound(n, k)).toBeGreaterThanOrEqual(0);
		}
		const expectedBounds: [n: number, badCount: number, bound: number][] = [
			// Chunks of 3 ids or fewer: one probe per id.
			[1, 1, 1],
			[2, 1, 2],
			[2, 2, 2],
			[3, 1, 3],
			[3, 3, 3],
			// Every id refused: the three probes and the rest.
			[4, 4, PROBES + 1],
			[4, 4, 4],
			[10_000, 10_000, PROBES + 1],
			[10_000, 10_000, 4],
			// Otherwise PROBES + 1 + 2·k·⌈log2 n⌉, capped.
			[4, 1, 3 + 1 + 2 * 1 * 2],
			[4, 3, 3 + 1 + 2 * 3 * 2],
			[25, 2, 3 + 1 + 2 * 2 * 5],
			[10_000, 3, 3 + 1 + 2 * 3 * 14],
			[10_000, 7, 3 + 1 + 2 * 7 * 14],
			[10_000, 8, MAX_EXTRA_REQUESTS_PER_CHUNK],
			[10_000, 9999, MAX_EXTRA_REQUESTS_PER_CHUNK],
		];
		for (const [n, badCount, bound] of expectedBounds) expect(splitRetryBound(n, badCount)).toBe(bound);
	});
});

describe('sendWithSplitRetry: a failure that is not a refusal ends the split', () => {
	const unknownError = new Error('Batch did not answer after 2 attempt(s)');
	const unknown: SendResult = { outcome: 'unknown', message: unknownError.message, error: unknownError };

	it("an 'unknown' answer mid-split: the halves not yet sent are notSent, refused stay refused, accepted stay accepted", async () => {
		const n = 10_000;
		// Calls: 1 the chunk, 2-4 the probes u0, u5000, u9999 (accepted), 5 the rest (9,997 ids) refused,
		// 6 [u1-u4999] refused, 7 [u5001-u9998] refused, 8 [u1-u2500] refused, 9 [u2501-u4999] accepted,
		// 10 [u5001-u7499] unknown; [u7500-u9998] is then not sent, and [u1-u2500] is not split further.
		const sent = await sendChunk(n, [7, 6000], (call) => (call === 10 ? unknown : undefined));
		const { outcome } = sent;

		expectSplitEndedAs(sent, 9, [
			// The first probe, then the first half of the rest: [u1-u2500] refused, [u2501-u4999] accepted.
			['accepted', 'u0', 1], ['refused', 'u1', 2500], ['accepted', 'u2501', 2499],
			// The middle probe, then the second half of the rest: [u5001-u7499] unknown, [u7500-u9998] not sent.
			['accepted', 'u5000', 1], ['unknown', 'u5001', 2499], ['notSent', 'u7500', 2499],
			// The last probe.
			['accepted', 'u9999', 1],
		]);
		expect(outcome.extraRequests).toBeLessThanOrEqual(splitRetryBound(n, 2));
		const notSent = outcome.parts.find((part) => part.outcome === 'notSent');
		// The part not sent carries the failure that stopped the split.
		expect(notSent).toMatchObject({ message: unknownError.message, error: unknownError });
		const refused = outcome.parts.find((part) => part.outcome === 'refused');
		// Not split further because of the failure, not the cap: no note.
		expect(refused).toMatchObject({ message: GENERIC });
		// u7 (bad) is still among the refused, u6000 (bad) in the part whose outcome is unknown: neither is called accepted.
		expect(idsOf(outcome.parts, 'accepted')).not.toContain('u7');
		expect(idsOf(outcome.parts, 'accepted')).not.toContain('u6000');
	});

	it("an 'unknown' answer to a probe: the probe refused before it stays refused, the other probe and the rest are notSent", async () => {
		// Calls: 1 the chunk, 2 u0 (refused), 3 u50 unknown; u99 and the rest are then not sent.
		const sent = await sendChunk(100, [0, 7], (call) => (call === 3 ? unknown : undefined));
		expectSplitEndedAtMiddleProbe(sent, 'unknown', { message: unknownError.message, error: unknownError });
		expect(idsOf(sent.outcome.parts, 'accepted')).toEqual([]);
	});

	it("an 'unknown' answer at the deepest level: the single id isolated before it stays refused, its sibling is not sent", async () => {
		const n = 64;
		// Bad 1 and 39, both in the rest (61 ids after the probes u0, u32, u63), on paths of the same
		// depth. At the last level u1 is sent (refused), then u2 (accepted), then u39 (unknown); u40,
		// its sibling, is then not sent.
		const isLoneU39 = (part: PlannedRequest) => part.members.length === 1 && part.members[0].id === 'u39';
		const { request, api, outcome } = await sendChunk(n, [1, 39], (_call, part) => (isLoneU39(part) ? unknown : undefined));
		expectEveryMemberOnce(outcome, request);
		expect(outcome.requestWide).toBe(false);
		// 3 probes, the rest, then 2, 4, 4, 4, 4 requests, and 3 at the last level.
		expect(outcome.extraRequests).toBe(25);
		expect(outcome.extraRequests).toBe(api.sent.length - 1);
		expect(outcome.extraRequests).toBeLessThanOrEqual(splitRetryBound(n, 2));
		// Nothing sent after the unknown answer.
		expect(isLoneU39(api.sent[api.sent.length - 1])).toBe(true);
		const single = (id: string) => outcome.parts.find((part) => part.request.members.length === 1 && part.request.members[0].id === id)?.outcome;
		expect(single('u1')).toBe('refused');
		expect(single('u2')).toBe('accepted');
		expect(single('u39')).toBe('unknown');
		expect(single('u40')).toBe('notSent');
		expect(idsOf(outcome.parts, 'refused')).toEqual(['u1']);
		expect(idsOf(outcome.parts, 'unknown')).toEqual(['u39']);
		expect(idsOf(outcome.parts, 'notSent')).toEqual(['u40']);
		expect(idsOf(outcome.parts, 'accepted')).toHaveLength(n - 3);
	});

	it.each(['unknown', 'notSent'] as const)('the first request answering %s: one part, nothing split', async (kind) => {
		const error = new Error('lost');
		const sent = await sendChunk(100, [1], () => ({ outcome: kind, message: 'lost', error }));
		expectAnsweredAtOnce(sent, { outcome: kind, message: 'lost', error });
	});

	it("a 'notSent' answer mid-split is not retried and ends the split like 'unknown'", async () => {
		const error = new Error('could not be reached');
		// The 7th request, [u501-u998], is not sent; [u1-u499] is not split further.
		const sent = await sendChunkOf1000AnsweringCall7({ outcome: 'notSent', message: error.message, error });
		expectSplitEndedAtCall7(sent, 'notSent');
		expect(sent.outcome.parts.find((part) => part.outcome === 'refused')).toMatchObject({ message: GENERIC });
	});
});

describe('sendWithSplitRetry: a refusal that is not about records (e.g. a 401) is never split', () => {
	const denied = new Error('Batch answered 401: invalid key [AUTHENTICATION_INVALID]');
	const notRecordLevel: SendResult = { outcome: 'refused', message: denied.message, error: denied, recordLevel: false };

	it('on the first request: one refused part, no extra request', async () => {
		expectAnsweredAtOnce(await sendChunk(10_000, [1], () => notRecordLevel), notRecordLevel);
	});

	it('mid-split: it ends the split like a failure; the halves not yet sent are notSent', async () => {
		// The 7th request, [u501-u998], is refused with a 401; [u1-u499] is not split further.
		const sent = await sendChunkOf1000AnsweringCall7(notRecordLevel);
		expectSplitEndedAtCall7(sent, 'refused');
		expect(sent.outcome.parts.find((part) => part.request.members[0].id === 'u1')).toMatchObject({ message: GENERIC, recordLevel: true });
		const denial = sent.outcome.parts.find((part) => part.request.members[0].id === 'u501');
		expect(denial).toMatchObject({ message: denied.message, recordLevel: false });
	});

	it('on a probe: the probes and the rest not yet sent are notSent, and it is not request-wide', async () => {
		// Calls: 1 the chunk (refused), 2 u0 refused (record level), 3 u500 refused with a 401.
		const sent = await sendChunk(1000, [0, 3, 900], (call) => (call === 3 ? notRecordLevel : undefined));
		expectSplitEndedAtMiddleProbe(sent, 'refused', { message: denied.message, error: denied });
		expect(sent.outcome.parts.find((part) => part.request.members[0].id === 'u0')).toMatchObject({ message: GENERIC, recordLevel: true });
		expect(sent.outcome.parts.find((part) => part.request.members[0].id === 'u500')).toMatchObject({ message: denied.message, recordLevel: false });
	});
});

describe('cutText', () => {
	it('keeps a text up to the bound as it is', () => {
		expect(cutText('')).toBe('');
		expect(cutText('short')).toBe('short');
		const exact = 'x'.repeat(MAX_API_TEXT_LENGTH);
		expect(cutText(exact)).toBe(exact);
	});

	it(`cuts a longer text to ${MAX_API_TEXT_LENGTH} characters and says how much was left out`, () => {
		const text = `Injected fault: oversized error body. ${'x'.repeat(2_097_152 - 38)}`;
		const cut = cutText(text);
		expect(cut.startsWith(text.slice(0, MAX_API_TEXT_LENGTH))).toBe(true);
		expect(cut).toBe(`${text.slice(0, MAX_API_TEXT_LENGTH)}… (${(text.length - MAX_API_TEXT_LENGTH).toLocaleString('en-US')} more characters cut)`);
		expect(cut).toContain('(2,096,652 more characters cut)');
		expect(cut.length).toBeLessThan(MAX_API_TEXT_LENGTH + 50);
	});

	it('one character over the bound', () => {
		expect(cutText('x'.repeat(MAX_API_TEXT_LENGTH + 1))).toBe(`${'x'.repeat(MAX_API_TEXT_LENGTH)}… (1 more characters cut)`);
	});

	it('takes another bound', () => {
		expect(cutText('abcdef', 3)).toBe('abc… (3 more characters cut)');
		expect(cutText('abc', 3)).toBe('abc');
		expect(cutText('abcd', 0)).toBe('… (4 more characters cut)');
	});
});
