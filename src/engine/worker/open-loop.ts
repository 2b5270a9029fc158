/**
 * The open model's loop in one worker: sends each start of its segment of the schedule when it is due, whether
 * or not earlier requests finished. A class, not closures made per run: the rehearsal before time zero
 * (rehearsal.ts) and the run share its optimized code, where a new closure would start cold.
 */
import type { ArrivalSchedule } from '../schedule.js';
import type { WakeQueue } from './wake-queue.js';

/** A start more than this late is dropped rather than sent: the generator cannot catch up honestly. */
const MAX_LATE_MS = 1000;
/** Starts fired per tick before yielding to I/O. */
const MAX_STARTS_PER_TICK = 2000;
/**
 * Starts closer together than this (from ~1,100 req/s per thread) wake the worker with a libuv timer, up to a
 * millisecond late, and go out together: each precise wake-up cost 35–90 µs of CPU here across two threads
 * (more than a request), so at 5,000 req/s waking per start took a fifth of a core for nothing. The lag is
 * recorded and latency runs from the intended start, so it is never hidden. Sparser starts each get their
 * own precise wake-up. While responses keep the worker awake, due starts go out with them.
 */
const COALESCE_MS = 0.9;

/** What the loop needs of its worker. */
export interface OpenLoopHost {
  /** ms from time zero */
  elapsed(): number;
  /** Scheduling ends at this time (ms from zero); a stop brings it forward. */
  readonly endMs: number;
  /** Requests (or journeys) under way: starts beyond the bound are dropped. */
  underWay(): number;
  /** Sends schedule index j, intended at t. */
  startIndex(j: number, t: number): void;
  drop(): void;
  recordLag(lateMs: number): void;
  /** The schedule is over: wait for what is in flight, then finish. */
  scheduleEnded(): void;
}

export class OpenLoop {
  private j: number;
  private ended = false;
  private wakeQueued = false;
  /** The next start (ms from zero), Infinity once the schedule is over. */
  nextStartMs = Infinity;
  private readonly wakeTask = (): void => this.wake();

  constructor(
    private readonly schedule: ArrivalSchedule,
    private readonly queue: WakeQueue,
    private readonly host: OpenLoopHost,
    index: number,
    private readonly step: number,
    private readonly maxInFlight: number,
  ) {
    this.j = index;
  }

  begin(): void {
    this.wake();
  }

  /** A response found the next start due: it goes out now rather than at the next wake-up. */
  sendDue(): void {
    if (!this.ended) this.fireDue();
    if (!this.ended && !this.wakeQueued) this.wake();
  }

  private wake(): void {
    this.wakeQueued = false;
    if (this.ended || !this.fireDue()) return;
    const { schedule, step } = this;
    const first = this.nextStartMs;
    const dense = this.j + step < schedule.total && schedule.timeOfIndex(this.j + step) - first <= COALESCE_MS;
    this.wakeQueued = true;
    // Starts due (a full batch) are taken after I/O; otherwise the queue sleeps until the next one.
    this.queue.at(Math.min(first, this.host.endMs), this.wakeTask, dense);
  }

  /** Sends every start that is due; false once the schedule is over. */
  private fireDue(): boolean {
    const { schedule, host } = this;
    const now = host.elapsed();
    const endMs = host.endMs;
    let fired = 0;
    while (this.j < schedule.total && fired < MAX_STARTS_PER_TICK) {
      const t = schedule.timeOfIndex(this.j);
      if (t > now) break;
      if (t >= endMs) {
        this.j = Infinity;
        break;
      }
      const late = now - t;
      if (host.underWay() >= this.maxInFlight || late > MAX_LATE_MS) host.drop();
      else {
        host.recordLag(late);
        host.startIndex(this.j, t);
      }
      this.j += this.step;
      fired++;
    }
    if (this.j >= schedule.total || now >= endMs) {
      this.ended = true;
      this.nextStartMs = Infinity;
      host.scheduleEnded();
      return false;
    }
    this.nextStartMs = schedule.timeOfIndex(this.j);
    return true;
  }
}
