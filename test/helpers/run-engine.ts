import { spanStats, type SpanStats } from '../../src/analysis/stats.js';
import { startLoadEngine } from '../../src/engine/engine.js';
import type { LoadPlan } from '../../src/engine/plan.js';
import type { Recording } from '../../src/model/recording.js';

export interface EngineRun extends SpanStats {
  recording: Recording;
}

/** Runs the real engine (worker threads and all) and returns the merged figures. */
export async function runEngine(
  plan: LoadPlan,
  threads = 1,
  during?: (zeroEpochMs: number) => void,
  kind: 'threads' | 'processes' = 'threads',
): Promise<EngineRun> {
  const engine = startLoadEngine({ plan, workers: threads, kind });
  const zero = await engine.started;
  during?.(zero);
  const recording = await engine.finished;
  return { recording, ...spanStats(recording.seconds) };
}
