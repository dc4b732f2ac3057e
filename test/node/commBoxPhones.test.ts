/**
 * CommBox phone numbers, run through n8n-core against the sandbox: every number reaches CommBox as
 * a full international number (digits with the country code, no +). A national number such as
 * 06 12 34 56 04 is converted with the Default Country option; without it, it is invalid and named,
 * never sent without its country code.
 */
import type { IDataObject, INodeParameters, INodeProperties } from 'n8n-workflow';
import { Audience } from '../../nodes/Audience/Audience.node';
import { describeInvalidItem } from '../../nodes/Audience/engine';
import { AUDIENCE, itemsWorkflow, runWorkflow, useSandbox, type WorkflowNode } from './harness';

const { sandbox, commBoxCredentials } = useSandbox();

const credentials = () => ({ commBoxApi: commBoxCredentials() });

function commBoxNode(operation: 'replaceStatic' | 'createStatic', parameters: IDataObject, extra: Partial<WorkflowNode> = {}): WorkflowNode {
	const target = operation === 'replaceStatic' ? { audience: { __rl: true, mode: 'id', value: '1001' } } : { name: 'Phones' };
	return {
		name: 'Audience',
		type: AUDIENCE,
		parameters: {
			resource: 'commBox',
			operation,
			...target,
			source: 'items',
			extraColumns: 'mapped',
			columns: { column: [{ name: 'name', value: '={{ $json.name }}' }] },
			...parameters,
		} as INodeParameters,
		...extra,
	};
}

const two = (n: number) => String(n).padStart(2, '0');
/** How the node names an invalid item in its errors ("Item N: …"). */
const named = (itemIndex: number, message: string) => describeInvalidItem({ itemIndex, message });
const NO_COUNTRY_CODE_5 = named(
	5,
	'phone "06 12 34 56 04" has no country code: for a number in France, write it as +33 6 12 34 56 04, or set the Default Country option',
);

/**
 * 50 contacts, phones in six formats, each contact its own number: `expected` is the phone1
 * CommBox must receive. The French national numbers (the first is 06 12 34 56 04, at index 5) need the
 * Default Country.
 */
const CONTACTS: Array<{ phone: string; name: string; expected: string; national: boolean }> = Array.from({ length: 50 }, (_, i) => {
	const n = two(i);
	const formats: Array<[string, string]> = [
		[`+33 6 11 22 33 ${n}`, `336112233${n}`],
		[`0033 6 22 33 44 ${n}`, `336223344${n}`],
		[`447400123${n.padStart(3, '0')}`, `447400123${n.padStart(3, '0')}`],
		[`+972-54-123-45${n}`, `9725412345${n}`],
		[`+1 (201) 555-01${n}`, `120155501${n}`],
		[i === 5 ? '06 12 34 56 04' : `06 44 55 66 ${n}`, i === 5 ? '33612345604' : `336445566${n}`],
	];
	const [phone, expected] = formats[i % 6];
	return { phone, name: `Contact ${i}`, expected, national: i % 6 === 5 };
});

const items = () => CONTACTS.map(({ phone, name }) => ({ phone, name }));

describe('CommBox phone numbers', () => {
	it('with Default Country France, 50 contacts in six formats all arrive as full international numbers, 06 12 34 56 04 as 33612345604', async () => {
		const run = await runWorkflow(itemsWorkflow(items(), [commBoxNode('replaceStatic', { options: { defaultCountry: 'FR' } })]), credentials());

		expect(run.status).toBe('success');
		const audience = sandbox.state().commBox.audiences['1001'];
		expect(audience.columns).toEqual(['phone1', 'name']);
		expect(audience.rows).toEqual(CONTACTS.map(({ expected, name }) => ({ phone1: expected, name })));
		expect(audience.rows[5]).toEqual({ phone1: '33612345604', name: 'Contact 5' });
		const lines = audience.lastUpload?.text?.split('\r\n');
		expect(lines?.[0]).toBe('phone1,name');
		expect(lines).toContain('33612345604,Contact 5');
		expect(lines?.slice(1).every((line) => /^[1-9][0-9]{7,14},Contact \d+$/.test(line))).toBe(true);
		const [summary] = run.nodes.Audience.outputs[0];
		expect(summary.json).toMatchObject({ rows: 50, invalid: 0, duplicatesCollapsed: 0 });
	});

	it('without a Default Country, 06 12 34 56 04 is invalid and named; nothing is sent', async () => {
		const run = await runWorkflow(itemsWorkflow(items(), [commBoxNode('replaceStatic', {})]), credentials());

		expect(run.status).toBe('error');
		const nationals = CONTACTS.filter((contact) => contact.national).length;
		expect(run.nodes.Audience.error?.message).toBe(`${NO_COUNTRY_CODE_5} (and ${nationals - 1} more invalid items). Nothing was sent.`);
		expect(sandbox.requests()).toEqual([]);
		expect(sandbox.state().commBox.audiences['1001'].rows).toEqual([]);
	});

	it('without a Default Country and with the error output, the national numbers go to output 1 and the others are sent', async () => {
		const node = commBoxNode('replaceStatic', {}, { onError: 'continueErrorOutput' });
		const run = await runWorkflow(itemsWorkflow(items(), [node]), credentials());

		const [sent, failed] = run.nodes.Audience.outputs;
		const nationalIndexes = CONTACTS.flatMap((contact, i) => (contact.national ? [i] : []));
		expect(failed.map((item) => item.pairedItem)).toEqual(nationalIndexes.map((item) => [{ item }]));
		expect(failed[0].json.error).toBe(NO_COUNTRY_CODE_5);
		expect(sent).toHaveLength(1);
		const audience = sandbox.state().commBox.audiences['1001'];
		expect(audience.rows).toEqual(CONTACTS.filter((contact) => !contact.national).map(({ expected, name }) => ({ phone1: expected, name })));
		expect(audience.lastUpload?.text).not.toMatch(/(^|\n)0/);
	});

	it('collapses one number written in several formats', async () => {
		const phones = ['+33 6 12 34 56 04', '06 12 34 56 04', '0033612345604', '33 6 12 34 56 04', '+44 7400 123456', '07400 123456'];
		const node = commBoxNode('replaceStatic', { options: { defaultCountry: 'FR' } }, { onError: 'continueErrorOutput' });
		const run = await runWorkflow(itemsWorkflow(phones.map((phone, i) => ({ phone, name: `n${i}` })), [node]), credentials());

		const [[summary], failed] = run.nodes.Audience.outputs;
		expect(summary.json).toMatchObject({ rows: 2, duplicatesCollapsed: 3, invalid: 1 });
		// With France as the Default Country, a British national number is not a French one.
		expect(failed.map((item) => item.json.error)).toEqual([named(5, 'phone "07400 123456" is not a valid phone number for France (the Default Country)')]);
		expect(sandbox.state().commBox.audiences['1001'].rows).toEqual([
			{ phone1: '33612345604', name: 'n3' },
			{ phone1: '447400123456', name: 'n4' },
		]);
	});

	it('Create Static converts with the Default Country too', async () => {
		const phones = ['(054) 123-4567', '054-7654321', '+33 6 12 34 56 04'];
		const node = commBoxNode('createStatic', { options: { defaultCountry: 'IL' } });
		const run = await runWorkflow(itemsWorkflow(phones.map((phone, i) => ({ phone, name: `n${i}` })), [node]), credentials());

		expect(run.status).toBe('success');
		const [created] = Object.values(sandbox.state().commBox.audiences).filter((audience) => audience.name === 'Phones');
		expect(created.rows).toEqual([
			{ phone1: '972541234567', name: 'n0' },
			{ phone1: '972547654321', name: 'n1' },
			{ phone1: '33612345604', name: 'n2' },
		]);
	});

	it('a Default Country that is not a country code stops the run before sending', async () => {
		const node = commBoxNode('replaceStatic', { options: { defaultCountry: '={{ "France" }}' } });
		const run = await runWorkflow(itemsWorkflow(items(), [node]), credentials());

		expect(run.status).toBe('error');
		expect(run.nodes.Audience.error?.message).toBe(
			'Default Country "France" is not a country code: pick a country in the list, or give its two-letter ISO code, e.g. FR for France',
		);
		expect(sandbox.requests()).toEqual([]);
	});

	it('the option lists None, then every country by name, for Source "Items" only', () => {
		const properties = new Audience().description.properties;
		const optionsOf = (operation: string) =>
			properties.find((p) => p.name === 'options' && p.displayOptions?.show?.operation?.includes(operation) && p.displayOptions?.show?.resource?.includes('commBox'));
		for (const operation of ['replaceStatic', 'createStatic']) {
			const option = (optionsOf(operation)?.options as INodeProperties[] | undefined)?.find((o) => o.name === 'defaultCountry');
			expect(option).toMatchObject({ displayName: 'Default Country', type: 'options', default: '', displayOptions: { show: { '/source': ['items'] } } });
			const choices = option?.options as Array<{ name: string; value: string }>;
			expect(choices[0]).toMatchObject({ name: 'None', value: '' });
			expect(choices.length).toBeGreaterThan(240);
			expect(choices).toContainEqual({ name: 'France', value: 'FR' });
			expect(choices).toContainEqual({ name: 'Israel', value: 'IL' });
			const names = choices.slice(1).map((choice) => choice.name);
			expect(names).toEqual([...names].sort((a, b) => a.localeCompare(b, 'en')));
		}
	});
});
