/**
 * The worker's timers for moments that matter to the figures: the open model's next start, a journey's next
 * step after its think time. One queue (a binary heap by time) over one precise wake-up (precise-wake.ts), or
 * millisecond timers without it, so a step is sent when it is due and not a timer's slack later.
 */
import type { PreciseWake } from './precise-wake.js';

/**
 * A moment closer than this is waited for by yielding to I/O and coming back (setImmediate) rather than by
 * the helper thread: a wake-up costs ~30 µs of CPU across two threads, more than the wait.
 */
const YIELD_BELOW_MS = 0.1;

export class WakeQueue {
  private readonly times: number[] = [];
  private readonly order: number[] = [];
  private readonly tasks: (() => void)[] = [];
  private readonly coarse: boolean[] = [];
  private added = 0;
  /** The moment the wake-up is set for; -Infinity while a setImmediate is pending, Infinity when idle. */
  private armedAt = Infinity;
  private timer: NodeJS.Timeout | undefined;
  private closed = false;

  constructor(
    /** ms from the run's zero */
    private readonly elapsed: () => number,
    private readonly epochOf: (ms: number) => number,
    private wake: PreciseWake | undefined,
  ) {
    if (wake) {
      wake.onWake = () => this.run();
      wake.onLost = () => {
        // The helper thread is gone: millisecond timers from here on (moments up to ~1 ms late).
        this.wake = undefined;
        this.armedAt = Infinity;
        this.arm();
      };
    }
  }

  get size(): number {
    return this.times.length;
  }

  /**
   * Runs `task` at `ms` (from zero), or as soon as possible when that has passed. A `coarse` task may run up
   * to a millisecond late (a libuv timer, the cheapest wake-up there is); others wake the precise way.
   */
  at(ms: number, task: () => void, coarse = false): void {
    if (this.closed) return;
    this.push(ms, task, coarse);
    if (ms < this.armedAt) this.arm();
  }

  close(): void {
    this.closed = true;
    if (this.timer) clearTimeout(this.timer);
    this.times.length = 0;
    this.order.length = 0;
    this.tasks.length = 0;
    this.coarse.length = 0;
  }

  private arm(): void {
    if (this.closed || this.times.length === 0) {
      this.armedAt = Infinity;
      return;
    }
    const next = this.times[0]!;
    const wait = next - this.elapsed();
    if (wait <= YIELD_BELOW_MS) {
      if (this.armedAt !== -Infinity) {
        this.armedAt = -Infinity;
        setImmediate(() => this.run());
      }
      return;
    }
    this.armedAt = next;
    if (this.wake && !this.coarse[0]) this.wake.at(this.epochOf(next));
    else {
      if (this.timer) clearTimeout(this.timer);
      // A coarse task never runs early: a libuv timer fires at least its (whole) milliseconds later.
      this.timer = setTimeout(() => this.run(), Math.max(1, this.coarse[0] ? Math.ceil(wait) : Math.round(wait)));
    }
  }

  /** Runs what is due, but not what those tasks add: a task due at once waits for the next turn, after I/O. */
  private run(): void {
    if (this.closed) return;
    this.armedAt = Infinity;
    const now = this.elapsed();
    const before = this.added;
    while (this.times.length > 0 && this.times[0]! <= now && this.order[0]! < before) this.pop()();
    if (this.armedAt === Infinity) this.arm();
  }

  private push(time: number, task: () => void, coarse: boolean): void {
    const { times, order, tasks } = this;
    let i = times.length;
    times.push(time);
    order.push(this.added++);
    tasks.push(task);
    this.coarse.push(coarse);
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (!this.less(i, parent)) break;
      this.swap(i, parent);
      i = parent;
    }
  }

  private pop(): () => void {
    const { times, order, tasks } = this;
    const task = tasks[0]!;
    const last = times.length - 1;
    this.swap(0, last);
    times.pop();
    order.pop();
    tasks.pop();
    this.coarse.pop();
    let i = 0;
    for (;;) {
      const l = 2 * i + 1;
      const r = l + 1;
      let m = i;
      if (l < times.length && this.less(l, m)) m = l;
      if (r < times.length && this.less(r, m)) m = r;
      if (m === i) break;
      this.swap(i, m);
      i = m;
    }
    return task;
  }

  private less(a: number, b: number): boolean {
    return this.times[a]! < this.times[b]! || (this.times[a] === this.times[b] && this.order[a]! < this.order[b]!);
  }

  private swap(a: number, b: number): void {
    const { times, order, tasks } = this;
    const t = times[a]!;
    times[a] = times[b]!;
    times[b] = t;
    const o = order[a]!;
    order[a] = order[b]!;
    order[b] = o;
    const k = tasks[a]!;
    tasks[a] = tasks[b]!;
    tasks[b] = k;
    const c = this.coarse[a]!;
    this.coarse[a] = this.coarse[b]!;
    this.coarse[b] = c;
  }
}
