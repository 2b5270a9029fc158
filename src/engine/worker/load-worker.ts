/**
 * One load worker: runs its segment of the schedule, records every outcome, and reports one snapshot per
 * second. It talks only through `send` and `handle`, so a thread and a process run the same code.
 */
import { performance } from 'node:perf_hooks';
import { errorPayload, type FromWorkerMessage, type ToWorkerMessage, type WorkerInitPayload } from '../protocol.js';
import { createArrivalSchedule, shareOf, vusAt } from '../schedule.js';
import type { LoadPlan, RedirectPolicy } from '../plan.js';
import { warmUpHistograms } from '../../model/histogram.js';
import { PreciseWake } from './precise-wake.js';
import { Recorder } from './recorder.js';
import { createRequestMix, rowPicker, type RequestMix } from './request-mix.js';
import { JourneyRecorder } from './journeys/journey-recorder.js';
import { JourneyRunner, type Settle } from './journeys/journey-runner.js';
import { WakeQueue } from './wake-queue.js';
import { OpenLoop, type OpenLoopHost } from './open-loop.js';
import { REHEARSAL_MS, startRehearsal } from './rehearsal.js';
import { createHttp1Transport } from './http1-transport.js';
import { createHttp2Transport } from './http2-transport.js';
import type { Done, Outgoing, Transport, Wants } from './transport.js';
import { RedirectFollower } from './redirects.js';

const EXPIRE_EVERY_MS = 25;
const VU_CONTROL_EVERY_MS = 100;
/** After a rehearsal, V8 finishes compiling what it made hot before time zero, not on the load's core during it. */
const COMPILE_SETTLE_MS = 200;
const REHEARSALS = 2;
const REHEARSAL_SNAPSHOT_MS = 25;

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

class WorkerRun implements OpenLoopHost {
  private readonly plan: LoadPlan;
  private readonly index: number;
  private readonly count: number;
  private readonly transport: Transport;
  /** For the requests that follow redirects: connections to the other hosts they may lead to. */
  private readonly redirects: RedirectFollower | undefined;
  private readonly mix: RequestMix;
  private readonly rehearsal: boolean;
  private readonly recorder: Recorder;
  private readonly journeyRecorder: JourneyRecorder | undefined;
  private readonly journeys: JourneyRunner | undefined;
  private queue: WakeQueue | undefined;
  /** performance.now() of time zero. */
  private zero = 0;
  private started = false;
  /** Scheduling ends at this time (ms from zero); Infinity until known. */
  endMs: number;
  /** Set by a stop: journeys under way are cut there (at the planned end they go on to their own end). */
  private stoppedAtMs = Infinity;
  private finished = false;
  /** A stop came before the start: the preparation ends at once and the start stops there. */
  private stoppedEarly = false;
  private endPreparation: () => void = () => undefined;
  /** Resolves on a stop before the start: a warm-up against a server that never answers cannot hold the run. */
  private readonly preparationEnded = new Promise<void>((resolve) => (this.endPreparation = resolve));
  private inFlight = 0;
  private second = 0;
  private timers: NodeJS.Timeout[] = [];
  private lastRetries = 0;
  private wake: PreciseWake | undefined;
  private open: OpenLoop | undefined;
  /** Starts sent since the last snapshot, and the time of the last one (ms from zero). */
  private sentSinceSnapshot = 0;
  private lastSentMs = 0;
  /** GOLIVE_DEBUG_START_COST_MS: CPU burnt per start, so a test can slow the generator down on purpose. */
  private readonly startCostMs = Number(process.env['GOLIVE_DEBUG_START_COST_MS'] ?? 0) || 0;

  constructor(
    init: WorkerInitPayload,
    private readonly send: (m: FromWorkerMessage) => void,
    /** For a rehearsal run (rehearsal.ts): the real run's request mix. Its figures are thrown away, its wake-up is the real run's. */
    rehearsalOf?: RequestMix,
  ) {
    this.rehearsal = rehearsalOf !== undefined;
    this.plan = init.plan;
    this.index = init.index;
    this.count = init.count;
    const url = new URL(this.plan.target.origin);
    // HTTP/1.1 VUs each hold a connection, as browsers' tabs do; HTTP/2 multiplexes them over `connections` sessions.
    const connections =
      this.plan.model.kind === 'closed' && !this.plan.target.http2
        ? Math.max(1, shareOf(maxVus(this.plan), this.index, this.count))
        : Math.max(1, shareOf(Math.min(this.plan.connections, this.plan.model.kind === 'closed' ? maxVus(this.plan) : Infinity), this.index, this.count));
    this.transport = this.plan.target.http2
      ? createHttp2Transport(url, connections, this.plan.target.insecure, longestTimeoutMs(this.plan))
      : createHttp1Transport(url, connections, this.plan.target.insecure, longestTimeoutMs(this.plan));
    // Other hosts a redirect leads to are spoken to in HTTP/1.1, on connections opened when first needed.
    this.redirects = followsRedirects(this.plan)
      ? new RedirectFollower(url, this.transport, (origin) => createHttp1Transport(origin, connections, this.plan.target.insecure, longestTimeoutMs(this.plan)))
      : undefined;
    // A rehearsal sends the real run's requests (the same code, the same objects), to its own responder.
    this.mix = rehearsalOf ?? createRequestMix(this.plan);
    this.recorder = new Recorder(this.index, { rawLog: !this.rehearsal });
    this.endMs = this.plan.durationMs ?? this.plan.maxDurationMs;
    if (this.plan.journeys?.length) {
      this.journeyRecorder = new JourneyRecorder(this.plan.journeys);
      this.journeys = new JourneyRunner(
        this.plan,
        rowPicker(this.plan),
        {
          dispatch: (outgoing, t, timeoutMs, wants, settle, after, redirects) =>
            this.dispatch(outgoing, t, timeoutMs, wants, settle, after, undefined, redirects),
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

  async prepare(rehearsalWake?: PreciseWake): Promise<void> {
    const warmUp = Promise.race([this.transport.warmUp(), this.preparationEnded]);
    if (this.rehearsal) {
      await warmUp;
      this.wake = rehearsalWake;
      return;
    }
    // Precise wake-ups for the open model's starts and for journeys' think times.
    const thinks = this.plan.journeys?.some((j) => j.steps.some((s) => s.think)) ?? false;
    const [, wake] = await Promise.all([warmUp, this.plan.model.kind === 'open' || thinks ? PreciseWake.start() : null]);
    this.wake = wake ?? undefined;
    if (!this.stoppedEarly) await this.rehearse();
  }

  /**
   * Runs this worker's share of the load against a responder of its own first, so the load starts with
   * optimized code: twice, since the end of the first sends V8 back to unoptimized code for what had never run
   * (the schedule's end); the second ends with every branch known.
   */
  private async rehearse(): Promise<void> {
    for (let round = 0; round < REHEARSALS && !this.stoppedEarly; round++) {
      const rehearsal = await startRehearsal(this.plan, this.index, this.count);
      if (!rehearsal) return;
      try {
        let run: WorkerRun | undefined;
        await new Promise<void>((resolve, reject) => {
          run = new WorkerRun(
            { plan: rehearsal.plan, index: 0, count: 1 },
            (m) => (m.type === 'done' ? resolve() : m.type === 'error' ? reject(new Error(m.error.message)) : undefined),
            this.mix,
          );
          run.prepare(this.wake).then(() => run!.start(performance.timeOrigin + performance.now()), reject);
          // A rehearsal that has not ended well after its length is cut: it only ever saves time.
          setTimeout(() => run!.stop(), 20 * REHEARSAL_MS).unref();
        });
      } finally {
        rehearsal.close();
      }
    }
    // Its per-second encoding runs only a few dozen times in a rehearsal: not yet hot enough to be compiled.
    warmUpHistograms();
    await new Promise((resolve) => setTimeout(resolve, COMPILE_SETTLE_MS));
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
      this.timers.push(
        setInterval(() => {
          const now = performance.now();
          this.transport.expire(now);
          this.redirects?.expire(now);
        }, EXPIRE_EVERY_MS),
      );
      this.scheduleFlush();
      if (this.plan.model.kind === 'open') {
        const schedule = createArrivalSchedule(this.plan.model.stages, { holdLast: this.plan.durationMs === null });
        const maxInFlight = Math.max(1, shareOf(this.plan.maxInFlight, this.index, this.count));
        this.open = new OpenLoop(schedule, this.queue!, this, this.index, this.count, maxInFlight);
        this.open.begin();
      } else this.runClosed();
    };
    const wait = this.zero - performance.now();
    if (wait > 0) setTimeout(begin, wait);
    else begin();
    if (this.stoppedEarly) this.stop();
  }

  stop(): void {
    if (!this.started) {
      this.stoppedEarly = true;
      this.endPreparation();
      return;
    }
    this.endMs = Math.min(this.endMs, this.elapsed());
    this.stoppedAtMs = this.endMs;
  }

  elapsed(): number {
    return performance.now() - this.zero;
  }

  // The open loop's host (open-loop.ts).
  underWay(): number {
    // With journeys, the bound is on journeys under way (each lives through its steps and think times).
    return this.journeys ? this.journeys.active : this.inFlight;
  }

  startIndex(j: number, t: number): void {
    if (this.journeys) this.startJourney(j, t);
    else this.fire(j, t);
  }

  drop(): void {
    this.recorder.drop();
  }

  recordLag(lateMs: number): void {
    this.recorder.recordLag(lateMs);
  }

  scheduleEnded(): void {
    this.drainThenFinish();
  }

  // The closed model: VUs each loop over request → response (→ think time) until the end. Methods, not
  // closures made per run, so the rehearsal and the run share optimized code.
  private vusActive = 0;
  private vusWanted = 0;
  private vuSeq = 0;
  private readonly vuNext = (_outcome: string, now: number): void => this.vuContinue(now);

  private runClosed(): void {
    this.vuSeq = this.index;
    this.vuControl();
  }

  /** A VU's next request, or its end when there are more VUs than wanted or the run is over. */
  private vuIterate(now: number): void {
    if (this.vusActive > this.vusWanted || now >= this.endMs) {
      this.vusActive--;
      if (this.vusActive === 0 && now >= this.endMs) this.drainThenFinish();
      return;
    }
    const j = this.vuSeq;
    this.vuSeq += this.count;
    if (this.journeys) this.startJourney(j, now, this.vuNext);
    else this.fire(j, now, this.vuNext);
  }

  /** After a VU's request: at once (from the time it ended), or after its think time. */
  private vuContinue(now: number): void {
    const model = this.plan.model;
    if (model.kind === 'closed' && model.thinkTimeMs > 0) setTimeout(() => this.vuIterate(this.elapsed()), model.thinkTimeMs);
    else this.vuIterate(now);
  }

  /** Every 100 ms: as many VUs as the stages want now. */
  private vuControl(): void {
    const model = this.plan.model;
    if (model.kind !== 'closed') return;
    const now = this.elapsed();
    if (now >= this.endMs) {
      if (this.vusActive === 0) this.drainThenFinish();
      return;
    }
    this.vusWanted = shareOf(vusAt(model.stages, now), this.index, this.count);
    while (this.vusActive < this.vusWanted) {
      this.vusActive++;
      this.vuIterate(now);
    }
    setTimeout(() => this.vuControl(), Math.min(VU_CONTROL_EVERY_MS, Math.max(1, this.endMs - now)));
  }

  /** Sends schedule index j, intended to start at t (ms from zero). */
  private fire(j: number, t: number, after?: (outcome: string, nowMs: number) => void): void {
    const request = this.mix.pick(j);
    const outgoing = request.build(j, performance.timeOrigin + this.zero + t);
    this.burnStartCost();
    this.sentSinceSnapshot++;
    const sent = this.elapsed();
    this.lastSentMs = sent;
    this.dispatch(outgoing, t, request.timeoutMs, request.wants, request.settle, after, sent, request.redirects);
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
    redirects?: RedirectPolicy,
  ): void {
    if (outgoing.invalid) {
      // A templated value with a line break is the request's error, never bytes on the wire.
      this.recorder.record('error', t, sent, sent);
      if (after) after('error', sent);
      return;
    }
    this.inFlight++;
    const done: Done = (status, body, failure, headers) => {
      this.inFlight--;
      const now = this.elapsed();
      const outcome = settle(status, body, failure, headers);
      this.recorder.record(outcome, t, sent, now);
      if (after) after(outcome, now);
      const open = this.open;
      if (open && now >= open.nextStartMs) open.sendDue();
    };
    const deadline = this.zero + t + timeoutMs;
    if (redirects) this.redirects!.send(outgoing, wants, deadline, redirects, done);
    else this.transport.send(outgoing, wants, deadline, done);
  }

  private scheduleFlush(): void {
    // A rehearsal snapshots often, so the per-second snapshot's code is warm too when the load starts.
    const at = this.zero + (this.second + 1) * (this.rehearsal ? REHEARSAL_SNAPSHOT_MS : 1000);
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
    if (!this.rehearsal) this.wake?.close();
    this.journeys?.cutAll();
    if (this.started) {
      this.second = Math.max(this.second, Math.floor(this.elapsed() / 1000));
      this.flush(true);
    }
    this.transport.close();
    this.redirects?.close();
    // endMs is the planned length, or the moment of an early stop: the span the schedule covered.
    this.send({ type: 'done', durationMs: this.started ? this.endMs : 0 });
  }
}

/** The longest request timeout: no request could wait longer for a connection to be set up. */
function longestTimeoutMs(plan: LoadPlan): number {
  let ms = 0;
  for (const r of plan.requests) ms = Math.max(ms, r.timeoutMs);
  for (const j of plan.journeys ?? []) for (const step of j.steps) ms = Math.max(ms, step.timeoutMs);
  return ms;
}

function maxVus(plan: LoadPlan): number {
  return plan.model.kind === 'closed' ? Math.max(...plan.model.stages.map((s) => Math.max(s.fromVus, s.toVus))) : 0;
}

function followsRedirects(plan: LoadPlan): boolean {
  return plan.requests.some((r) => r.followRedirects) || (plan.journeys ?? []).some((j) => j.steps.some((s) => s.followRedirects));
}
