/** A drill's journeys from their recording: how they ended, their length, each step's latency and outcomes. */
import { decodeHistogram, latencyStatsMs } from '../model/histogram.js';
import type { JourneyRecording } from '../model/recording.js';
import type { JourneyResult, LatencyStats } from '../model/result.js';
import { requestCounts } from './stats.js';

export function journeyResults(recorded: readonly JourneyRecording[]): JourneyResult[] {
  return recorded.map((j) => {
    const ended = j.completed + j.failed + j.timedOut;
    return {
      name: j.name,
      started: j.started,
      completed: j.completed,
      failed: j.failed,
      timedOut: j.timedOut,
      unfinished: j.unfinished,
      failedRate: ended ? (j.failed + j.timedOut) / ended : 0,
      durationMs: j.duration ? latencyStatsMs(decodeHistogram(j.duration)) : null,
      steps: j.steps.map((s) => ({
        name: s.name,
        requests: requestCounts(s.outcomes),
        latencyMs: s.latency ? latencyStatsMs(decodeHistogram(s.latency)) : EMPTY,
      })),
    };
  });
}

/** Failed journeys (timed out included) and those that ended, over every journey of the drill. */
export function journeyTotals(journeys: readonly JourneyResult[]): { failed: number; ended: number } {
  let failed = 0;
  let ended = 0;
  for (const j of journeys) {
    failed += j.failed + j.timedOut;
    ended += j.completed + j.failed + j.timedOut;
  }
  return { failed, ended };
}

const EMPTY: LatencyStats = { avg: 0, min: 0, p50: 0, p90: 0, p95: 0, p99: 0, p999: 0, max: 0 };
