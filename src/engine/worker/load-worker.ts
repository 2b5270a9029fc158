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
import { createRequestMix, rowPicker, type RequestMix } from './request-mix.js';
import { JourneyRecorder } from './journeys/journey-recorder.js';
import { JourneyRunner, type Settle } from './journeys/journey-runner.js';
import { WakeQueue } from './wake-queue.js';
import { warmUpHotPath, warmUpRequests } from './jit-warm-up.js';
import { createHttp1Transport } from './http1-transport.js';
import { createHttp2Transport } from './http2-transport.js';
import type { Outgoing, Transport, Wants } from './transport.js';

/** A start more than this late is dropped rather than sent: the generator cannot catch up honestly. */
const MAX_LATE_MS = 1000;
/** Starts fired per tick before yielding to I/O. */
const MAX_STARTS_PER_TICK = 2000;
const EXPIRE_EVERY_MS = 25;
/**
 * Starts closer together than this (from ~1,100 req/s per thread) wake the worker with a libuv timer, up to a
 * millisecond late, and go out together: each precise wake-up cost 35–90 µs of CPU here across two threads
 * (more than a request), so at 5,000 req/s waking per start took a fifth of a core for nothing. The lag is
 * recorded and latency runs from the intended start, so it is never hidden. Sparser starts each get their
 * own precise wake-up. While responses keep the worker awake, due starts go out with them.
 */
const COALESCE_MS = 0.9;
const VU_CONTROL_EVERY_MS = 100;
const WANT_BODY: Wants = { body: true, headers: undefined };
const WANT_NOTHING: Wants = { body: false, headers: undefined };

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
  private readonly connections: number;
  private readonly mix: RequestMix;
  private readonly recorder: Recorder;
  private readonly journeyRecorder: JourneyRecorder | undefined;
  private readonly journeys: JourneyRunner | undefined;
  private queue: WakeQueue | undefined;
  /** performance.now() of time zero. */
  private zero = 0;
  private started = false;
  /** Scheduling ends at this time (ms from zero); Infinity until known. */
  private endMs: number;
  /** Set by a stop: journeys under way are cut there (at the planned end they go on to their own end). */
  private stoppedAtMs = Infinity;
  private finished = false;
  private inFlight = 0;
  private second = 0;
  private timers: NodeJS.Timeout[] = [];
  private lastRetries = 0;
  private wake: PreciseWake | undefined;
  /** The open model's next start (ms from zero), and what sends the due ones. */
  private nextStartMs = Infinity;
  private sendDueStarts: () => void = () => undefined;
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
    // HTTP/1.1 VUs each hold a connection, as browsers' tabs do; HTTP/2 multiplexes them over `connections` sessions.
    const connections =
      this.plan.model.kind === 'closed' && !this.plan.target.http2
        ? Math.max(1, shareOf(maxVus(this.plan), this.index, this.count))
        : Math.max(1, shareOf(Math.min(this.plan.connections, this.plan.model.kind === 'closed' ? maxVus(this.plan) : Infinity), this.index, this.count));
    this.connections = connections;
    this.transport = this.plan.target.http2
      ? createHttp2Transport(url, connections, this.plan.target.insecure)
      : createHttp1Transport(url, connections, this.plan.target.insecure);
    this.mix = createRequestMix(this.plan);
    this.recorder = new Recorder(this.index);
    this.endMs = this.plan.durationMs ?? this.plan.maxDurationMs;
    if (this.plan.journeys?.length) {
      this.journeyRecorder = new JourneyRecorder(this.plan.journeys);
      this.journeys = new JourneyRunner(
        this.plan,
        rowPicker(this.plan),
        {
          dispatch: (outgoing, t, timeoutMs, wants, settle, after) => this.dispatch(outgoing, t, timeoutMs, wants, settle, after),
          at: (ms, task) => this.queue!.at(ms, task),
          elapsed: () => this.elapsed(),
          epochOf: (ms) => performance.timeOrigin + this.zero + ms,
          cutAtMs: () => this.stoppedAtMs,
          recordLag: (ms) => this.recorder.recordLag(ms),
        },
        this.journeyRecorder,
      );
    }
  }

  async prepare(): Promise<void> {
    // Precise wake-ups for the open model's starts and for journeys' think times.
    const thinks = this.plan.journeys?.some((j) => j.steps.some((s) => s.think)) ?? false;
    const [, wake] = await Promise.all([this.transport.warmUp(), this.plan.model.kind === 'open' || thinks ? PreciseWake.start() : null]);
    this.wake = wake ?? undefined;
    // HTTP/2 and journeys run other code than the warm-up's (they start cold).
    const warmUp = this.plan.target.http2 || this.plan.requests.length === 0 ? 0 : warmUpRequests(this.peakStartsPerSecond());
    if (warmUp > 0) await warmUpHotPath(this.mix, warmUp, this.connections);
  }

  /** This worker's most starts in a second: its share of the peak rate, or of the VUs at ~200 requests a second each. */
  private peakStartsPerSecond(): number {
    const model = this.plan.model;
    const total = model.kind === 'open' ? Math.max(...model.stages.map((s) => Math.max(s.fromRps, s.toRps))) : maxVus(this.plan) * 200;
    return total / this.count;
  }

  start(startAtEpochMs: number): void {
    this.zero = startAtEpochMs - performance.timeOrigin;
    this.started = true;
    this.queue = new WakeQueue(
      () => this.elapsed(),
      (ms) => performance.timeOrigin + this.zero + ms,
      this.wake,
    );
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
    this.stoppedAtMs = this.endMs;
  }

  private elapsed(): number {
    return performance.now() - this.zero;
  }

  private runOpen(schedule: ArrivalSchedule): void {
    const step = this.count;
    let j = this.index;
    const maxInFlight = Math.max(1, shareOf(this.plan.maxInFlight, this.index, this.count));
    const queue = this.queue!;
    const journeys = this.journeys;
    let ended = false;
    let wakeQueued = false;
    /** Sends every start that is due; false once the schedule is over. */
    const fireDue = (): boolean => {
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
        // With journeys, the bound is on journeys under way (each lives through its steps and think times).
        if ((journeys ? journeys.active : this.inFlight) >= maxInFlight || late > MAX_LATE_MS) this.recorder.drop();
        else {
          this.recorder.recordLag(late);
          if (journeys) this.startJourney(j, t);
          else this.fire(j, t);
        }
        j += step;
        fired++;
      }
      if (j >= schedule.total || now >= this.endMs) {
        ended = true;
        this.nextStartMs = Infinity;
        this.drainThenFinish();
        return false;
      }
      this.nextStartMs = schedule.timeOfIndex(j);
      return true;
    };
    const wake = (): void => {
      wakeQueued = false;
      if (ended || !fireDue()) return;
      const first = this.nextStartMs;
      const dense = j + step < schedule.total && schedule.timeOfIndex(j + step) - first <= COALESCE_MS;
      wakeQueued = true;
      // Starts due (a full batch) are taken after I/O; otherwise the queue sleeps until the next one.
      queue.at(Math.min(first, this.endMs), wake, dense);
    };
    // A response can find the next start due: it goes out now rather than at the next wake-up.
    this.sendDueStarts = () => {
      if (!ended) fireDue();
      if (!ended && !wakeQueued) wake();
    };
    wake();
  }

  private runClosed(): void {
    const model = this.plan.model;
    if (model.kind !== 'closed') return;
    let active = 0;
    let wanted = 0;
    let seq = this.index;
    const iterate = (now = this.elapsed()): void => {
      if (active > wanted || now >= this.endMs) {
        active--;
        if (active === 0 && now >= this.endMs) this.drainThenFinish();
        return;
      }
      const j = seq;
      seq += this.count;
      if (this.journeys) this.startJourney(j, now, next);
      else this.fire(j, now, next);
    };
    // A VU's next request: at once (from the time its last one ended), or after its think time.
    const next = (_outcome: string, now: number): void => {
      if (model.thinkTimeMs > 0) setTimeout(iterate, model.thinkTimeMs);
      else iterate(now);
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
  private fire(j: number, t: number, after?: (outcome: string, nowMs: number) => void): void {
    const request = this.mix.pick(j);
    const outgoing = request.build(j, performance.timeOrigin + this.zero + t);
    this.burnStartCost();
    this.sentSinceSnapshot++;
    const sent = this.elapsed();
    this.lastSentMs = sent;
    this.dispatch(outgoing, t, request.timeoutMs, request.wantsBody ? WANT_BODY : WANT_NOTHING, request.settle, after, sent);
  }

  /** Starts the journey of schedule index j: the achieved rate counts journeys started. */
  private startJourney(j: number, t: number, after?: (outcome: string, nowMs: number) => void): void {
    this.burnStartCost();
    this.sentSinceSnapshot++;
    // The achieved rate is of journeys started: later steps (after the planned end, too) are not starts.
    this.lastSentMs = this.elapsed();
    this.journeys!.start(j, t, after && (() => after('', this.elapsed())));
  }

  private burnStartCost(): void {
    if (this.startCostMs > 0) for (const until = performance.now() + this.startCostMs; performance.now() < until; );
  }

  /** Puts one request on the wire, intended at t; records its outcome (from `settle`) when it ends. */
  private dispatch(
    outgoing: Outgoing,
    t: number,
    timeoutMs: number,
    wants: Wants,
    settle: Settle,
    after?: (outcome: string, nowMs: number) => void,
    sent = this.elapsed(),
  ): void {
    if (outgoing.invalid) {
      // A templated value with a line break is the request's error, never bytes on the wire.
      this.recorder.record('error', t, sent, sent);
      if (after) after('error', sent);
      return;
    }
    this.inFlight++;
    this.transport.send(outgoing, wants, this.zero + t + timeoutMs, (status, body, failure, headers) => {
      this.inFlight--;
      const now = this.elapsed();
      const outcome = settle(status, body, failure, headers);
      this.recorder.record(outcome, t, sent, now);
      if (after) after(outcome, now);
      if (now >= this.nextStartMs) this.sendDueStarts();
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
    const journeys = this.journeyRecorder?.snapshot();
    this.send({
      type: 'snapshot',
      snapshot: { ...snapshot, sent: this.sentSinceSnapshot, lastSentMs: Math.round(this.lastSentMs * 1000) / 1000, ...(journeys ? { journeys } : {}) },
    });
    this.sentSinceSnapshot = 0;
    this.lastRetries = retries;
  }

  /** Waits for requests in flight (each ends by its timeout at the latest), then sends the final snapshot. */
  private drainThenFinish(): void {
    const check = (): void => {
      if (this.finished) return;
      // Journeys under way (in a think time) still have steps to send.
      if (this.inFlight === 0 && (this.journeys?.active ?? 0) === 0) this.finish();
      else setTimeout(check, 5);
    };
    check();
  }

  private finish(): void {
    if (this.finished) return;
    this.finished = true;
    for (const t of this.timers) clearTimeout(t);
    this.queue?.close();
    this.wake?.close();
    this.journeys?.cutAll();
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
