/**
 * The assets and registry domains are not mapped onto MLflow yet (artifacts through the mlflow-artifacts
 * proxy, registered models and versions): every call is refused with BAD_USER_INPUT, reason UNSUPPORTED,
 * naming what is missing, rather than answering as if nothing were stored.
 */
import { BadUserInputError } from '../../errors';
import type * as Port from '../port';

export const MLFLOW_REGISTRY_CAPABILITIES: Port.RegistryCapabilities = Object.freeze({ aliases: false });

function unsupported(what: string): BadUserInputError {
  return new BadUserInputError(`${what} are not available on the MLflow backend yet (see docs/mlflow.md)`, { reason: 'UNSUPPORTED' });
}

export class MlflowAssets implements Port.AssetsPort {
  async list(): Promise<never> {
    throw unsupported('Assets (MLflow artifacts)');
  }

  async get(): Promise<never> {
    throw unsupported('Assets (MLflow artifacts)');
  }

  async models(): Promise<never> {
    throw unsupported('Experiment models (MLflow artifacts)');
  }

  async open(): Promise<never> {
    throw unsupported('Assets (MLflow artifacts)');
  }

  async put(): Promise<never> {
    throw unsupported('Asset uploads (MLflow artifacts)');
  }

  async checkUpload(): Promise<never> {
    throw unsupported('Asset uploads (MLflow artifacts)');
  }
}

export class MlflowRegistry implements Port.RegistryPort {
  async models(): Promise<never> {
    throw unsupported('Registered models');
  }

  async list(): Promise<never> {
    throw unsupported('Registered models');
  }

  async versions(): Promise<never> {
    throw unsupported('Model versions');
  }

  async register(): Promise<never> {
    throw unsupported('Model registration');
  }

  async updateVersion(): Promise<never> {
    throw unsupported('Model versions');
  }
}
