/**
 * The port contract suite: every backend runs it (`describePort('sqlite', make)`), then adds only its own
 * cases. It talks to the backend through the port interface alone, with a fresh backend per test.
 */
import type { Backend, Capabilities } from '../../src/backends/port';
import { describeAssets } from './port/assets';
import { describeAttributes } from './port/attributes';
import { describeDeadLetters } from './port/dead-letters';
import { describeDetails } from './port/details';
import { describeLifecycle } from './port/lifecycle';
import { describeRunFilters } from './port/run-filters';
import { describeProjectsAndExperiments } from './port/experiments';
import { describeMetricHistories } from './port/history';
import { describeListing } from './port/listing';
import { describeMetricContexts } from './port/metric-contexts';
import { describeMetricWrites } from './port/metrics';
import { describeMonitoring } from './port/monitoring';
import { describeRegistry } from './port/registry';
import type { MakeBackend } from './port/support';

export type { MakeBackend } from './port/support';

/** `capabilities` are the backend's own flags: tests of a capability it lacks are skipped, and its refusal asserted. */
export function describePort(name: string, makeBackend: MakeBackend, capabilities: Capabilities): void {
  describe(`${name} backend: port contract`, () => {
    let backend: Backend | null = null;
    const current = (): Backend => {
      if (backend === null) throw new Error('no backend: the contract suite creates one per test');
      return backend;
    };

    beforeEach(async () => {
      backend = await makeBackend();
    });

    afterEach(async () => {
      await backend?.close();
      backend = null;
    });

    describeProjectsAndExperiments(current);
    describeAttributes(current, capabilities);
    describeMetricWrites(current);
    describeMetricHistories(current);
    describeListing(current);
    describeAssets(current);
    describeRegistry(current, capabilities);
    describeDeadLetters(current, capabilities);
    describeDetails(current, capabilities);
    describeLifecycle(current, capabilities);
    describeRunFilters(current);
    describeMonitoring(current, capabilities);
    describeMetricContexts(current, capabilities);
  });
}
