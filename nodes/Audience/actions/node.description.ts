import type { INodeProperties, INodePropertyOptions } from 'n8n-workflow';
import * as batch from './batch/Batch.resource';
import * as batchCustomAudience from './batchCustomAudience/BatchCustomAudience.resource';
import * as commBox from './commBox/CommBox.resource';

/** The node's parameters: Platform, then each platform's Operation and fields. */
export const platformDescription: INodeProperties[] = [
	{
		displayName: 'Platform',
		name: 'resource',
		type: 'options',
		noDataExpression: true,
		options: [
			{ name: 'Batch', value: 'batch', description: 'Batch project API 2.x (Customer Engagement Platform)' },
			{
				name: 'Batch Custom Audience (Legacy)',
				value: 'batchCustomAudience',
				description: 'Batch app-level Custom Audience API 1.x (install IDs, tags)',
			},
			{ name: 'CommBox', value: 'commBox', description: 'CommBox Static audiences' },
		],
		default: 'batch',
	},
	...batch.description,
	...batchCustomAudience.description,
	...commBox.description,
];

/** The canvas subtitle, e.g. "Update · Batch": the labels of the chosen operation and platform. */
export function operationSubtitle(properties: INodeProperties[]): string {
	const labels: Record<string, string> = {};
	const platform = properties.find((property) => property.name === 'resource');
	for (const option of (platform?.options ?? []) as INodePropertyOptions[]) {
		const operation = properties.find(
			(property) => property.name === 'operation' && property.displayOptions?.show?.resource?.includes(option.value),
		);
		for (const op of (operation?.options ?? []) as INodePropertyOptions[]) {
			labels[`${option.value}/${op.value}`] = `${op.name} · ${option.name}`;
		}
	}
	return `={{ (${JSON.stringify(labels)})[$parameter["resource"] + "/" + $parameter["operation"]] }}`;
}
