/**
 * A stop (Ctrl-C) that comes while the load workers are still connecting: a server that accepts and never
 * answers holds the connection, and the run must end at once, not when the connection's deadline passes.
 */
import assert from 'node:assert/strict';
import net from 'node:net';
import type { AddressInfo } from 'node:net';
import { test } from 'node:test';
import { startLoadEngine } from '../../src/engine/engine.js';
import { openPlan, request } from '../helpers/plan.js';

test('a stop while an HTTP/2 server never sends its SETTINGS ends the run and closes the connection', async () => {
  let connected!: () => void;
  const accepted = new Promise<void>((resolve) => (connected = resolve));
  let closed!: () => void;
  const closedByClient = new Promise<void>((resolve) => (closed = resolve));
  const sockets = new Set<net.Socket>();
  const server = net.createServer((socket) => {
    sockets.add(socket);
    socket.on('error', () => undefined);
    socket.on('close', () => {
      sockets.delete(socket);
      closed();
    });
    socket.resume(); // takes the preface, answers nothing
    connected();
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  try {
    // The setup deadline is the request timeout: two minutes, far beyond the wait below.
    const plan = openPlan(origin, 10, 5000, { target: { origin, insecure: false, http2: true }, connections: 1, requests: [request({ timeoutMs: 120_000 })] });
    const engine = startLoadEngine({ plan, workers: 1, kind: 'threads' });
    await accepted;
    engine.stop();
    let hung: NodeJS.Timeout | undefined;
    const ended = await Promise.race([
      engine.finished.then((recording) => recording),
      new Promise<'still running'>((resolve) => (hung = setTimeout(() => resolve('still running'), 20_000))),
    ]);
    clearTimeout(hung);
    assert.notEqual(ended, 'still running', 'the run did not stop within 20 s');
    assert.equal(typeof ended === 'object' ? (ended.sent ?? 0) : -1, 0, 'nothing was sent after the stop');
    await closedByClient;
  } finally {
    for (const s of sockets) s.destroy();
    server.close();
  }
});
