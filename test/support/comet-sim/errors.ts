/**
 * The error a handler throws to answer with Comet's error envelope (§1 "Error shape"):
 * `{"code": <status>, "msg": "...", "sdk_error_code": n}`.
 */
import { SdkErrorCode } from './constants';

export interface ErrorEnvelope {
  code: number;
  msg: string;
  sdk_error_code: number;
}

export class CometSimError extends Error {
  readonly status: number;
  readonly sdkErrorCode: SdkErrorCode;

  constructor(status: number, msg: string, sdkErrorCode: SdkErrorCode = SdkErrorCode.UNSPECIFIED) {
    super(msg);
    this.name = 'CometSimError';
    this.status = status;
    this.sdkErrorCode = sdkErrorCode;
  }

  toEnvelope(): ErrorEnvelope {
    return { code: this.status, msg: this.message, sdk_error_code: this.sdkErrorCode };
  }
}

export const badRequest = (msg: string, sdk: SdkErrorCode = SdkErrorCode.UNSPECIFIED): CometSimError =>
  new CometSimError(400, msg, sdk);
export const notFound = (msg: string, sdk: SdkErrorCode = SdkErrorCode.UNSPECIFIED): CometSimError =>
  new CometSimError(404, msg, sdk);
/** 403: the reference says Java parses it as a JSON error, "probably no access to the workspace" (§8). */
export const forbidden = (msg: string): CometSimError => new CometSimError(403, msg, SdkErrorCode.NO_WRITE_ACCESS);
