/**
 * Binds the HTTP server. A port that cannot be had is the operator's configuration to fix, not a crash: it
 * becomes a `ConfigError` naming the variable (main.ts prints one line and exits with 78, EX_CONFIG).
 */
import type { Server } from 'node:http';
import { ConfigError } from '../config';

export async function listen(server: Server, port: number, host: string): Promise<void> {
  try {
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, host, () => {
        server.off('error', reject);
        resolve();
      });
    });
  } catch (err) {
    throw explainListenError(err, port, host);
  }
}

function explainListenError(err: unknown, port: number, host: string): unknown {
  const code = (err as NodeJS.ErrnoException | null)?.code;
  switch (code) {
    case 'EADDRINUSE':
      return new ConfigError(`TRACKQL_PORT ${port} is already in use on ${host}: stop what holds it, or set TRACKQL_PORT to a free port (0 picks one)`);
    case 'EACCES':
      return new ConfigError(`TRACKQL_PORT ${port} on ${host} needs privileges this process lacks: set TRACKQL_PORT to 1024 or above`);
    case 'EADDRNOTAVAIL':
      return new ConfigError(`TRACKQL_HOST '${host}' is not an address of this machine: set TRACKQL_HOST to one of its addresses (127.0.0.1, 0.0.0.0)`);
    default:
      return err;
  }
}
