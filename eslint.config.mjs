// @ts-check
/**
 * `npm run lint` lints the sources (nodes/, credentials/, package.json) and the built dist/**\/*.js
 * the way n8n's package scanner (@n8n/scan-community-package) does: n8n's official rules
 * (@n8n/eslint-plugin-community-nodes, `recommended`) plus no-console everywhere, and
 * eslint-plugin-n8n-nodes-base's community, credentials and nodes rule sets on the sources.
 */
import { n8nCommunityNodesPlugin } from '@n8n/eslint-plugin-community-nodes';
import tsParser from '@typescript-eslint/parser';
import n8nNodesBase from 'eslint-plugin-n8n-nodes-base';

export default [
	// From dist/, only the compiled JavaScript, as the scanner lints the published tarball.
	{ ignores: ['dist/**/*.ts', 'dist/**/*.json'] },
	n8nCommunityNodesPlugin.configs.recommended,
	{ rules: { 'no-console': 'error' } },
	{
		files: ['**/*.ts', '**/*.json'],
		languageOptions: { parser: tsParser },
	},
	{ plugins: { 'n8n-nodes-base': n8nNodesBase } },
	{
		files: ['package.json'],
		rules: n8nNodesBase.configs.community.rules,
	},
	{
		files: ['credentials/**/*.ts'],
		rules: {
			...n8nNodesBase.configs.credentials.rules,
			// The rule's own description: "only applicable to nodes in the main repository".
			'n8n-nodes-base/cred-class-field-documentation-url-miscased': 'off',
			// It wants every field named like a key masked; the official credential-password-field and
			// credential-unnecessary-password rules judge this better (a project key is an identifier).
			'n8n-nodes-base/cred-class-field-type-options-password-missing': 'off',
		},
	},
	{
		files: ['nodes/**/*.ts'],
		rules: {
			...n8nNodesBase.configs.nodes.rules,
			// They expect the string 'main'; the official node-connection-type-literal rule wants
			// NodeConnectionTypes.Main instead.
			'n8n-nodes-base/node-class-description-inputs-wrong-regular-node': 'off',
			'n8n-nodes-base/node-class-description-outputs-wrong': 'off',
		},
	},
	{
		// What n8n installs with the package is only its own files: n8n's import rule accepts any
		// devDependency, so a library left unbundled in dist/ would pass it and fail in n8n.
		files: ['dist/**/*.js'],
		rules: {
			'no-restricted-syntax': [
				'error',
				{
					selector: "CallExpression[callee.name='require'][arguments.0.value!=/^(\\.{1,2}\\/|n8n-workflow$|crypto$)/]",
					message: 'dist/ may require only its own files, n8n-workflow and crypto: bundle the library (gulpfile.js).',
				},
			],
		},
	},
	{
		// Layering: the sync engine is pure TypeScript, unit-tested on its own.
		files: ['nodes/Audience/engine/**/*.ts'],
		rules: {
			'no-restricted-imports': [
				'error',
				{
					patterns: [
						{ regex: '^(n8n-|@n8n/)', message: 'The engine imports nothing from n8n.' },
						{
							regex: '(^|/)(transport|actions)(/|$)',
							message: 'The engine imports nothing from transport/ or actions/.',
						},
					],
				},
			],
		},
	},
];
