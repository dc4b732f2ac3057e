import type { INodePropertyOptions, INodeProperties } from 'n8n-workflow';
import { COUNTRIES } from '../../engine';
import { maxRetriesOption, minimumShareOption, optionsCollection, outputOption } from '../shared/fields';

// Fields of the CommBox file uploads (Replace Static, Create Static).

/** None, then every country by name (its ISO code as value). */
const DEFAULT_COUNTRY_OPTIONS: INodePropertyOptions[] = [
	{ name: 'None', value: '', description: 'Every number is written with its country code' },
	...COUNTRIES.map(([code, name]) => ({ name, value: code })),
];

export const fileSourceFields: INodeProperties[] = [
	{
		displayName: 'Source',
		name: 'source',
		type: 'options',
		options: [
			{
				name: 'Binary File',
				value: 'binary',
				description: 'One CSV or XLSX file from an earlier node, sent as it is',
			},
			{ name: 'Items', value: 'items', description: 'One CSV row per input item' },
		],
		default: 'items',
		description: 'Where the customers come from. Either way, exactly one file is sent per run.',
	},
	{
		displayName: 'Phone',
		name: 'phone',
		type: 'string',
		default: '={{ $json.phone }}',
		required: true,
		description:
			'The phone number of each item, written as phone1: digits with the country code, e.g. +44 20 7983 2100 becomes 442079832100. A number without + or 00 needs its country code, or the Default Country option.',
		displayOptions: { show: { source: ['items'] } },
	},
	{
		displayName: 'Extra Columns',
		name: 'extraColumns',
		type: 'options',
		options: [
			{ name: 'All Fields', value: 'allFields', description: 'Every field of the item except the phone field' },
			{ name: 'Mapped', value: 'mapped', description: 'A name and a value for each column' },
			{ name: 'None', value: 'none', description: 'Only the phone1 column' },
		],
		default: 'none',
		description: 'Columns written after phone1',
		displayOptions: { show: { source: ['items'] } },
	},
	{
		displayName: 'Columns',
		name: 'columns',
		type: 'fixedCollection',
		placeholder: 'Add Column',
		typeOptions: { multipleValues: true },
		default: {},
		displayOptions: { show: { source: ['items'], extraColumns: ['mapped'] } },
		options: [
			{
				displayName: 'Column',
				name: 'column',
				values: [
					{
						displayName: 'Name',
						name: 'name',
						type: 'string',
						default: '',
						placeholder: 'e.g. first_name',
					},
					{
						displayName: 'Value',
						name: 'value',
						type: 'string',
						default: '',
						placeholder: 'e.g. {{ $json.firstName }}',
					},
				],
			},
		],
	},
	{
		displayName: 'Input Binary Field',
		name: 'binaryPropertyName',
		type: 'string',
		default: 'data',
		required: true,
		hint: 'The name of the input binary field holding the CSV or XLSX file',
		description: 'A CSV file needs a phone1 column; exactly one input item may carry a file',
		displayOptions: { show: { source: ['binary'] } },
	},
];

const defaultCountryOption: INodeProperties = {
	displayName: 'Default Country',
	name: 'defaultCountry',
	type: 'options',
	options: DEFAULT_COUNTRY_OPTIONS,
	default: '',
	description:
		'The country of phone numbers written without + or 00, e.g. 06 12 34 56 04 with France becomes 33612345604. With None, such a number is invalid unless it starts with its country code.',
	displayOptions: { show: { '/source': ['items'] } },
};

const dryRunOption: INodeProperties = {
	displayName: 'Dry Run',
	name: 'dryRun',
	type: 'boolean',
	default: false,
	description: 'Whether to build the file and report what would be sent, without sending it',
};

const fileNameOption: INodeProperties = {
	displayName: 'File Name',
	name: 'fileName',
	type: 'string',
	default: 'audience.csv',
	description:
		'Name of the uploaded file; its extension follows the format (.csv or .xlsx). A binary file keeps its own name unless this is set.',
};

const uploadOutputOption = outputOption({
	perContact: {
		name: 'One Item per Contact',
		value: 'perContact',
		description: 'Each contact in the file comes out with its own fields, the audience ID and the outcome (the default of new nodes)',
	},
	summaries: [{ name: 'One Item per File', value: 'perRequest', description: 'A summary of the upload: rows, columns, duplicates collapsed, file name and size' }],
	oneItemPer: 'file',
});

export const replaceStaticOptions = optionsCollection([
	{
		displayName: 'Allow Empty Replace',
		name: 'allowEmpty',
		type: 'boolean',
		default: false,
		description:
			'Whether an input without any valid row may empty the audience (a file with only the header is sent). Off by default, so an empty upstream result never wipes an audience.',
	},
	defaultCountryOption,
	dryRunOption,
	fileNameOption,
	maxRetriesOption,
	minimumShareOption,
	uploadOutputOption,
	{
		displayName: 'Upload Even If Unchanged',
		name: 'uploadUnchanged',
		type: 'boolean',
		default: false,
		description:
			'Whether to upload a file identical to the last one CommBox accepted for this audience from this node. Off: such a file is not uploaded again, as long as the audience still holds its rows.',
	},
]);

export const createStaticOptions = optionsCollection([
	{
		displayName: 'Allow Empty Audience',
		name: 'allowEmpty',
		type: 'boolean',
		default: false,
		description: 'Whether an input without any valid row may create an empty audience',
	},
	defaultCountryOption,
	dryRunOption,
	fileNameOption,
	maxRetriesOption,
	uploadOutputOption,
]);
