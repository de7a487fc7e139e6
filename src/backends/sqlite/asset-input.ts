/** Validation of an asset upload's metadata, all before a byte of the body is read. */
import { BadUserInputError } from '../../errors';
import type { PutAssetInput } from '../port';
import type { NewAsset } from './asset-store';
import { optionalInteger, requireName, validateFileName } from './validate';

/** The row fields an upload fixes up front; hash, size and time come once the bytes are in. */
export type AssetFields = Omit<NewAsset, 'sha256' | 'size' | 'createdAt'>;

export function validateAssetInput(input: PutAssetInput): AssetFields & { maxBytes: number } {
  if (!Number.isSafeInteger(input.maxBytes) || input.maxBytes < 0) {
    throw new BadUserInputError(`maxBytes must be a non-negative integer, got ${input.maxBytes}`);
  }
  const { metadata } = input;
  if (metadata !== null && metadata !== undefined && (typeof metadata !== 'object' || Array.isArray(metadata))) {
    throw new BadUserInputError('metadata must be a JSON object or null');
  }
  return {
    experimentKey: input.experimentKey,
    fileName: validateFileName(input.fileName),
    type: requireName('type', input.type),
    step: optionalInteger('step', input.step),
    metadata: metadata ?? null,
    modelName: input.modelName === null || input.modelName === undefined ? null : requireName('modelName', input.modelName),
    maxBytes: input.maxBytes,
  };
}
