/**
 * One jest project per test tier, each in its own folder under test/:
 * engine (the pure sync engine), sandbox (the local APIs over HTTP), node (the nodes run through
 * n8n-core against the sandbox), e2e (the built package in a real n8n), browser (the n8n editor
 * with the built package, driven in Chromium), scaleout (the built package in n8n's queue mode: a main
 * instance and workers on PostgreSQL and Redis).
 */
const tsJest = ['ts-jest', { tsconfig: 'tsconfig.test.json' }];
const tier = (name) => ({
	displayName: name,
	testEnvironment: 'node',
	transform: { '^.+\\.ts$': tsJest },
	testMatch: [`<rootDir>/test/${name}/**/*.test.ts`],
	globalSetup: '<rootDir>/test/globalSetup.js',
});

module.exports = {
	// A test's own timeout only guards against a hang: on a loaded 2-core machine jest's default 5 s is not enough.
	testTimeout: 60_000,
	modulePathIgnorePatterns: ['<rootDir>/dist/', '<rootDir>/.tmp/'],
	projects: ['engine', 'sandbox', 'node', 'e2e', 'browser', 'scaleout'].map(tier),
};
