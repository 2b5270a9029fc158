/**
 * Canary writes for disaster-recovery (DESIGN.md §3): sequenced writes beside the main load, each
 * acknowledged write remembered with its time, and after the restore every one of them read back.
 */
import type { RequestTemplateConfig } from '../config/schema.js';
import { compileTemplate, type TemplateContext } from '../engine/template.js';
import type { RecoveryResult } from '../model/result.js';

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
  atMs: number;
}

export interface CanaryVerification {
  acked: number;
  lost: number[];
  /** When every acknowledged write had been read (ms, drill clock). */
  verifiedAtMs: number;
}

export class CanaryWriter {
  private readonly acks: Ack[] = [];
  private seq = 0;
  private timer: NodeJS.Timeout | undefined;
  private readonly inFlight = new Set<Promise<void>>();

  constructor(private readonly o: CanaryOptions) {}

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

  /** Reads back every acknowledged write until each is found or definitely missing (404), or time runs out. */
  async verify(deadlineMs: number): Promise<CanaryVerification> {
    const pending = new Set(this.acks.map((a) => a.seq));
    const lost: number[] = [];
    while (pending.size > 0 && this.o.now() < deadlineMs) {
      for (const seq of [...pending]) {
        const status = await this.send(this.o.read, seq, 2000);
        if (status >= 200 && status < 300) pending.delete(seq);
        else if (status === 404 || status === 410) {
          pending.delete(seq);
          lost.push(seq);
        }
      }
      if (pending.size > 0) await new Promise((r) => setTimeout(r, 200));
    }
    // Writes that could not be read by the deadline count as lost: nobody could get them back.
    lost.push(...pending);
    return { acked: this.acks.length, lost: lost.sort((a, b) => a - b), verifiedAtMs: this.o.now() };
  }

  private writeOne(): void {
    const seq = ++this.seq;
    const p = this.send(this.o.write, seq, 2000).then((status) => {
      if (status >= 200 && status < 300) this.acks.push({ seq, atMs: this.o.now() });
    });
    this.inFlight.add(p);
    void p.finally(() => this.inFlight.delete(p));
  }

  private async send(t: RequestTemplateConfig, seq: number, timeoutMs: number): Promise<number> {
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
        signal: AbortSignal.timeout(timeoutMs),
      });
      await res.arrayBuffer();
      return res.status;
    } catch {
      return 0; // refused, reset or timed out: not acknowledged
    }
  }
}

/**
 * Recovery point and time (DESIGN.md §3): the point is t(disaster) minus the ack time of the newest write w
 * such that every write acknowledged before w survived; the time is t(verified) − t(disaster).
 */
export function recoveryFigures(
  acks: readonly Ack[],
  lost: readonly number[],
  disasterAtMs: number,
  verifiedAtMs: number | null,
  canaryStartMs: number,
): RecoveryResult {
  const lostSet = new Set(lost);
  const byAck = [...acks].sort((a, b) => a.atMs - b.atMs);
  let newestIntact: Ack | undefined;
  for (const a of byAck) {
    if (lostSet.has(a.seq)) break;
    newestIntact = a;
  }
  return {
    pointMs: Math.round(disasterAtMs - (newestIntact?.atMs ?? canaryStartMs)),
    timeMs: verifiedAtMs === null ? null : Math.round(verifiedAtMs - disasterAtMs),
    ackedWrites: acks.length,
    lostWrites: lost.length,
  };
}
