import {
	collectMembers,
	decodeSnapshot,
	encodeSnapshot,
	memberFingerprint,
	NO_ITEM,
	recordAccepted,
	selectChanges,
	trackedMemberCount,
	type AudienceMembers,
	type MemberInput,
	type PlannedRequest,
	type TrackedMembers,
} from '../../nodes/Audience/engine';

const input = (id: string, plan: string, itemIndex: number, action = 'add'): MemberInput => ({
	itemIndex,
	audience: 'a',
	id,
	action,
	attributes: action === 'add' ? { plan } : undefined,
});
const collect = (inputs: MemberInput[]): AudienceMembers => collectMembers(inputs, { mode: 'update' }).audiences[0];
const tracking = (members: AudienceMembers): TrackedMembers => new Map(members.members.map((member) => [member.id, memberFingerprint(member)]));
const accepted = (members: AudienceMembers): PlannedRequest[] => [
	{ operation: 'update', audience: 'a', members: members.members, itemIndexes: [], added: 0, removed: 0, duplicatesCollapsed: 0 },
];

describe('memberFingerprint', () => {
	it('is the same for the same action, attributes (in any order) and tags; differs otherwise; ignores the id', () => {
		const base = memberFingerprint({ id: 'x', action: 'add', attributes: { plan: 'pro', score: 3 } });
		expect(memberFingerprint({ id: 'y', action: 'add', attributes: { score: 3, plan: 'pro' } })).toBe(base);
		expect(memberFingerprint({ id: 'x', attributes: { plan: 'pro', score: 3 } })).toBe(base);
		expect(memberFingerprint({ id: 'x', action: 'add', attributes: { plan: 'pro', score: '3' } })).not.toBe(base);
		expect(memberFingerprint({ id: 'x', action: 'add', attributes: { plan: 'pro', score: 3 }, tags: ['vip'] })).not.toBe(base);
		expect(memberFingerprint({ id: 'x', action: 'remove' })).not.toBe(memberFingerprint({ id: 'x', action: 'add' }));
		expect(Number.isSafeInteger(base) && base >= 0 && base < 2 ** 48).toBe(true);
	});

	it('gives 100,000 distinct attribute values 100,000 distinct fingerprints', () => {
		const seen = new Set(Array.from({ length: 100_000 }, (_, i) => memberFingerprint({ id: 'x', action: 'add', attributes: { n: i } })));
		expect(seen.size).toBe(100_000);
	});
});

describe('snapshots', () => {
	it('give back exactly the tracked members: numeric, email, UUID and non-ASCII ids, shared prefixes', async () => {
		const members: TrackedMembers = new Map([
			['1000001', 1],
			['1000002', 2 ** 48 - 1],
			['10000', 0],
			['anna.smith@example.com', 123_456_789],
			['anna.smithson@example.com', 42],
			['0f8fad5b-d9cb-469f-a165-70867728950e', 7],
			['zoë@exämple.fr', 8],
			['用户-1', 9],
			['', 10],
		]);
		const back = await decodeSnapshot(await encodeSnapshot(members));
		expect([...back.entries()].sort()).toEqual([...members.entries()].sort());
	});

	it('round-trip an empty state and 50,000 members', async () => {
		expect((await decodeSnapshot(await encodeSnapshot(new Map()))).size).toBe(0);
		const members: TrackedMembers = new Map(Array.from({ length: 50_000 }, (_, i) => [`user_${i}`, (i * 2_654_435_761) % 2 ** 48]));
		const text = await encodeSnapshot(members);
		expect(text).toMatch(/^[A-Za-z0-9+/]+=*$/);
		expect(await decodeSnapshot(text)).toEqual(members);
	});

	it('refuse a damaged snapshot instead of reading wrong members', async () => {
		const text = await encodeSnapshot(new Map([['a', 1]]));
		await expect(decodeSnapshot(text.slice(0, 12))).rejects.toThrow();
	});
});

describe('selectChanges', () => {
	const before = collect([input('u1', 'free', 0), input('u2', 'free', 1), input('u3', 'free', 2)]);

	it('sends only new and changed members; collapsed duplicates go with their member', () => {
		const now = collect([input('u1', 'free', 0), input('u2', 'pro', 1), input('u4', 'free', 2), input('u4', 'free', 3)]);
		const changes = selectChanges(now, tracking(before), 'changes');
		expect(changes.toSend.members.map((member) => member.id)).toEqual(['u2', 'u4']);
		expect(changes.toSend.firstIndexes).toEqual([1, 2]);
		expect(changes.toSend.collapsedIndexes).toEqual(new Map([[1, [3]]]));
		expect(changes).toMatchObject({ newItems: [2, 3], changedItems: [1], unchangedItems: [0], removed: 0 });
	});

	it('Mirror also removes the tracked members missing from the input, with no item', () => {
		const now = collect([input('u1', 'free', 0)]);
		const changes = selectChanges(now, tracking(before), 'mirror');
		expect(changes.toSend.members).toEqual([
			{ id: 'u2', action: 'remove' },
			{ id: 'u3', action: 'remove' },
		]);
		expect(changes.toSend.firstIndexes).toEqual([NO_ITEM, NO_ITEM]);
		expect(changes.removed).toBe(2);
	});

	it('a removal sent before is not sent again; the member added again is new', () => {
		const tracked = tracking(before);
		recordAccepted(tracked, accepted(collect([input('u2', '', 0, 'remove')])), 'changes');
		expect(trackedMemberCount(tracked)).toBe(2);
		const again = selectChanges(collect([input('u2', '', 0, 'remove')]), tracked, 'changes');
		expect(again.toSend.members).toEqual([]);
		expect(again.unchangedItems).toEqual([0]);
		expect(selectChanges(collect([input('u2', 'free', 0)]), tracked, 'changes').newItems).toEqual([0]);
		// Mirror does not remove a member whose removal is already tracked.
		expect(selectChanges(collect([input('u1', 'free', 0)]), tracked, 'mirror').toSend.members).toEqual([{ id: 'u3', action: 'remove' }]);
	});
});

describe('recordAccepted', () => {
	it('keeps added members with their fingerprint, forgets Mirror removals, leaves what was not accepted', () => {
		const tracked = tracking(collect([input('u1', 'free', 0), input('u2', 'free', 1)]));
		const changed = collect([input('u1', 'pro', 0)]);
		recordAccepted(tracked, [...accepted(changed), { ...accepted(changed)[0], members: [{ id: 'u2', action: 'remove' }] }], 'mirror');
		expect([...tracked.keys()]).toEqual(['u1']);
		expect(tracked.get('u1')).toBe(memberFingerprint(changed.members[0]));
	});
});
