/**
 * The clientlib batch plane (§5 "Metrics batch"): `POST /clientlib/batch/logger/experiment/{metric,parameter}`
 * with `{experimentKey, values: [...]}`, optionally gzipped, same `Authorization` header. A batch is taken
 * whole or refused whole. At most 1000 values per request: the SDK's batch size, taken as the server's
 * ceiling since the real one is not documented (§10.3).
 */
import { requireExperiment } from './access';
import { Limits, Path } from './constants';
import { badRequest } from './errors';
import { decodeBatchMetrics, decodeBatchParameters } from './points';
import { saved, type Route } from './route';
import { decodeObject, required } from './validate';

const BATCH_BODY = { experimentKey: required('string'), values: required('array') } as const;

function checkSize(values: readonly unknown[], where: string): void {
  if (values.length > Limits.BATCH_MAX_VALUES) {
    throw badRequest(`${where}: ${values.length} values in one batch; at most ${Limits.BATCH_MAX_VALUES} are accepted`);
  }
}

// The answer of the batch endpoints was not seen; the standard write envelope is assumed (§1).
export const clientlibRoutes: readonly Route[] = [
  {
    method: 'POST',
    name: Path.batchMetric,
    body: 'json',
    handle: (req) => {
      const b = decodeObject(req.json, BATCH_BODY, Path.batchMetric);
      checkSize(b.values, Path.batchMetric);
      const e = requireExperiment(req, b.experimentKey, 'write');
      req.state.addMetricPoints(e, decodeBatchMetrics(b.values, Path.batchMetric, Date.now()));
      return saved();
    },
  },
  {
    method: 'POST',
    name: Path.batchParameter,
    body: 'json',
    handle: (req) => {
      const b = decodeObject(req.json, BATCH_BODY, Path.batchParameter);
      checkSize(b.values, Path.batchParameter);
      const e = requireExperiment(req, b.experimentKey, 'write');
      req.state.addParameters(e, decodeBatchParameters(b.values, Path.batchParameter, Date.now()));
      return saved();
    },
  },
];
