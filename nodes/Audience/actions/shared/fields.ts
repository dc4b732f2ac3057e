import type { INodeProperties, INodePropertyOptions } from 'n8n-workflow';
import { DEFAULT_MINIMUM_SHARE } from './replaceGuards';
import { DEFAULT_REPLACE_APPLY_TIMEOUT_S, DEFAULT_REQUESTS_IN_FLIGHT } from './sync/target';

// Fields shared by the operations. They name no platform or operation: each operation file adds
// its own with `updateDisplayOptions`. A field keeps only conditions of its own (e.g. hidden while
// Action is Remove), which that merge keeps.

const AUDIENCE_NAME_REGEX = '^[A-Za-z0-9_-]{1,255}$';

/** What the audience is for, in the words of its tooltip. */
const AUDIENCE_PURPOSE = {
	write: 'The audience to write to. May be an expression, so one run can feed several audiences.',
	check: 'The audience the write went to. By default it comes from the output of an Update or Replace.',
	get: 'The audience to read. May be an expression, to read one audience per item.',
	delete: 'The audience to delete, with all its members. May be an expression, to delete one audience per item.',
	replaceStatic: 'The Static audience whose customers are all replaced by the file',
};

/** Under Check Indexing's Audience: n8n keeps the value an Audience had under another operation. */
const CHECK_AUDIENCE_HINT =
	'To check what an Update or Replace just wrote, keep {{ $json.audience }} (the default): each token is checked on its own audience';

interface AudienceLocatorOptions {
	/** The listSearch method of the From List mode. */
	searchListMethod: string;
	purpose: keyof typeof AUDIENCE_PURPOSE;
	/** How an audience is given outside the list: by its name (Batch) or its numeric ID (CommBox). */
	identifiedBy?: 'name' | 'id';
}

export function audienceLocator({ searchListMethod, purpose, identifiedBy = 'name' }: AudienceLocatorOptions): INodeProperties {
	const byName = identifiedBy === 'name';
	const locator: INodeProperties = {
		displayName: 'Audience',
		name: 'audience',
		type: 'resourceLocator',
		default: { mode: 'list', value: '' },
		required: true,
		description: AUDIENCE_PURPOSE[purpose],
		modes: [
			{
				displayName: 'From List',
				name: 'list',
				type: 'list',
				typeOptions: { searchListMethod, searchable: true },
			},
			{
				displayName: byName ? 'By Name' : 'By ID',
				name: identifiedBy,
				type: 'string',
				placeholder: byName ? 'e.g. newsletter_subscribers' : 'e.g. 1001',
				validation: [
					{
						type: 'regex',
						properties: byName
							? { regex: AUDIENCE_NAME_REGEX, errorMessage: 'Use letters, digits, _ and - only (at most 255 characters)' }
							: { regex: '^[0-9]+$', errorMessage: 'An audience ID is a number' },
					},
				],
			},
		],
	};
	if (purpose !== 'check') return locator;
	// Chained after Update or Replace, Check Indexing's audience comes from their output.
	return { ...locator, default: { mode: 'name', value: '={{ $json.audience }}' }, hint: CHECK_AUDIENCE_HINT };
}

/** What an Update sends each run (see engine/changes.ts). */
export const sendModeField: INodeProperties = {
	displayName: 'Send',
	name: 'sendMode',
	type: 'options',
	noDataExpression: true,
	options: [
		{ name: 'All Members', value: 'all', description: 'Send every incoming member on every run' },
		{
			name: 'Only New and Changed Members',
			value: 'changes',
			description: 'Send only the members that are new or whose attributes changed since the last run; members not accepted last time are sent again',
		},
		{
			name: 'Mirror the Input',
			value: 'mirror',
			description: 'Make the audience hold exactly the incoming members: send the new and changed ones, and remove the members no longer in the input',
		},
	],
	default: 'all',
	description:
		'The last two remember what earlier runs sent, in the workflow, for runs on its trigger or schedule (runs started from the editor are not remembered)',
};

export const actionField: INodeProperties = {
	displayName: 'Action',
	name: 'action',
	type: 'options',
	options: [
		{ name: 'Add', value: 'add', description: 'Add the member (with its attributes)', action: 'Add the member' },
		{ name: 'Remove', value: 'remove', description: 'Remove the member', action: 'Remove the member' },
	],
	default: 'add',
	description: 'What to do with each member. Use an expression to decide per item.',
	// Mirror adds every incoming member and removes those that left.
	displayOptions: { hide: { sendMode: ['mirror'] } },
};

/** The member ID; its label names the platform's kind of ID. */
export function userIdField({ displayName }: { displayName: string }): INodeProperties {
	return {
		displayName,
		name: 'userId',
		type: 'string',
		default: '={{ $json.id }}',
		required: true,
		description: 'The ID of the member for each item, usually mapped from the incoming data',
	};
}

/** Attributes (and the legacy API's tags) go with added members only: they are hidden while Action is Remove. */
export const attributeFields: INodeProperties[] = [
	{
		displayName: 'Attribute Source',
		name: 'attributeMode',
		type: 'options',
		options: [
			{ name: 'JSON Object', value: 'json', description: 'One object of attributes per item, mapped from the incoming data' },
			{ name: 'Map Each Attribute', value: 'fields', description: 'A name, a type and a value for each attribute' },
			{ name: 'None', value: 'none', description: 'Send members without attributes' },
		],
		default: 'none',
		description: 'How to give the attributes of added members (at most 15 per member)',
		displayOptions: { hide: { action: ['remove'] } },
	},
	{
		displayName: 'Attributes',
		name: 'attributes',
		type: 'fixedCollection',
		placeholder: 'Add Attribute',
		typeOptions: { multipleValues: true },
		default: {},
		displayOptions: { show: { attributeMode: ['fields'] }, hide: { action: ['remove'] } },
		options: [
			{
				displayName: 'Attribute',
				name: 'attribute',
				values: [
					{
						displayName: 'Name',
						name: 'name',
						type: 'string',
						default: '',
						placeholder: 'e.g. plan',
						hint: 'Letters, digits and _ only (no spaces), at most 30 characters',
					},
					{
						displayName: 'Type',
						name: 'type',
						type: 'options',
						options: [
							{ name: 'Array of Strings', value: 'array', description: 'A list of texts, or one text with commas between the values (at most 25)' },
							{ name: 'Auto', value: 'auto', description: 'Numbers, true/false, texts and lists of texts as they are' },
							{ name: 'Boolean', value: 'boolean', description: 'True or false; also accepts yes/no and 1/0' },
							{ name: 'Date', value: 'date', description: 'A date or date-time, sent as a date in UTC' },
							{ name: 'Number', value: 'number', description: 'A number, or a text holding one' },
							{ name: 'String', value: 'string', description: 'A text of at most 300 characters' },
							{ name: 'URL', value: 'url', description: 'A web address starting with http:// or https://, sent as a link' },
						],
						default: 'auto',
						description: 'How the value is checked and sent',
					},
					{
						displayName: 'Value',
						name: 'value',
						type: 'string',
						default: '',
						placeholder: 'e.g. {{ $json.plan }}',
						description: 'The value for each item, usually mapped from the incoming data',
					},
				],
			},
		],
	},
	{
		displayName: 'Attributes (JSON)',
		name: 'attributesJson',
		type: 'json',
		default: '={{ $json.attributes }}',
		description:
			'An object of attributes per item. Keys may carry a type prefix for dates and links, e.g. "date(since)".',
		displayOptions: { show: { attributeMode: ['json'] }, hide: { action: ['remove'] } },
	},
];

export const indexingTokenField: INodeProperties = {
	displayName: 'Indexing Token',
	name: 'indexingToken',
	type: 'string',
	// Not a secret, but n8n's rules require masking any parameter named like a token, and its
	// scanner ignores disable comments. The default is an expression, shown as written.
	typeOptions: { password: true },
	default: '={{ $json.indexingToken }}',
	description:
		'Token returned by a write; the default reads it from the output of an Update or Replace',
};

/** Return All, or Limit, for the Get Many operations. */
export const returnAllFields: INodeProperties[] = [
	{
		displayName: 'Return All',
		name: 'returnAll',
		type: 'boolean',
		default: false,
		description: 'Whether to return all results or only up to a given limit',
	},
	{
		displayName: 'Limit',
		name: 'limit',
		type: 'number',
		typeOptions: { minValue: 1 },
		default: 50,
		description: 'Max number of results to return',
		displayOptions: { show: { returnAll: [false] } },
	},
];

/** The Options collection of an operation. */
export function optionsCollection(options: INodeProperties[]): INodeProperties {
	return { displayName: 'Options', name: 'options', type: 'collection', placeholder: 'Add Option', default: {}, options };
}

/** Poll Interval and Wait Timeout, shown once the wait switch `shownWhenOn` of the same Options is on. */
function pollingOptions({ shownWhenOn }: { shownWhenOn: 'waitForIndexing' | 'waitUntilDone' }): INodeProperties[] {
	const whileWaiting = { show: { [shownWhenOn]: [true] } };
	return [
		{
			displayName: 'Poll Interval (Seconds)',
			name: 'pollInterval',
			type: 'number',
			typeOptions: { minValue: 0.1 },
			default: 2,
			description: 'How often to ask for the indexing state while waiting',
			displayOptions: whileWaiting,
		},
		{
			displayName: 'Wait Timeout (Seconds)',
			name: 'waitTimeout',
			type: 'number',
			typeOptions: { minValue: 1 },
			default: 300,
			description: 'How long to wait for indexing before failing with the last state',
			displayOptions: whileWaiting,
		},
	];
}

export const maxRetriesOption: INodeProperties = {
	displayName: 'Max Retries',
	name: 'maxRetries',
	type: 'number',
	typeOptions: { minValue: 0, maxValue: 20 },
	default: 5,
	description:
		'Retries of a request answered 429 or 5xx, or cut by a network error, with growing waits',
};

const requestOptions: INodeProperties[] = [
	maxRetriesOption,
	{
		displayName: 'Requests per Second',
		name: 'requestsPerSecond',
		type: 'number',
		typeOptions: { minValue: 0 },
		default: 0,
		description: 'Pace the requests of one run; 0 sends them as fast as the API accepts',
	},
];

/** The shrink guard of every Replace (see replaceGuards.ts). */
export const minimumShareOption: INodeProperties = {
	displayName: 'Minimum Share of Current Size (%)',
	name: 'minimumShare',
	type: 'number',
	typeOptions: { minValue: 0, maxValue: 100 },
	default: DEFAULT_MINIMUM_SHARE,
	description:
		'Refuse a replace that would leave fewer members than this share of the current size (e.g. 50 refuses 1,000 → 100). 0 turns the guard off.',
};

interface OutputOptionChoices {
	perContact: INodePropertyOptions;
	summaries: INodePropertyOptions[];
	/** What nodes of version 1 output one item per, e.g. "request" or "file". */
	oneItemPer: string;
}

/** The Output option: one item per contact (the default of node version 2) or a summary. */
export function outputOption({ perContact, summaries, oneItemPer }: OutputOptionChoices): INodeProperties {
	return {
		displayName: 'Output',
		name: 'outputMode',
		type: 'options',
		options: [perContact, ...summaries],
		default: 'perContact',
		description: `What the node outputs. Nodes added before version 2 output one item per ${oneItemPer} unless this is set; one item per ${oneItemPer} uses the least memory on very large syncs.`,
	};
}

/** Options of Update's change tracking, shown for the Send modes they apply to. */
const mirrorMinimumShareOption: INodeProperties = {
	...minimumShareOption,
	description:
		'Refuse a run that would remove members until fewer than this share of the audience is left (e.g. 50 refuses removing 600 of 1,000), as when an upstream filter breaks. It also guards the first run, which replaces the audience. 0 turns the guard off.',
	displayOptions: { show: { '/sendMode': ['mirror'] } },
};

const resetChangeTrackingOption: INodeProperties = {
	displayName: 'Reset Change Tracking',
	name: 'resetChangeTracking',
	type: 'boolean',
	default: false,
	description:
		'Whether this run forgets what earlier runs sent and sends every member (Mirror: replaces the audience), then tracks changes from there. Turn it off after one run, or use an expression such as {{ $now.weekday === 7 }} for a weekly full sync.',
	displayOptions: { show: { '/sendMode': ['changes', 'mirror'] } },
};

/** The guards only a Replace has, first in its Options. */
const replaceGuardOptions: INodeProperties[] = [
	{
		displayName: 'Allow Empty Replace',
		name: 'allowEmpty',
		type: 'boolean',
		default: false,
		description:
			'Whether an empty input may empty the audience. Off by default, so an empty upstream result never wipes an audience.',
	},
	minimumShareOption,
	{
		displayName: 'Replace Apply Timeout (Seconds)',
		name: 'replaceApplyTimeout',
		type: 'number',
		typeOptions: { minValue: 1 },
		default: DEFAULT_REPLACE_APPLY_TIMEOUT_S,
		description:
			'Above 10,000 members, how long to wait for the first request to be applied before adding the rest. If it is not applied in time, the rest is not sent and the run says so.',
	},
];

/** The options of every Update; a Replace has them after its guards. */
export const updateOptionList: INodeProperties[] = [
	{
		displayName: 'Batch Size',
		name: 'batchSize',
		type: 'number',
		typeOptions: { minValue: 1, maxValue: 10000 },
		default: 10000,
		description: 'Members per request (the API accepts at most 10,000)',
	},
	{
		displayName: 'Dry Run',
		name: 'dryRun',
		type: 'boolean',
		default: false,
		description: 'Whether to validate and report what would be sent, without writing anything',
	},
	...requestOptions,
	{
		displayName: 'Requests in Flight',
		name: 'requestsInFlight',
		type: 'number',
		typeOptions: { minValue: 1, maxValue: 16 },
		default: DEFAULT_REQUESTS_IN_FLIGHT,
		description:
			'How many requests of one run may be under way at once. The first 429 (rate limited) answer drops the run to one at a time. A replace sends its first request alone.',
	},
	outputOption({
		perContact: {
			name: 'One Item per Contact',
			value: 'perContact',
			description:
				"Each input item comes out with its own fields, the audience, the outcome and the token, so the next nodes can use the contact's fields (the default of new nodes)",
		},
		summaries: [
			{
				name: 'One Item per Input Item (Summary)',
				value: 'perItem',
				description: 'Each input item comes out with its ID, the token and the number of the request that carried it',
			},
			{
				name: 'One Item per Request',
				value: 'perRequest',
				description: 'A summary of each request sent: audience, token, counts of added, removed and collapsed IDs',
			},
		],
		oneItemPer: 'request',
	}),
	{
		displayName: 'Wait for Indexing',
		name: 'waitForIndexing',
		type: 'boolean',
		default: false,
		description: 'Whether to wait until every request is indexed (APPLIED) before continuing',
	},
	...pollingOptions({ shownWhenOn: 'waitForIndexing' }),
];

export const replaceOptionList: INodeProperties[] = [...replaceGuardOptions, ...updateOptionList];

/** Update's options: the shared ones and change tracking's. */
export const trackedUpdateOptionList: INodeProperties[] = updateOptionList.flatMap((option) => {
	if (option.name === 'maxRetries') return [option, mirrorMinimumShareOption];
	if (option.name === 'requestsInFlight') return [option, resetChangeTrackingOption];
	return [option];
});

export const updateOptions = optionsCollection(trackedUpdateOptionList);

export const replaceOptions = optionsCollection(replaceOptionList);

/** Options of the reads (Get, Get Many) and of Create and Delete. */
export const readOptions = optionsCollection(requestOptions);

export const checkIndexingOptions = optionsCollection([
	...requestOptions,
	{
		displayName: 'Wait Until Done',
		name: 'waitUntilDone',
		type: 'boolean',
		default: false,
		description: 'Whether to keep asking until the state is APPLIED or REPLACED',
	},
	...pollingOptions({ shownWhenOn: 'waitUntilDone' }),
]);

/** The Limit of a Get Many item: Infinity with Return All. */
export function limitOf(ctx: { getNodeParameter(name: string, itemIndex: number): unknown }, itemIndex: number): number {
	return ctx.getNodeParameter('returnAll', itemIndex) ? Infinity : (ctx.getNodeParameter('limit', itemIndex) as number);
}
