import type { LoadPlan, RequestSpec } from '../../src/engine/plan.js';

/** A load plan for tests: open model at `rps` for `durationMs` unless overridden. */
export function openPlan(origin: string, rps: number, durationMs: number, extra: Partial<LoadPlan> = {}): LoadPlan {
  return {
    target: { origin, insecure: false, http2: false },
    model: { kind: 'open', executor: 'constant-arrival-rate', stages: [{ durationMs, fromRps: rps, toRps: rps }] },
    durationMs,
    maxDurationMs: durationMs,
    connections: 20,
    maxInFlight: 10_000,
    requests: [request()],
    env: {},
    ...extra,
  };
}

export function closedPlan(origin: string, vus: number, durationMs: number, extra: Partial<LoadPlan> = {}): LoadPlan {
  return {
    ...openPlan(origin, 1, durationMs, extra),
    model: { kind: 'closed', executor: 'constant-vus', stages: [{ durationMs, fromVus: vus, toVus: vus }], thinkTimeMs: 0 },
    ...extra,
  };
}

export function request(extra: Partial<RequestSpec> = {}): RequestSpec {
  return { name: 'GET /', method: 'GET', path: '/', headers: {}, weight: 1, timeoutMs: 10_000, ...extra };
}
