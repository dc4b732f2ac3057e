import type { IExecuteFunctions, INodeExecutionData } from 'n8n-workflow';
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
