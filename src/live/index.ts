/**
 * Builds the live hub from the configuration: Redis between replicas when `TRACKQL_REDIS_URL` is set (else
 * one process, in memory), and the poller when the backend has writers other than the gateways.
 */
import type { Backend } from '../backends/port';
import type { Config } from '../config';
import { MemoryBus, type Bus } from './bus';
import { LiveHub } from './hub';
import type { LiveLogger } from './logger';
import { RedisBus } from './redis-bus';

export { LiveHub } from './hub';
export type { SubscriberIdentity } from './hub';
export type { LiveConnection } from './topic';

/** Whether watched experiments are polled: `on`/`off` as configured; `auto` when others write to the store. */
export function shouldPoll(config: Pick<Config, 'backend' | 'live'>, backend: Pick<Backend, 'capabilities'>): boolean {
  switch (config.live.poll) {
    case 'on':
      return true;
    case 'off':
      return false;
    case 'auto':
      return config.backend === 'comet' || backend.capabilities().live.externalWriters;
  }
}

export function createLiveHub(config: Pick<Config, 'backend' | 'live' | 'redisUrl'>, backend: Backend, logger: LiveLogger): LiveHub {
  const bus: Bus = config.redisUrl
    ? new RedisBus(config.redisUrl, logger)
    : new MemoryBus((err) => logger.error('live listener failed', { error: err }));
  const poll = shouldPoll(config, backend) ? { intervalMs: config.live.pollMs, callsPerMinute: config.live.pollCallsPerMinute } : null;
  return new LiveHub({ bus, port: backend, logger, queuePoints: config.live.queuePoints, stuckMs: config.live.stuckMs, poll });
}
