/** Deterministic PRNG (mulberry32): the same seed gives the same sequence of numbers in [0, 1). */
export function createRandom(seed: number): () => number {
	let state = seed >>> 0;
	return () => {
		state = (state + 0x6d2b79f5) >>> 0;
		let t = state;
		t = Math.imul(t ^ (t >>> 15), t | 1);
		t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
		return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
	};
}

/** 32 lowercase hex characters, like Batch's indexing tokens. */
export function randomHexToken(random: () => number): string {
	let token = '';
	for (let i = 0; i < 4; i++) {
		token += Math.floor(random() * 4294967296)
			.toString(16)
			.padStart(8, '0');
	}
	return token;
}
