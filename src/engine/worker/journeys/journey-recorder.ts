/** Counts how each journey ended and records its length and each step's latency, inside one worker. */
import { createRecordingHistogram, encodeHistogram, recordMs, type Histogram } from '../../../model/histogram.js';
import type { OutcomeCounts } from '../../../model/outcome.js';
import type { JourneyEnds } from '../../../model/recording.js';
import type { JourneySpec } from '../../plan.js';
import type { JourneySnapshot } from '../../protocol.js';

export type JourneyEnd = Exclude<keyof JourneyEnds, 'started'>;

interface JourneyFigures extends JourneyEnds {
  duration: Histogram;
  steps: { latency: Histogram; outcomes: OutcomeCounts }[];
}

export class JourneyRecorder {
  private readonly figures: JourneyFigures[];

  constructor(journeys: readonly JourneySpec[]) {
    this.figures = journeys.map((j) => ({
      started: 0,
      completed: 0,
      failed: 0,
      timedOut: 0,
      unfinished: 0,
      duration: createRecordingHistogram(),
      steps: j.steps.map(() => ({ latency: createRecordingHistogram(), outcomes: Object.create(null) as OutcomeCounts })),
    }));
  }

  start(journey: number): void {
    this.figures[journey]!.started++;
  }

  step(journey: number, step: number, outcome: string, latencyMs: number): void {
    const s = this.figures[journey]!.steps[step]!;
    recordMs(s.latency, latencyMs);
    s.outcomes[outcome] = (s.outcomes[outcome] ?? 0) + 1;
  }

  end(journey: number, how: JourneyEnd, durationMs: number): void {
    const f = this.figures[journey]!;
    f[how]++;
    if (how === 'completed') recordMs(f.duration, durationMs);
  }

  snapshot(): JourneySnapshot[] {
    return this.figures.map((f) => {
      const out: JourneySnapshot = {
        started: f.started,
        completed: f.completed,
        failed: f.failed,
        timedOut: f.timedOut,
        unfinished: f.unfinished,
        duration: f.duration.totalCount ? encodeHistogram(f.duration) : '',
        steps: f.steps.map((s) => ({ latency: s.latency.totalCount ? encodeHistogram(s.latency) : '', outcomes: s.outcomes })),
      };
      f.started = f.completed = f.failed = f.timedOut = f.unfinished = 0;
      f.duration.reset();
      for (const s of f.steps) {
        s.latency.reset();
        s.outcomes = Object.create(null) as OutcomeCounts;
      }
      return out;
    });
  }
}
