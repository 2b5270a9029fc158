/**
 * Records outcomes inside one worker: a latency and a service-time histogram for the current second, outcome
 * counts, and ok/failed counts per 10 ms bin of intended start. Nothing here allocates per request.
 */
import { grownToFit } from '../grow.js';
import { appendFileSync } from 'node:fs';
import path from 'node:path';
import { threadId } from 'node:worker_threads';
import { createRecordingHistogram, encodeHistogram, recordMs, type Histogram } from '../../model/histogram.js';
import { BIN_MS } from '../../model/recording.js';
import type { OutcomeCounts } from '../../model/outcome.js';
import type { SnapshotPayload } from '../protocol.js';

/** Values per chunk of the debug log: three per request. */
const RAW_CHUNK = 3 * 65_536;

export class Recorder {
  private latency: Histogram = createRecordingHistogram();
  private service: Histogram = createRecordingHistogram();
  /** Latency of the failed requests alone, so a chart can show ok and failed latency apart. */
  private failedLatency: Histogram = createRecordingHistogram();
  private lag: Histogram = createRecordingHistogram();
  private outcomes: OutcomeCounts = Object.create(null) as OutcomeCounts;
  private ok = new Int32Array(1024);
  private failed = new Int32Array(1024);
  private failures = new Map<string, Map<number, number>>();
  private dirtyMin = Infinity;
  private dirtyMax = -1;

  /**
   * GOLIVE_DEBUG_LATENCY_DIR: every request's intended start, latency and start lag (µs; the latency as the
   * histogram got it) is also written to a file there, one `start latency lag` line each, so a test can build
   * one histogram from every request and a benchmark can see when slow requests were meant to start. Kept in
   * memory (in chunks: growing one array copied it all) and written with the last snapshot: writing every
   * second stalled the load it was meant to observe.
   */
  private readonly rawLog: { file: string; chunks: Float64Array[]; n: number } | undefined;

  constructor(
    private readonly worker: number,
    options: { rawLog: boolean } = { rawLog: true },
  ) {
    const dir = options.rawLog ? process.env['GOLIVE_DEBUG_LATENCY_DIR'] : undefined;
    this.rawLog = dir ? { file: path.join(dir, `latency-${worker}-${process.pid}-${threadId}.txt`), chunks: [], n: 0 } : undefined;
  }

  /**
   * One finished request. Times are ms from the run's start: `intended` is when it should have started,
   * `sent` when it was handed to the client, `now` when it finished.
   */
  record(outcome: string, intended: number, sent: number, now: number): void {
    recordMs(this.latency, now - intended);
    if (this.rawLog) this.logRaw(intended, now - intended, sent - intended);
    recordMs(this.service, now - sent);
    this.outcomes[outcome] = (this.outcomes[outcome] ?? 0) + 1;
    const bin = intended < 0 ? 0 : Math.floor(intended / BIN_MS);
    if (bin >= this.ok.length) {
      this.ok = grownToFit(this.ok, bin);
      this.failed = grownToFit(this.failed, bin);
    }
    if (outcome === 'ok') this.ok[bin]!++;
    else {
      recordMs(this.failedLatency, now - intended);
      this.failed[bin]!++;
      let byBin = this.failures.get(outcome);
      if (!byBin) this.failures.set(outcome, (byBin = new Map<number, number>()));
      byBin.set(bin, (byBin.get(bin) ?? 0) + 1);
    }
    if (bin < this.dirtyMin) this.dirtyMin = bin;
    if (bin > this.dirtyMax) this.dirtyMax = bin;
  }

  private logRaw(intended: number, latency: number, lag: number): void {
    const log = this.rawLog!;
    const at = log.n % RAW_CHUNK;
    if (at === 0) log.chunks.push(new Float64Array(RAW_CHUNK));
    const chunk = log.chunks[log.chunks.length - 1]!;
    chunk[at] = Math.round(intended * 1000);
    chunk[at + 1] = Math.round(latency * 1000);
    chunk[at + 2] = Math.round(lag * 1000);
    log.n += 3;
  }

  private writeRaw(log: NonNullable<Recorder['rawLog']>): void {
    const lines: string[] = [];
    for (let i = 0; i < log.n; i += 3) {
      const chunk = log.chunks[Math.floor(i / RAW_CHUNK)]!;
      const at = i % RAW_CHUNK;
      lines.push(`${chunk[at]} ${chunk[at + 1]} ${chunk[at + 2]}`);
    }
    if (lines.length) appendFileSync(log.file, `${lines.join('\n')}\n`);
    log.chunks = [];
    log.n = 0;
  }

  /** A start the generator missed: counted, but neither a success nor a failure of the target. */
  drop(): void {
    this.outcomes['dropped'] = (this.outcomes['dropped'] ?? 0) + 1;
  }

  /** How late a start was sent compared with its schedule. */
  recordLag(lateMs: number): void {
    recordMs(this.lag, lateMs);
  }

  snapshot(second: number, inFlight: number, retries: number, final: boolean): SnapshotPayload {
    const bins: number[] = [];
    for (let b = this.dirtyMin; b <= this.dirtyMax; b++) {
      const ok = this.ok[b]!;
      const failed = this.failed[b]!;
      if (ok || failed) {
        bins.push(b, ok, failed);
        this.ok[b] = 0;
        this.failed[b] = 0;
      }
    }
    this.dirtyMin = Infinity;
    this.dirtyMax = -1;
    if (this.rawLog && final) this.writeRaw(this.rawLog);
    const failures: Record<string, number[]> = {};
    for (const [outcome, byBin] of this.failures) failures[outcome] = [...byBin].flat();
    this.failures.clear();
    const payload: SnapshotPayload = {
      worker: this.worker,
      second,
      latency: this.latency.totalCount ? encodeHistogram(this.latency) : '',
      service: this.service.totalCount ? encodeHistogram(this.service) : '',
      failedLatency: this.failedLatency.totalCount ? encodeHistogram(this.failedLatency) : '',
      lag: this.lag.totalCount ? encodeHistogram(this.lag) : '',
      outcomes: this.outcomes,
      bins,
      failures,
      inFlight,
      retries,
      final,
    };
    this.latency.reset();
    this.service.reset();
    this.failedLatency.reset();
    this.lag.reset();
    this.outcomes = Object.create(null) as OutcomeCounts;
    return payload;
  }
}
