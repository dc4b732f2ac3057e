/**
 * Finding the nodes in n8n's node search (nodes panel), as n8n 2.40.7's editor does it: the query,
 * without a last word that starts "trigger", is matched fuzzily (its letters in order) against each
 * node's display name and its codex aliases (the `alias` of <Node>.node.json), nothing else. The
 * trigger is shown inside the Audience entry (same name + "Trigger"), so the Audience node's aliases
 * are the ones searched; inside the entry, the actions are matched by their `action` text.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { INodePropertyOptions } from 'n8n-workflow';
import { Audience } from '../../nodes/Audience/Audience.node';
import { AudienceTrigger } from '../../nodes/AudienceTrigger/AudienceTrigger.node';

interface Codex {
	node: string;
	alias?: string[];
}

const codexOf = (file: string) => JSON.parse(readFileSync(path.join(__dirname, '../../nodes', file), 'utf8')) as Codex;
const audienceCodex = codexOf('Audience/Audience.node.json');
const triggerCodex = codexOf('AudienceTrigger/AudienceTrigger.node.json');

/** n8n's query clean-up: a last word that starts "trigger" is dropped ("audience trig" → "audience"). */
function searchText(query: string): string {
	const words = query.split(' ');
	const last = words[words.length - 1].toLowerCase();
	return (words.length > 1 && 'trigger'.startsWith(last) ? words.slice(0, -1).filter(Boolean).join(' ').trimEnd() : query).toLowerCase();
}

/** n8n's first test before scoring: every letter of the query, in order, in the text. */
const lettersInOrder = (query: string, text: string) => {
	let i = 0;
	for (const char of text.toLowerCase()) if (char === query[i]) i++;
	return query.length > 0 && i === query.length;
};

/** The names n8n searches for a node: its display name and its aliases. */
const searchedNames = (displayName: string, codex: Codex) => [displayName, ...(codex.alias ?? [])];

const MARKETER_QUERIES = ['check indexing', 'indexing', 'update audience', 'segment', 'contacts', 'list', 'sync', 'CRM', 'Batch.com', 'CommBox', 'audience'];

describe('node search: the Audience entry', () => {
	const audience = new Audience().description;
	const trigger = new AudienceTrigger().description;

	it('the codex files name the node types n8n registers', () => {
		expect(audienceCodex.node).toBe(`n8n-nodes-audience-sync.${audience.name}`);
		expect(triggerCodex.node).toBe(`n8n-nodes-audience-sync.${trigger.name}`);
	});

	it('the trigger is shown inside the Audience entry (its name without "Trigger" is the Audience node\'s)', () => {
		expect(trigger.name.replace('Trigger', '')).toBe(audience.name);
	});

	it.each(MARKETER_QUERIES)('"%s" is found, word for word, in a name n8n searches', (query) => {
		const names = searchedNames(audience.displayName, audienceCodex).map((name) => name.toLowerCase());
		expect(names.some((name) => name.includes(searchText(query)))).toBe(true);
		expect(names.some((name) => lettersInOrder(searchText(query), name))).toBe(true);
	});

	it.each(MARKETER_QUERIES.filter((query) => query !== 'CommBox'))('the trigger alone would be found by "%s" too', (query) => {
		const names = searchedNames(trigger.displayName, triggerCodex).map((name) => name.toLowerCase());
		expect(names.some((name) => name.includes(searchText(query)))).toBe(true);
	});

	it('"audience trig" searches "audience"', () => {
		expect(searchText('audience trig')).toBe('audience');
	});

	it('every operation has an action text (what the entry lists and its search matches); "check indexing" finds both Check Indexing actions', () => {
		const actions = audience.properties
			.filter((property) => property.name === 'operation')
			.flatMap((property) => (property.options as INodePropertyOptions[]).map((option) => ({ value: option.value, action: option.action })));
		expect(actions.filter((entry) => !entry.action)).toEqual([]);
		const checkIndexing = actions.filter((entry) => lettersInOrder('check indexing', String(entry.action)));
		expect(checkIndexing.map((entry) => entry.value)).toEqual(['checkIndexing', 'checkIndexing']);
	});
});
