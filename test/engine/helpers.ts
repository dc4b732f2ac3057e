import type { MemberInput } from '../../nodes/Audience/engine';

/** `count` inputs for one audience, ids `u0`, `u1`, … and item indexes from `firstIndex`. */
export function members(count: number, audience = 'vip', firstIndex = 0): MemberInput[] {
	const inputs: MemberInput[] = new Array(count);
	for (let i = 0; i < count; i++) {
		inputs[i] = { itemIndex: firstIndex + i, audience, id: `u${i}`, action: 'add' };
	}
	return inputs;
}
