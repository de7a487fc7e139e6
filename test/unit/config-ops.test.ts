/** Configuration of rate limits and trusted documents: defaults, parsing, and one clear line when wrong. */
import path from 'node:path';
import { loadConfig } from '../../src/config';

describe('rate-limit and trusted-documents configuration', () => {
  it('is off by default', () => {
    const config = loadConfig({});
    expect(config.rateLimit).toBeNull();
    expect(config.trustedDocuments).toBeNull();
  });

  it('reads a rate with a default burst of two seconds, or an explicit burst', () => {
    expect(loadConfig({ TRACKQL_RATE_LIMIT: '50' }).rateLimit).toEqual({ perSecond: 50, burst: 100 });
    expect(loadConfig({ TRACKQL_RATE_LIMIT: '0.2' }).rateLimit).toEqual({ perSecond: 0.2, burst: 1 });
    expect(loadConfig({ TRACKQL_RATE_LIMIT: '5', TRACKQL_RATE_LIMIT_BURST: '7' }).rateLimit).toEqual({ perSecond: 5, burst: 7 });
    expect(loadConfig({ TRACKQL_RATE_LIMIT: 'off' }).rateLimit).toBeNull();
    expect(loadConfig({ TRACKQL_RATE_LIMIT: '0' }).rateLimit).toBeNull();
  });

  it('says what it expected when a value is wrong', () => {
    expect(() => loadConfig({ TRACKQL_RATE_LIMIT: 'fast' })).toThrow("TRACKQL_RATE_LIMIT must be a number of requests per second above 0 and at most 1000000 (or 0 / off), got 'fast'");
    expect(() => loadConfig({ TRACKQL_RATE_LIMIT: '-1' })).toThrow(/TRACKQL_RATE_LIMIT must be/);
    expect(() => loadConfig({ TRACKQL_RATE_LIMIT: '5', TRACKQL_RATE_LIMIT_BURST: '0' })).toThrow('TRACKQL_RATE_LIMIT_BURST must be between 1 and 10000000, got 0');
    expect(() => loadConfig({ TRACKQL_RATE_LIMIT_BURST: '10' })).toThrow('TRACKQL_RATE_LIMIT_BURST needs TRACKQL_RATE_LIMIT to be set');
  });

  it('resolves the manifest path against the working directory', () => {
    expect(loadConfig({ TRACKQL_TRUSTED_DOCUMENTS: 'gen/docs.json' }, '/srv/app').trustedDocuments).toBe(path.resolve('/srv/app', 'gen/docs.json'));
  });
});
