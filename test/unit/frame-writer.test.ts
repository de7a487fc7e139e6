/** The frame writer over a real ws connection on loopback: the frames of one event-loop turn go out in one write. */
import type { AddressInfo, Socket } from 'node:net';
import WebSocket, { WebSocketServer } from 'ws';
import { FrameWriter } from '../../src/server/frame-writer';

let wss: WebSocketServer;
let client: WebSocket;
let server: WebSocket;

beforeEach(async () => {
  wss = new WebSocketServer({ port: 0, host: '127.0.0.1' });
  await new Promise((r) => wss.once('listening', r));
  const accepted = new Promise<WebSocket>((r) => wss.once('connection', r));
  client = new WebSocket(`ws://127.0.0.1:${(wss.address() as AddressInfo).port}`);
  await new Promise((r) => client.once('open', r));
  server = await accepted;
});
afterEach(async () => {
  client.terminate();
  await new Promise((r) => wss.close(r));
});

/** Counts the TCP socket's writes to the kernel (one `_writev` or `_write` per flush). */
function countWrites(ws: WebSocket): () => number {
  const raw = (ws as unknown as { _socket: Socket & { _writev: (...a: unknown[]) => void; _write: (...a: unknown[]) => void } })._socket;
  let writes = 0;
  for (const method of ['_writev', '_write'] as const) {
    const original = raw[method].bind(raw);
    raw[method] = (...args: unknown[]) => {
      writes += 1;
      return original(...args);
    };
  }
  return () => writes;
}

function receive(n: number): Promise<string[]> {
  const got: string[] = [];
  return new Promise((resolve) => client.on('message', (data) => {
    got.push(String(data));
    if (got.length === n) resolve(got);
  }));
}

describe('FrameWriter', () => {
  it('sends the frames of one turn in one write, in order, each its own WebSocket message', async () => {
    const writes = countWrites(server);
    const writer = new FrameWriter(server);
    const arriving = receive(10);
    for (let i = 0; i < 10; i += 1) expect(writer.write(`{"n":${i}}`)).toBe(true);
    expect(await arriving).toEqual(Array.from({ length: 10 }, (_, i) => `{"n":${i}}`));
    expect(writes()).toBe(1);
  });

  it('writes again in the next turn, and refuses frames once the socket is closed', async () => {
    const writes = countWrites(server);
    const writer = new FrameWriter(server);
    const arriving = receive(2);
    writer.write('a');
    await new Promise((r) => setImmediate(r));
    writer.write('b');
    expect(await arriving).toEqual(['a', 'b']);
    expect(writes()).toBe(2);
    const closed = new Promise((r) => server.once('close', r));
    client.close();
    await closed;
    expect(writer.write('c')).toBe(false);
    await expect(writer.drained()).resolves.toBeUndefined();
  });
});
