import type { IExecuteFunctions, INodeExecutionData, INodeProperties, INodePropertyOptions } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';
import * as batch from './batch/Batch.resource';
import * as batchCustomAudience from './batchCustomAudience/BatchCustomAudience.resource';
import * as commBox from './commBox/CommBox.resource';
import type { OperationModule } from './shared/types';

const platforms: Record<string, Record<string, OperationModule>> = {
	batch: batch.operations,
	batchCustomAudience: batchCustomAudience.operations,
	commBox: commBox.operations,
};

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

/** Platform and operation are the same for every item: they are read once. */
export async function route(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
	const resource = this.getNodeParameter('resource', 0) as string;
	const operation = this.getNodeParameter('operation', 0) as string;
	const handler = platforms[resource]?.[operation];
	if (!handler) {
		throw new NodeOperationError(
			this.getNode(),
			`The operation "${operation}" is not supported for platform "${resource}"`,
		);
	}
	return [await handler.execute.call(this, this.getInputData())];
}
