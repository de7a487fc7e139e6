import { ConfigError, loadConfig } from '../../src/config';
import { OTEL_AUTO_PACKAGE, OTEL_SDK_PACKAGE, nodeVersionAtLeast, startTelemetry } from '../../src/observability/otel';

function recorder() {
  const lines: { level: string; msg: string; fields?: Record<string, unknown> }[] = [];
  return {
    lines,
    logger: {
      notice: (msg: string, fields?: Record<string, unknown>) => void lines.push({ level: 'notice', msg, fields }),
      warn: (msg: string, fields?: Record<string, unknown>) => void lines.push({ level: 'warn', msg, fields }),
    },
  };
}

const missing = (id: string) => Object.assign(new Error(`Cannot find module '${id}'`), { code: 'MODULE_NOT_FOUND' });

describe('startTelemetry', () => {
  it('does nothing, and says nothing, when no OTLP endpoint is configured', () => {
    const { lines, logger } = recorder();
    const load = jest.fn();
    expect(startTelemetry(false, { logger, load })).toBeNull();
    expect(load).not.toHaveBeenCalled();
    expect(lines).toEqual([]);
  });

  it('refuses on a Node.js older than 22.15 with one clear line, without loading the SDK', () => {
    const { lines, logger } = recorder();
    const load = jest.fn();
    expect(startTelemetry(true, { logger, load, nodeVersion: '20.20.2' })).toBeNull();
    expect(load).not.toHaveBeenCalled();
    expect(lines).toEqual([{ level: 'warn', msg: 'OpenTelemetry export is configured but not started: it needs Node.js >= 22.15, this is 20.20.2', fields: { otel: 'off' } }]);
  });

  it('says how to install the SDK when it is absent', () => {
    const { lines, logger } = recorder();
    expect(startTelemetry(true, { logger, nodeVersion: '22.15.0', load: (id) => { throw missing(id); } })).toBeNull();
    expect(lines).toHaveLength(1);
    expect(lines[0].msg).toBe(`OpenTelemetry export is configured but not started: ${OTEL_SDK_PACKAGE} is not installed`);
    expect(String(lines[0].fields?.hint)).toContain(`npm install ${OTEL_SDK_PACKAGE}`);
  });

  it('starts the SDK with the auto-instrumentations when both are installed, and shuts it down', async () => {
    const { lines, logger } = recorder();
    const calls: string[] = [];
    class NodeSDK {
      constructor(readonly options: { instrumentations?: unknown[] }) {
        calls.push(`new(${JSON.stringify(options.instrumentations)})`);
      }
      start() { calls.push('start'); }
      async shutdown() { calls.push('shutdown'); }
    }
    const modules: Record<string, unknown> = {
      [OTEL_SDK_PACKAGE]: { NodeSDK },
      [OTEL_AUTO_PACKAGE]: { getNodeAutoInstrumentations: () => 'auto' },
    };
    const telemetry = startTelemetry(true, { logger, nodeVersion: '24.1.0', load: (id) => modules[id] });
    expect(telemetry?.instrumented).toBe(true);
    await telemetry?.shutdown();
    expect(calls).toEqual(['new(["auto"])', 'start', 'shutdown']);
    expect(lines).toEqual([{ level: 'notice', msg: 'OpenTelemetry export started', fields: { otel: 'on' } }]);
  });

  it('starts without auto-instrumentations when only the SDK is installed, and says so', () => {
    const { lines, logger } = recorder();
    const started: unknown[][] = [];
    class NodeSDK {
      constructor(options: { instrumentations?: unknown[] }) { started.push(options.instrumentations ?? []); }
      start() {}
      async shutdown() {}
    }
    const load = (id: string) => {
      if (id === OTEL_SDK_PACKAGE) return { NodeSDK };
      throw missing(id);
    };
    expect(startTelemetry(true, { logger, nodeVersion: '22.15.0', load })?.instrumented).toBe(false);
    expect(started).toEqual([[]]);
    expect(lines.map((l) => l.level)).toEqual(['warn', 'notice']);
  });

  it('compares Node versions by major, then minor', () => {
    expect(nodeVersionAtLeast('22.15.0', [22, 15])).toBe(true);
    expect(nodeVersionAtLeast('22.14.9', [22, 15])).toBe(false);
    expect(nodeVersionAtLeast('23.0.0', [22, 15])).toBe(true);
    expect(nodeVersionAtLeast('20.99.0', [22, 15])).toBe(false);
  });
});

describe('configuration of OpenTelemetry and CORS', () => {
  it.each([
    [{}, false],
    [{ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318' }, true],
    [{ OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: 'http://collector:4318/v1/traces' }, true],
    [{ OTEL_TRACES_EXPORTER: 'console' }, true],
    [{ OTEL_TRACES_EXPORTER: 'none', OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318' }, false],
    [{ OTEL_SDK_DISABLED: 'true', OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318' }, false],
  ])('OpenTelemetry export for %j: %s', (env, expected) => {
    expect(loadConfig(env).otelExport).toBe(expected);
  });

  it('reads CORS origins, normalised, and allows none by default', () => {
    expect(loadConfig({}).corsOrigins).toEqual([]);
    expect(loadConfig({ TRACKQL_CORS_ORIGINS: 'https://App.example.com:443/, http://localhost:3000' }).corsOrigins)
      .toEqual(['https://app.example.com', 'http://localhost:3000']);
  });

  it.each(['*', 'app.example.com', 'https://app.example.com/path', 'ftp://files.example.com', 'https://user@app.example.com'])('refuses the CORS origin %s', (origin) => {
    expect(() => loadConfig({ TRACKQL_CORS_ORIGINS: origin })).toThrow(ConfigError);
    expect(() => loadConfig({ TRACKQL_CORS_ORIGINS: origin })).toThrow(`TRACKQL_CORS_ORIGINS entries must be origins such as https://app.example.com (no path, no wildcard), got '${origin}'`);
  });
});
