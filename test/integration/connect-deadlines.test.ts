/**
 * Every phase before the first byte has a deadline: a TCP connect into a full accept backlog, a TLS handshake the
 * server never answers. The run ends within its length plus the timeout plus a little, with timeouts, and a stop
 * during the warm-up ends it too.
 */
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import net from 'node:net';
import tls from 'node:tls';
import type { AddressInfo } from 'node:net';
import { performance } from 'node:perf_hooks';
import { createInterface } from 'node:readline';
import { describe, test } from 'node:test';
import { spanStats } from '../../src/analysis/stats.js';
import { startLoadEngine } from '../../src/engine/engine.js';
import type { LoadPlan } from '../../src/engine/plan.js';
import type { Recording } from '../../src/model/recording.js';
import { openPlan, request } from '../helpers/plan.js';
import { selfSignedCert } from '../helpers/self-signed.js';
import { waitFor } from '../helpers/wait.js';

/** Runs the engine; resolves with the recording and how long the run took, or 'hung' after `limitMs`. */
async function runWithin(plan: LoadPlan, limitMs: number, stopWhen?: Promise<void>): Promise<{ recording: Recording; ms: number; stopToEndMs: number }> {
  const startedAt = performance.now();
  const engine = startLoadEngine({ plan, workers: 1, kind: 'threads' });
  let stoppedAt = NaN;
  void stopWhen?.then(() => {
    stoppedAt = performance.now();
    engine.stop();
  });
  let timer: NodeJS.Timeout | undefined;
  const ended = await Promise.race([engine.finished, new Promise<'hung'>((resolve) => (timer = setTimeout(() => resolve('hung'), limitMs)))]);
  clearTimeout(timer);
  assert.notEqual(ended, 'hung', `the run had not ended after ${limitMs / 1000} s`);
  const now = performance.now();
  return { recording: ended as Recording, ms: now - startedAt, stopToEndMs: now - stoppedAt };
}

/** A frozen app: a process whose listening socket has a backlog of 1 and which never accepts (its loop is blocked). */
async function startFrozenApp(): Promise<{ port: number; child: ChildProcess }> {
  const script = `
    const net = require('node:net');
    const server = net.createServer();
    server.listen({ port: 0, host: '127.0.0.1', backlog: 1 }, () => {
      console.log(server.address().port);
      Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0); // frozen: never accepts again
    });`;
  const child = spawn(process.execPath, ['-e', script], { stdio: ['ignore', 'pipe', 'inherit'] });
  const line = await new Promise<string>((resolve) => createInterface({ input: child.stdout }).once('line', resolve));
  return { port: Number(line), child };
}

/** A server that accepts and reads but never answers: a TLS ClientHello waits forever. */
async function startSilentServer(): Promise<{ port: number; connected: Promise<void>; readonly open: number; close(): void }> {
  const sockets = new Set<net.Socket>();
  let connected!: () => void;
  const first = new Promise<void>((resolve) => (connected = resolve));
  const server = net.createServer((socket) => {
    sockets.add(socket);
    socket.on('error', () => undefined);
    socket.on('close', () => sockets.delete(socket));
    socket.resume();
    connected();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: (server.address() as AddressInfo).port,
    connected: first,
    get open() {
      return sockets.size;
    },
    close: () => {
      for (const s of sockets) s.destroy();
      server.close();
    },
  };
}

const DURATION_MS = 1000;
const TIMEOUT_MS = 1000;
/** Thread start, the warm-up's wait for connections (at most the timeout), the drain: generous for a busy machine. */
const GRACE_MS = 6000;

describe('deadlines before the first byte', () => {
  test('a frozen app with a full accept backlog: every request times out and the run ends on time', async () => {
    const app = await startFrozenApp();
    // Fill the backlog, so golive's own connects wait for a SYN-ACK that never comes.
    const fillers = Array.from({ length: 4 }, () => net.connect(app.port, '127.0.0.1').on('error', () => undefined));
    try {
      const origin = `http://127.0.0.1:${app.port}`;
      const run = await runWithin(openPlan(origin, 20, DURATION_MS, { connections: 4, requests: [request({ timeoutMs: TIMEOUT_MS })] }), 60_000);
      assert.deepEqual(spanStats(run.recording.seconds).requests.byOutcome, { timeout: 20 });
      assert.ok(run.ms < DURATION_MS + TIMEOUT_MS + GRACE_MS, `the run took ${Math.round(run.ms)} ms`);
    } finally {
      for (const f of fillers) f.destroy();
      app.child.kill('SIGKILL');
    }
  });

  test('a TLS handshake the server never answers: every request times out and the run ends on time', async () => {
    const server = await startSilentServer();
    try {
      const origin = `https://127.0.0.1:${server.port}`;
      const plan = openPlan(origin, 20, DURATION_MS, {
        target: { origin, insecure: true, http2: false },
        connections: 4,
        requests: [request({ timeoutMs: TIMEOUT_MS })],
      });
      const run = await runWithin(plan, 60_000);
      assert.deepEqual(spanStats(run.recording.seconds).requests.byOutcome, { timeout: 20 });
      assert.ok(run.ms < DURATION_MS + TIMEOUT_MS + GRACE_MS, `the run took ${Math.round(run.ms)} ms`);
    } finally {
      server.close();
    }
  });

  test('connections the warm-up opened that never complete their handshake are given up at the timeout: the pool recovers', async () => {
    // The first connections (the warm-up's) meet a server that never answers; later ones a real HTTPS server.
    const cert = selfSignedCert();
    const https = tls.createServer(cert, (socket) => {
      socket.on('error', () => undefined);
      socket.on('data', () => socket.write('HTTP/1.1 200 OK\r\ncontent-length: 2\r\n\r\nok'));
    });
    const held = new Set<net.Socket>();
    const front = net.createServer((socket) => {
      socket.on('error', () => undefined);
      if (held.size < 4) held.add(socket.resume());
      else https.emit('connection', socket);
    });
    await new Promise<void>((resolve) => front.listen(0, '127.0.0.1', resolve));
    try {
      const origin = `https://127.0.0.1:${(front.address() as AddressInfo).port}`;
      const plan = openPlan(origin, 20, 3000, {
        target: { origin, insecure: true, http2: false },
        connections: 4,
        requests: [request({ timeoutMs: TIMEOUT_MS })],
      });
      const run = await runWithin(plan, 60_000);
      const byOutcome = spanStats(run.recording.seconds).requests.byOutcome;
      assert.equal(held.size, 4, 'the warm-up opened 4 connections');
      assert.ok((byOutcome['ok'] ?? 0) >= 20, `after the held connections were given up, requests succeed: ${JSON.stringify(byOutcome)}`);
    } finally {
      for (const s of held) s.destroy();
      front.close();
      https.close();
    }
  });

  test('a stop while TLS handshakes hang ends the run, long before the request timeout', async () => {
    const server = await startSilentServer();
    try {
      const origin = `https://127.0.0.1:${server.port}`;
      const plan = openPlan(origin, 20, 10_000, {
        target: { origin, insecure: true, http2: false },
        connections: 4,
        requests: [request({ timeoutMs: 30_000 })],
      });
      const run = await runWithin(plan, 60_000, server.connected);
      assert.ok(run.stopToEndMs < 5000, `ended ${Math.round(run.stopToEndMs)} ms after the stop`);
      assert.equal(run.recording.sent ?? 0, 0, 'nothing was sent after the stop');
      await waitFor('the handshakes to be given up', () => server.open === 0, 10_000);
    } finally {
      server.close();
    }
  });
});
