/**
 * Canary writes for disaster-recovery (DESIGN.md §3): sequenced writes beside the main load, each
 * acknowledged write remembered with its time, and after the restore every one of them read back.
 * A write is acknowledged, and a read finds it, only when the response passes the template's check
 * (by default a 2xx status): `GET /posts?id=1` answering `200 []` is not a found write.
 */
import { z } from 'zod';
import { checkSchema, headers } from '../schema/fields.js';
import { obj, oneOf, str } from '../schema/helpers.js';
import { createJudge, type Judge } from '../engine/worker/checks.js';
import { compileTemplate, type TemplateContext } from '../engine/template.js';
import type { RecoveryResult } from '../model/result.js';

/** A canary write or read, as the config gives it. */
export const requestTemplate = obj({
  method: z
    .string()
    .transform((m) => m.toUpperCase())
    .pipe(oneOf(['GET', 'POST', 'PUT', 'PATCH', 'DELETE'] as const))
    .default('GET'),
  url: str('a path'),
  headers: headers.default({}),
  body: str('a body').optional(),
  json: z.unknown().optional(),
  /** What an acknowledged write (or a found read) looks like, as for requests. @default a 2xx status */
  check: checkSchema.optional(),
});

type RequestTemplateConfig = z.output<typeof requestTemplate>;

export interface CanaryOptions {
  targetUrl: string;
  rate: number;
  write: RequestTemplateConfig;
  read: RequestTemplateConfig;
  /** Drill clock (ms since zero) and its epoch origin. */
  now: () => number;
  zeroEpochMs: number;
}

interface Ack {
  seq: number;
  /** When the acknowledgement came, and when the write was sent (drill clock). */
  atMs: number;
  sentAtMs: number;
}

export interface CanaryVerification {
  acked: number;
  lost: number[];
  /** When every acknowledged write had been read (ms, drill clock). */
  verifiedAtMs: number;
  /** Reads still unanswered at the deadline, and the last answer one of them got. */
  unread: number;
  lastAnswer: string | undefined;
}

const READS_AT_ONCE = 8;
const TIMEOUT_MS = 2000;

interface Answer {
  status: number;
  outcome: string;
  /** What came back, for messages: `503 Service Unavailable: {"error":…}` or the network error. */
  summary: string;
}

export class CanaryWriter {
  private readonly acks: Ack[] = [];
  private seq = 0;
  private timer: NodeJS.Timeout | undefined;
  private readonly inFlight = new Set<Promise<void>>();
  private readonly judgeWrite: Judge;
  private readonly judgeRead: Judge;
  /** The last answer to a write that was not acknowledged: what to tell the user when none is. */
  lastRefusal: string | undefined;

  constructor(private readonly o: CanaryOptions) {
    this.judgeWrite = createJudge(o.write.check).judge;
    this.judgeRead = createJudge(o.read.check).judge;
  }

  start(): void {
    this.timer = setInterval(() => this.writeOne(), 1000 / this.o.rate);
  }

  /** Stops writing and waits for writes in flight (each is bounded by its timeout). */
  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    await Promise.all([...this.inFlight]);
  }

  get acknowledged(): readonly Ack[] {
    return this.acks;
  }

  /**
   * Reads back every acknowledged write, a few at once, until each is found, definitely missing (404, 410,
   * or an answer failing the read's check), or time runs out (then it counts as lost: nobody could get it back).
   */
  async verify(deadlineMs: number): Promise<CanaryVerification> {
    const pending = new Set(this.acks.map((a) => a.seq));
    const lost: number[] = [];
    let lastAnswer: string | undefined;
    while (pending.size > 0 && this.o.now() < deadlineMs) {
      const queue = [...pending];
      const worker = async (): Promise<void> => {
        for (let seq = queue.shift(); seq !== undefined; seq = queue.shift()) {
          const a = await this.send(this.o.read, seq, this.judgeRead);
          if (a.outcome === 'ok') pending.delete(seq);
          else if (a.status === 404 || a.status === 410 || a.outcome === 'check_failed') {
            pending.delete(seq);
            lost.push(seq);
          } else lastAnswer = a.summary;
        }
      };
      await Promise.all(Array.from({ length: READS_AT_ONCE }, worker));
      if (pending.size > 0) await new Promise((r) => setTimeout(r, 200));
    }
    const unread = pending.size;
    lost.push(...pending);
    return { acked: this.acks.length, lost: lost.sort((a, b) => a - b), verifiedAtMs: this.o.now(), unread, lastAnswer };
  }

  private writeOne(): void {
    const seq = ++this.seq;
    const sentAtMs = this.o.now();
    const p = this.send(this.o.write, seq, this.judgeWrite).then((a) => {
      if (a.outcome === 'ok') this.acks.push({ seq, atMs: this.o.now(), sentAtMs });
      else this.lastRefusal = a.summary;
    });
    this.inFlight.add(p);
    void p.finally(() => this.inFlight.delete(p));
  }

  private async send(t: RequestTemplateConfig, seq: number, judge: Judge): Promise<Answer> {
    const ctx: TemplateContext = { seq, tsMs: this.o.zeroEpochMs + this.o.now(), row: undefined };
    const render = (s: string): string => {
      const c = compileTemplate(s, {});
      return 'constant' in c ? c.constant : c.render(ctx);
    };
    const headers: Record<string, string> = Object.fromEntries(Object.entries(t.headers).map(([k, v]) => [k, render(v)]));
    let body: string | undefined;
    if (t.json !== undefined) {
      // Numbers written as templates ('{{seq}}') go out as JSON numbers.
      body = render(JSON.stringify(t.json)).replace(/"(\d+)"/g, '$1');
      headers['content-type'] ??= 'application/json';
    } else if (t.body !== undefined) body = render(t.body);
    try {
      const res = await fetch(new URL(render(t.url), this.o.targetUrl), {
        method: t.method,
        headers,
        ...(body !== undefined ? { body } : {}),
        signal: AbortSignal.timeout(TIMEOUT_MS),
      });
      const bytes = Buffer.from(await res.arrayBuffer());
      const excerpt = bytes.subarray(0, 120).toString('utf8').replace(/\s+/g, ' ').trim();
      return { status: res.status, outcome: judge(res.status, bytes), summary: `${res.status}${excerpt ? `: ${excerpt}` : ''}` };
    } catch (err) {
      const cause = (err as { cause?: { code?: string } }).cause?.code ?? (err as Error).name;
      return { status: 0, outcome: 'error', summary: `no answer (${cause})` }; // refused, reset or timed out: not acknowledged
    }
  }
}

/**
 * Recovery point and time (DESIGN.md §3): the point is t(disaster) minus the ack time of the newest write w
 * such that every write acknowledged before w survived — unbounded (null) when even the first is lost; the
 * time is t(verified) − t(disaster). Writes acknowledged before the backup began are reported apart: a
 * restore missing them means the backup itself is incomplete.
 */
export function recoveryFigures(
  acks: readonly Ack[],
  lost: readonly number[],
  disasterAtMs: number,
  verifiedAtMs: number | null,
  backupStartMs: number,
): RecoveryResult {
  const lostSet = new Set(lost);
  const byAck = [...acks].sort((a, b) => a.atMs - b.atMs);
  let newestIntact: Ack | undefined;
  for (const a of byAck) {
    if (lostSet.has(a.seq)) break;
    newestIntact = a;
  }
  const beforeBackup = acks.filter((a) => a.atMs < backupStartMs);
  return {
    pointMs: newestIntact ? Math.round(disasterAtMs - newestIntact.atMs) : null,
    timeMs: verifiedAtMs === null ? null : Math.round(verifiedAtMs - disasterAtMs),
    ackedWrites: acks.length,
    lostWrites: lost.length,
    ackedBeforeBackup: beforeBackup.length,
    lostBeforeBackup: beforeBackup.filter((a) => lostSet.has(a.seq)).length,
  };
}
