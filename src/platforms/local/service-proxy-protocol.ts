/** Messages between the local platform and its Service's worker thread: plain data. */
export type ServiceToWorker =
  | { type: 'bind'; port: number }
  | { type: 'upstreams'; version: number; upstreams: { id: string; port: number }[] }
  | { type: 'lose'; version: number; ids: string[] }
  | { type: 'close' };

export type ServiceFromWorker =
  | { type: 'listening'; port: number }
  /** The worker's Linux thread id, so its CPU can be read from /proc. */
  | { type: 'thread'; tid: number | null }
  | { type: 'applied'; version: number }
  | { type: 'error'; message: string }
  | { type: 'closed' };
