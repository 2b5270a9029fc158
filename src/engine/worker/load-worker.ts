/**
 * One load worker: runs its segment of the schedule, records every outcome, and reports one snapshot per
 * second. It talks only through `send` and `handle`, so a thread and a process run the same code.
 */
import { performance } from 'node:perf_hooks';
import { errorPayload, type FromWorkerMessage, type ToWorkerMessage, type WorkerInitPayload } from '../protocol.js';
import { createArrivalSchedule, shareOf, vusAt, type ArrivalSchedule } from '../schedule.js';
import type { LoadPlan } from '../plan.js';
import { PreciseWake } from './precise-wake.js';
import { Recorder } from './recorder.js';
import { createRequestMix, type RequestMix } from './request-mix.js';
import { createHttp1Transport } from './http1-transport.js';
import { createHttp2Transport } from './http2-transport.js';
import type { Transport } from './transport.js';

/** A start more than this late is dropped rather than sent: the generator cannot catch up honestly. */
const MAX_LATE_MS = 1000;
/** Starts fired per tick before yielding to I/O. */
const MAX_STARTS_PER_TICK = 2000;
const EXPIRE_EVERY_MS = 25;
const VU_CONTROL_EVERY_MS = 100;
/**
 * A next start closer than this is waited for by yielding to I/O and coming back (setImmediate) rather
 * than by the helper thread: a wake-up costs ~30 µs of CPU across two threads, more than the wait; at
 * such rates (> 10,000 per second per thread) the worker is busy with responses between starts anyway.
 */
const YIELD_BELOW_MS = 0.1;

export interface LoadWorker {
  handle(message: ToWorkerMessage): void;
}

export function createLoadWorker(send: (message: FromWorkerMessage) => void): LoadWorker {
  let run: WorkerRun | undefined;
  let stopRequested = false;
  return {
    handle(message) {
      try {
        switch (message.type) {
          case 'init':
            run = new WorkerRun(message.init, send);
            run.prepare().then(
              () => send({ type: 'ready' }),
              (err: unknown) => send({ type: 'error', error: errorPayload(err) }),
            );
            return;
          case 'start':
            if (!run) throw new Error('Internal error: start before init');
            run.start(message.startAtEpochMs);
            if (stopRequested) run.stop();
            return;
          case 'stop':
            stopRequested = true;
            run?.stop();
            return;
        }
      } catch (err) {
        send({ type: 'error', error: errorPayload(err) });
      }
    },
  };
}

class WorkerRun {
  private readonly plan: LoadPlan;
  private readonly index: number;
  private readonly count: number;
  private readonly transport: Transport;
  private readonly mix: RequestMix;
  private readonly recorder: Recorder;
  /** performance.now() of time zero. */
  private zero = 0;
  private started = false;
  /** Scheduling ends at this time (ms from zero); Infinity until known. */
  private endMs: number;
  private finished = false;
  private inFlight = 0;
  private second = 0;
  private timers: NodeJS.Timeout[] = [];
  private lastRetries = 0;
  private wake: PreciseWake | undefined;
  /** Starts sent since the last snapshot, and the time of the last one (ms from zero). */
  private sentSinceSnapshot = 0;
  private lastSentMs = 0;
  /** GOLIVE_DEBUG_START_COST_MS: CPU burnt per start, so a test can slow the generator down on purpose. */
  private readonly startCostMs = Number(process.env['GOLIVE_DEBUG_START_COST_MS'] ?? 0) || 0;

  constructor(
    init: WorkerInitPayload,
    private readonly send: (m: FromWorkerMessage) => void,
  ) {
    this.plan = init.plan;
    this.index = init.index;
    this.count = init.count;
    const url = new URL(this.plan.target.origin);
    const connections =
      this.plan.model.kind === 'closed'
        ? Math.max(1, shareOf(maxVus(this.plan), this.index, this.count))
        : Math.max(1, shareOf(this.plan.connections, this.index, this.count));
    this.transport = this.plan.target.http2
      ? createHttp2Transport(url, connections, this.plan.target.insecure)
      : createHttp1Transport(url, connections, this.plan.target.insecure);
    this.mix = createRequestMix(this.plan);
    this.recorder = new Recorder(this.index);
    this.endMs = this.plan.durationMs ?? this.plan.maxDurationMs;
  }

  async prepare(): Promise<void> {
    const [, wake] = await Promise.all([this.transport.warmUp(), this.plan.model.kind === 'open' ? PreciseWake.start() : null]);
    this.wake = wake ?? undefined;
  }

  start(startAtEpochMs: number): void {
    this.zero = startAtEpochMs - performance.timeOrigin;
    this.started = true;
    const begin = (): void => {
      this.send({ type: 'started', offsetMs: Math.round((performance.now() - this.zero) * 1000) / 1000 });
      this.timers.push(setInterval(() => this.transport.expire(performance.now()), EXPIRE_EVERY_MS));
      this.scheduleFlush();
      if (this.plan.model.kind === 'open') this.runOpen(createArrivalSchedule(this.plan.model.stages, { holdLast: this.plan.durationMs === null }));
      else this.runClosed();
    };
    const wait = this.zero - performance.now();
    if (wait > 0) setTimeout(begin, wait);
    else begin();
  }

  stop(): void {
    if (!this.started) {
      this.finish();
      return;
    }
    this.endMs = Math.min(this.endMs, this.elapsed());
  }

  private elapsed(): number {
    return performance.now() - this.zero;
  }

  private runOpen(schedule: ArrivalSchedule): void {
    const step = this.count;
    let j = this.index;
    const maxInFlight = Math.max(1, shareOf(this.plan.maxInFlight, this.index, this.count));
    let ended = false;
    const tick = (): void => {
      if (ended) return;
      const now = this.elapsed();
      let fired = 0;
      while (j < schedule.total && fired < MAX_STARTS_PER_TICK) {
        const t = schedule.timeOfIndex(j);
        if (t > now) break;
        if (t >= this.endMs) {
          j = Infinity;
          break;
        }
        const late = now - t;
        if (this.inFlight >= maxInFlight || late > MAX_LATE_MS) this.recorder.drop();
        else {
          this.recorder.recordLag(late);
          this.fire(j, t);
        }
        j += step;
        fired++;
      }
      if (j >= schedule.total || now >= this.endMs) {
        ended = true;
        this.drainThenFinish();
        return;
      }
      const nextMs = Math.min(schedule.timeOfIndex(j), this.endMs);
      const wait = nextMs - this.elapsed();
      // Starts due (a full batch) or nearly: yield to I/O, then go on. Otherwise sleep until the next start.
      if (wait <= YIELD_BELOW_MS || !wake) {
        if (wait <= YIELD_BELOW_MS) setImmediate(tick);
        else timer = setTimeout(tick, Math.max(1, Math.round(wait)));
      } else wake.at(performance.timeOrigin + this.zero + nextMs);
    };
    let timer: NodeJS.Timeout | undefined;
    let wake = this.wake;
    if (wake) {
      wake.onWake = tick;
      wake.onLost = () => {
        // The helper thread is gone: millisecond timers from here on (starts up to ~1 ms late).
        wake = undefined;
        if (timer) clearTimeout(timer);
        timer = setTimeout(tick, 1);
      };
    }
    tick();
  }

  private runClosed(): void {
    const model = this.plan.model;
    if (model.kind !== 'closed') return;
    let active = 0;
    let wanted = 0;
    let seq = this.index;
    const iterate = (): void => {
      if (active > wanted || this.elapsed() >= this.endMs) {
        active--;
        if (active === 0 && this.elapsed() >= this.endMs) this.drainThenFinish();
        return;
      }
      const j = seq;
      seq += this.count;
      this.fire(j, this.elapsed(), () => {
        if (model.thinkTimeMs > 0) setTimeout(iterate, model.thinkTimeMs);
        else iterate();
      });
    };
    const control = (): void => {
      const now = this.elapsed();
      if (now >= this.endMs) {
        if (active === 0) this.drainThenFinish();
        return;
      }
      wanted = shareOf(vusAt(model.stages, now), this.index, this.count);
      while (active < wanted) {
        active++;
        iterate();
      }
      setTimeout(control, Math.min(VU_CONTROL_EVERY_MS, Math.max(1, this.endMs - now)));
    };
    control();
  }

  /** Sends schedule index j, intended to start at t (ms from zero). */
  private fire(j: number, t: number, after?: () => void): void {
    const request = this.mix.pick(j);
    const outgoing = request.build(j, performance.timeOrigin + this.zero + t);
    if (this.startCostMs > 0) for (const until = performance.now() + this.startCostMs; performance.now() < until; );
    const sent = this.elapsed();
    this.sentSinceSnapshot++;
    this.lastSentMs = sent;
    if (outgoing.invalid) {
      // A templated value with a line break is the request's error, never bytes on the wire.
      this.recorder.record('error', t, sent, sent);
      if (after) after();
      return;
    }
    this.inFlight++;
    this.transport.send(outgoing, request.wantsBody, this.zero + t + request.timeoutMs, (status, body, failure) => {
      this.inFlight--;
      this.recorder.record(failure ?? request.judge(status, body), t, sent, this.elapsed());
      if (after) after();
    });
  }

  private scheduleFlush(): void {
    const at = this.zero + (this.second + 1) * 1000;
    const timer = setTimeout(
      () => {
        if (this.finished) return;
        this.flush(false);
        this.second++;
        this.scheduleFlush();
      },
      Math.max(0, at - performance.now()),
    );
    this.timers.push(timer);
  }

  private flush(final: boolean): void {
    const retries = this.transport.retries;
    const snapshot = this.recorder.snapshot(this.second, this.inFlight, retries - this.lastRetries, final);
    this.send({ type: 'snapshot', snapshot: { ...snapshot, sent: this.sentSinceSnapshot, lastSentMs: Math.round(this.lastSentMs * 1000) / 1000 } });
    this.sentSinceSnapshot = 0;
    this.lastRetries = retries;
  }

  /** Waits for requests in flight (each ends by its timeout at the latest), then sends the final snapshot. */
  private drainThenFinish(): void {
    const check = (): void => {
      if (this.finished) return;
      if (this.inFlight === 0) this.finish();
      else setTimeout(check, 5);
    };
    check();
  }

  private finish(): void {
    if (this.finished) return;
    this.finished = true;
    for (const t of this.timers) clearTimeout(t);
    this.wake?.close();
    if (this.started) {
      this.second = Math.max(this.second, Math.floor(this.elapsed() / 1000));
      this.flush(true);
    }
    this.transport.close();
    // endMs is the planned length, or the moment of an early stop: the span the schedule covered.
    this.send({ type: 'done', durationMs: this.started ? this.endMs : 0 });
  }
}

function maxVus(plan: LoadPlan): number {
  return plan.model.kind === 'closed' ? Math.max(...plan.model.stages.map((s) => Math.max(s.fromVus, s.toVus))) : 0;
}
