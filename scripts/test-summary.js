// Prints one closing line over the jest result files: "tests: N passed, N failed".
const { existsSync, readFileSync } = require('fs');

let passed = 0;
let failed = 0;
for (const file of process.argv.slice(2)) {
	if (!existsSync(file)) {
		console.error(`missing test results: ${file}`);
		failed++;
		continue;
	}
	const results = JSON.parse(readFileSync(file, 'utf8'));
	passed += results.numPassedTests;
	failed += results.numFailedTests + results.numRuntimeErrorTestSuites;
}
console.log(`tests: ${passed} passed, ${failed} failed`);
