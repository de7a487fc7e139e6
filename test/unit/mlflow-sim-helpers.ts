/** Expected answers shared by the MLflow simulator's tests (§2 of docs/mlflow-reference.md). */

/** The error body MLflow answers with; any message unless one is given. */
export const mlflowError = (error_code: string, message: unknown = expect.any(String)) => ({ error_code, message });

export const INVALID = (message: unknown = expect.any(String)) => ({ status: 400, body: mlflowError('INVALID_PARAMETER_VALUE', message) });
export const MISSING = { status: 404, body: mlflowError('RESOURCE_DOES_NOT_EXIST') } as const;
export const OK = { status: 200, body: {} } as const;
