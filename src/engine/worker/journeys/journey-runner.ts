/**
 * Runs journeys inside a load worker: each start walks its journey's steps in order, keeps the values the
 * responses give (`extract` → `{{vars.NAME}}`) and its cookies, and sends each next step at its intended start —
 * the previous response plus the think time — so a slow step never hides the wait of the next one.
 * Every request still goes through the worker's dispatch: the figures and the downtime see each one.
 */
import type { Outcome } from '../../../model/outcome.js';
import type { JourneySpec, LoadPlan, RedirectPolicy } from '../../plan.js';
import { prepareRequest, weightedCycle, withCookie, type PreparedRequest, type RowFor } from '../request-mix.js';
import type { Outgoing, ResponseHeaders, Wants } from '../transport.js';
import { CookieJar } from './cookie-jar.js';
import { compileExtraction, type Extraction } from './extract.js';
import type { JourneyEnd, JourneyRecorder } from './journey-recorder.js';

/** Turns a response into the outcome recorded for it. */
export type Settle = (status: number, body: Buffer | undefined, failure: Outcome | undefined, headers: ResponseHeaders | undefined) => string;

/** What the runner needs from the worker. Times are ms from the run's zero. */
export interface StepDispatcher {
  /** Sends a request intended at `t` (following its redirects, if it does); `after` gets the recorded outcome and the time it finished. */
  dispatch(
    outgoing: Outgoing,
    t: number,
    timeoutMs: number,
    wants: Wants,
    settle: Settle,
    after: (outcome: string, nowMs: number) => void,
    redirects: RedirectPolicy | undefined,
  ): void;
  /** Runs a task at a moment (precise, see wake-queue.ts). */
  at(ms: number, task: () => void): void;
  elapsed(): number;
  epochOf(ms: number): number;
  /**
   * No step starts at or after this moment: when the run was stopped (a drill's end, Ctrl-C). At the planned
   * end of the load, journeys under way go on to their end, bounded by their maxDuration (as k6's gracefulStop).
   */
  cutAtMs(): number;
  recordLag(lateMs: number): void;
}

interface PreparedStep {
  request: PreparedRequest;
  extraction: Extraction | undefined;
  wants: Wants;
  think: { minMs: number; maxMs: number } | undefined;
}

interface PreparedJourney {
  spec: JourneySpec;
  steps: PreparedStep[];
}

interface Journey {
  index: number;
  seq: number;
  startMs: number;
  step: number;
  vars: Record<string, string>;
  jar: CookieJar | undefined;
  onEnd: (() => void) | undefined;
}

export class JourneyRunner {
  private readonly journeys: PreparedJourney[];
  private readonly cycle: number[];
  private readonly live = new Set<Journey>();
  private readonly hostname: string;
  private readonly secureChannel: boolean;

  constructor(
    plan: LoadPlan,
    rowFor: RowFor,
    private readonly d: StepDispatcher,
    private readonly recorder: JourneyRecorder,
  ) {
    const specs = plan.journeys ?? [];
    this.journeys = specs.map((spec) => {
      const extracted: string[] = [];
      const steps = spec.steps.map((s): PreparedStep => {
        const request = prepareRequest(s, plan, rowFor, extracted.slice());
        extracted.push(...Object.keys(s.extract ?? {}));
        const extraction = compileExtraction(s.extract);
        return {
          request,
          extraction,
          wants: { body: request.wantsBody || (extraction?.wantsBody ?? false), headers: headersWanted(spec.cookies, extraction, request.redirects) },
          think: s.think,
        };
      });
      return { spec, steps };
    });
    this.cycle = weightedCycle(specs.map((j) => j.weight));
    const url = new URL(plan.target.origin);
    this.hostname = url.hostname.replace(/^\[|\]$/g, '');
    this.secureChannel = url.protocol === 'https:' || /^(127\.|localhost$|::1$)/.test(this.hostname);
  }

  /** Journeys started and not yet ended. */
  get active(): number {
    return this.live.size;
  }

  /** Starts the journey of schedule index `seq`, its first step intended at `t`. */
  start(seq: number, t: number, onEnd?: () => void): void {
    const index = this.cycle[seq % this.cycle.length]!;
    const journey: Journey = {
      index,
      seq,
      startMs: t,
      step: 0,
      vars: {},
      jar: this.journeys[index]!.spec.cookies ? new CookieJar(this.hostname, this.secureChannel) : undefined,
      onEnd,
    };
    this.recorder.start(index);
    this.live.add(journey);
    this.runStep(journey, t);
  }

  /** The run ended: journeys still waiting for a step are counted as unfinished. */
  cutAll(): void {
    for (const j of this.live) this.recorder.end(j.index, 'unfinished', 0);
    this.live.clear();
  }

  private runStep(j: Journey, t: number): void {
    if (!this.live.has(j)) return;
    const journey = this.journeys[j.index]!;
    if (t >= this.d.cutAtMs()) return this.end(j, 'unfinished', t);
    if (t - j.startMs > journey.spec.maxDurationMs) return this.end(j, 'timedOut', t);
    const stepIndex = j.step;
    const step = journey.steps[stepIndex]!;
    // After a think time the step waited for a wake-up: how late it came is the generator's lag.
    if (stepIndex > 0 && journey.steps[stepIndex - 1]!.think) this.d.recordLag(Math.max(0, this.d.elapsed() - t));
    let outgoing = step.request.build(j.seq, this.d.epochOf(t), j.vars);
    const cookie = j.jar?.header(outgoing.path, Date.now());
    if (cookie) outgoing = withCookie(outgoing, cookie);
    const path = outgoing.path;
    const settle: Settle = (status, body, failure, headers) => {
      if (failure) return failure;
      if (j.jar && headers) {
        const setCookies: string[] = [];
        for (let i = 0; i < headers.length; i += 2) if (headers[i] === 'set-cookie') setCookies.push(headers[i + 1]!);
        if (setCookies.length) j.jar.store(setCookies, path, Date.now());
      }
      const outcome = step.request.judge(status, body);
      if (outcome !== 'ok' || !step.extraction) return outcome;
      const found = step.extraction.run(body, headers, j.jar, Date.now());
      if ('missing' in found) return 'check_failed';
      Object.assign(j.vars, found.values);
      return outcome;
    };
    const after = (outcome: string, now: number): void => {
      this.recorder.step(j.index, stepIndex, outcome, now - t);
      if (outcome !== 'ok') return this.end(j, 'failed', now);
      j.step++;
      if (j.step === journey.steps.length) return this.end(j, 'completed', now);
      const think = step.think ? step.think.minMs + Math.random() * (step.think.maxMs - step.think.minMs) : 0;
      const next = now + think;
      if (think === 0) this.runStep(j, next);
      else this.d.at(next, () => this.runStep(j, next));
    };
    this.d.dispatch(outgoing, t, step.request.timeoutMs, step.wants, settle, after, step.request.redirects);
  }

  private end(j: Journey, how: JourneyEnd, now: number): void {
    if (!this.live.delete(j)) return;
    this.recorder.end(j.index, how, now - j.startMs);
    j.onEnd?.();
  }
}

/** Only the header fields a step reads are kept: Set-Cookie for the jar, those its extractions name, the Location it follows. */
function headersWanted(cookies: boolean, extraction: Extraction | undefined, redirects: RedirectPolicy | undefined): string[] | undefined {
  const names = [...(cookies ? ['set-cookie'] : []), ...(extraction?.headerNames ?? []), ...(redirects ? ['location'] : [])];
  return names.length ? [...new Set(names)] : undefined;
}
