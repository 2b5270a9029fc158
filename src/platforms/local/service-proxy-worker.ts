/**
 * The local platform's Service, as kube-proxy makes one (runs in its own worker thread, so proxying never
 * shares an event loop with load generation): each accepted TCP connection is paired with one ready
 * replica — round-robin over the ready set at accept time — and bytes are piped both ways. A connection
 * stays with its replica until one side closes it, even after the replica leaves the ready set; a replica
 * that dies resets its connections; with no ready replica the port stops listening, so a client is
 * refused, as a Service with no endpoints refuses (kube-proxy's REJECT rule). A replica on a lost machine
 * (a zone outage) goes silent instead: its connections and new ones to it get no answer, as packets sent
 * to a dead node get none, until the client times out. Closing, never RST: resetAndDestroy() under a storm
 * of resets spun this thread at 100 % in Node 20.
 */
import net from 'node:net';
import { parentPort } from 'node:worker_threads';
import { ownThreadId } from './proc-stat.js';
import type { ServiceToWorker, ServiceFromWorker } from './service-proxy-protocol.js';

const port = parentPort!;
let upstreams: { id: string; port: number }[] = [];
let next = 0;
let boundPort = 0;
let listening = false;
let closing = false;
const open = new Set<net.Socket>();
/** Connections by the replica they are pinned to. */
const pinned = new Map<string, Set<{ client: net.Socket; upstream: net.Socket }>>();
/** Replicas whose machine is gone (a lost zone): their connections go silent, as packets to a dead node do. */
const lost = new Set<string>();

/** A connection to a lost machine: nothing comes back and nothing is refused; the client times out. */
function blackhole(client: net.Socket): void {
  client.on('data', () => undefined); // read and drop, so the client's writes do not stall on a full buffer
  client.on('error', () => undefined);
}

const server = net.createServer({ noDelay: true }, (client) => {
  const up = upstreams[next++ % Math.max(1, upstreams.length)];
  if (!up) {
    client.destroy(); // accepted in the instant the last endpoint left
    return;
  }
  open.add(client);
  client.on('close', () => open.delete(client));
  if (lost.has(up.id)) return blackhole(client);
  const upstream = net.connect({ host: '127.0.0.1', port: up.port, noDelay: true });
  open.add(upstream);
  const pair = { client, upstream };
  const mine = pinned.get(up.id) ?? pinned.set(up.id, new Set()).get(up.id)!;
  mine.add(pair);
  client.pipe(upstream);
  upstream.pipe(client);
  // A replica that dies (or refuses) resets the client's connection; a clean close is passed on as a close.
  upstream.on('error', () => client.destroy());
  client.on('error', () => upstream.destroy());
  upstream.on('close', () => {
    open.delete(upstream);
    if (!client.destroyed && upstream.readableEnded === false) client.destroy();
  });
  client.on('close', () => {
    mine.delete(pair);
    upstream.destroy();
  });
});

function post(m: ServiceFromWorker): void {
  port.postMessage(m);
}

/** Listens while there are endpoints, refuses while there are none; `applied` once that is so. */
function reconcileListening(applied: () => void): void {
  if (closing) return applied();
  if (upstreams.length > 0 && !listening) {
    listening = true;
    server.listen(boundPort, '127.0.0.1', () => {
      boundPort = (server.address() as net.AddressInfo).port;
      post({ type: 'listening', port: boundPort });
      applied();
    });
    return;
  }
  if (upstreams.length === 0 && listening) {
    listening = false;
    server.close(); // new connections are refused from now on; established ones go on
  }
  applied();
}

server.on('error', (err) => post({ type: 'error', message: err.message }));
post({ type: 'thread', tid: ownThreadId() });

port.on('message', (m: ServiceToWorker) => {
  switch (m.type) {
    case 'upstreams':
      upstreams = m.upstreams;
      reconcileListening(() => post({ type: 'applied', version: m.version }));
      break;
    case 'lose':
      for (const id of m.ids) {
        lost.add(id);
        for (const { client, upstream } of pinned.get(id) ?? []) {
          client.unpipe(upstream);
          upstream.unpipe(client);
          upstream.removeAllListeners('close');
          upstream.removeAllListeners('error');
          upstream.on('error', () => undefined);
          upstream.destroy();
          blackhole(client);
        }
        pinned.delete(id);
      }
      post({ type: 'applied', version: m.version });
      break;
    case 'bind':
      // The first listen fixes the port, endpoints or not: the Service's address exists before its pods.
      boundPort = m.port;
      listening = true;
      server.listen(boundPort, '127.0.0.1', () => {
        boundPort = (server.address() as net.AddressInfo).port;
        post({ type: 'listening', port: boundPort });
        if (upstreams.length === 0) {
          listening = false;
          server.close();
        }
      });
      break;
    case 'close':
      // Everything closed, the thread ends by itself once its loop is empty (terminate() from outside
      // could spin in a thread tearing down sockets).
      closing = true;
      if (listening) server.close();
      for (const s of open) s.destroy();
      post({ type: 'closed' });
      port.close();
      break;
  }
});
