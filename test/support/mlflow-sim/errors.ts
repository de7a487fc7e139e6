/**
 * The error a handler throws to answer with MLflow's error body (§2):
 * `{"error_code": "INVALID_PARAMETER_VALUE", "message": "..."}`, status taken from the code.
 */
import { ErrorStatus, type ErrorCode } from './constants';

export interface ErrorBody {
  error_code: ErrorCode;
  message: string;
}

export class MlflowSimError extends Error {
  readonly errorCode: ErrorCode;
  readonly status: number;

  constructor(errorCode: ErrorCode, message: string, status: number = ErrorStatus[errorCode]) {
    super(message);
    this.name = 'MlflowSimError';
    this.errorCode = errorCode;
    this.status = status;
  }

  toBody(): ErrorBody {
    return { error_code: this.errorCode, message: this.message };
  }
}

export const invalid = (message: string): MlflowSimError => new MlflowSimError('INVALID_PARAMETER_VALUE', message);
export const notFound = (message: string): MlflowSimError => new MlflowSimError('RESOURCE_DOES_NOT_EXIST', message);
export const alreadyExists = (message: string): MlflowSimError => new MlflowSimError('RESOURCE_ALREADY_EXISTS', message);
export const badRequest = (message: string): MlflowSimError => new MlflowSimError('BAD_REQUEST', message);

/**
 * A refusal that is not one of MLflow's JSON errors: Flask's own answers (unknown path, wrong method, body
 * too large) and the auth layer's 401 are plain text (§2, §8).
 */
export class PlainHttpError extends Error {
  readonly status: number;
  readonly headers: Record<string, string>;
  constructor(status: number, message: string, headers: Record<string, string> = {}) {
    super(message);
    this.name = 'PlainHttpError';
    this.status = status;
    this.headers = headers;
  }
}

/** The JSON error a fault answers with: the code MLflow pairs with that status, INTERNAL_ERROR otherwise (§2). */
export function statusError(status: number, message: string): MlflowSimError {
  const code = status === 429 ? 'REQUEST_LIMIT_EXCEEDED' : status === 503 ? 'TEMPORARILY_UNAVAILABLE' : 'INTERNAL_ERROR';
  return new MlflowSimError(code, message, status);
}
