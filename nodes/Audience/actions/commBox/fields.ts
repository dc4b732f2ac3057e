import type { INodeProperties } from 'n8n-workflow';
import { maxRetriesOption, minimumShareOption, optionsCollection } from '../shared/fields';

/** Fields of the CommBox file uploads (Replace Static, Create Static). */
type Show = { resource: string[]; operation: string[] };

export function fileSourceFields(show: Show): INodeProperties[] {
	const fromItems = { show: { ...show, source: ['items'] } };
	return [
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
			displayOptions: { show },
		},
		{
			displayName: 'Phone',
			name: 'phone',
			type: 'string',
			default: '={{ $json.phone }}',
			required: true,
			description:
				'The phone number of each item, written as phone1: digits with the country code, e.g. +44 20 7983 2100 becomes 442079832100',
			displayOptions: fromItems,
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
			displayOptions: fromItems,
		},
		{
			displayName: 'Columns',
			name: 'columns',
			type: 'fixedCollection',
			placeholder: 'Add Column',
			typeOptions: { multipleValues: true },
			default: {},
			displayOptions: { show: { ...show, source: ['items'], extraColumns: ['mapped'] } },
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
			displayOptions: { show: { ...show, source: ['binary'] } },
		},
	];
}

export function uploadOptions(show: Show, replace: boolean): INodeProperties {
	return optionsCollection(show, [
		{
			displayName: replace ? 'Allow Empty Replace' : 'Allow Empty Audience',
			name: 'allowEmpty',
			type: 'boolean',
			default: false,
			description: replace
				? 'Whether an input without any valid row may empty the audience (a file with only the header is sent). Off by default, so an empty upstream result never wipes an audience.'
				: 'Whether an input without any valid row may create an empty audience',
		},
		{
			displayName: 'Dry Run',
			name: 'dryRun',
			type: 'boolean',
			default: false,
			description: 'Whether to build the file and report what would be sent, without sending it',
		},
		{
			displayName: 'File Name',
			name: 'fileName',
			type: 'string',
			default: 'audience.csv',
			description:
				'Name of the uploaded file; its extension follows the format (.csv or .xlsx). A binary file keeps its own name unless this is set.',
		},
		maxRetriesOption,
		...(replace ? [minimumShareOption] : []),
	]);
}
