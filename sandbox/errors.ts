/**
 * The error names shared by the Batch 2.x and legacy APIs (docs/api-notes.md#legacy-error-codes). Each API maps a name to its own
 * status and body; CommBox answers all of them with its 4xx/5xx envelope.
 */
export type ApiProblem =
	| 'MISSING_PARAMETER'
	| 'MALFORMED_PARAMETER'
	| 'MALFORMED_JSON_BODY'
	| 'TOO_MANY_REQUESTS'
	| 'SERVER_ERROR'
	| 'MAINTENANCE_ERROR';

/** Thrown by request parsing and validation; the server turns it into the API's own error reply. */
export class InvalidRequestError extends Error {
	constructor(
		readonly problem: 'MISSING_PARAMETER' | 'MALFORMED_PARAMETER' | 'MALFORMED_JSON_BODY',
		message: string,
	) {
		super(message);
		this.name = 'InvalidRequestError';
	}
}

export function missing(message: string): InvalidRequestError {
	return new InvalidRequestError('MISSING_PARAMETER', message);
}

export function malformed(message: string): InvalidRequestError {
	return new InvalidRequestError('MALFORMED_PARAMETER', message);
}
