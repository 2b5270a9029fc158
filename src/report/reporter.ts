/**
 * Reporters observe a run through optional hooks over read-only data. The multiplexer isolates them:
 * one that throws is reported once and never stops the others, the run, or a teardown.
 */
import type { DrillResult, LoadDescription, RunResult, TimelineEvent } from '../model/result.js';

export interface RunInfo {
  name: string;
  resultsDir: string;
  platform: RunResult['platform'];
  /** One line: where the platform points (shown before anything changes). */
  platformDescription?: string;
  targetUrl: string;
  drills: string[];
  /** The drills are planned, not run. */
  dryRun?: boolean;
}

export interface DrillInfo {
  name: string;
  kind: string;
  load: LoadDescription;
}

/** One second of a running drill, merged over every worker. */
export interface SecondProgress {
  /** Seconds since the drill's load started. */
  second: number;
  phase: string;
  rps: number;
  ok: number;
  failed: number;
  dropped: number;
  p95Ms: number;
  p99Ms: number;
  inFlight: number;
  /** The platform's live figure (observe.prometheus.live), when asked for. */
  platform?: string;
}

export interface Reporter {
  onRunStart?(run: RunInfo): void | Promise<void>;
  onDrillStart?(drill: DrillInfo): void | Promise<void>;
  onSecond?(drill: DrillInfo, second: SecondProgress): void;
  onEvent?(drill: DrillInfo, event: TimelineEvent): void;
  onDrillEnd?(drill: DrillInfo, result: DrillResult): void | Promise<void>;
  onRunEnd?(result: RunResult): void | Promise<void>;
  /** Printed warnings about the reporter itself go through here, so reporters never write to stderr directly. */
  onWarning?(message: string): void;
}

type Hook = Exclude<keyof Reporter, 'onWarning'>;

export function createMultiplexer(reporters: Reporter[], warn: (message: string) => void): Required<Pick<Reporter, Hook>> {
  const broken = new Set<Reporter>();
  async function call<K extends Hook>(hook: K, ...args: Parameters<NonNullable<Reporter[K]>>): Promise<void> {
    for (const r of reporters) {
      const fn = r[hook] as ((...a: unknown[]) => unknown) | undefined;
      if (!fn || broken.has(r)) continue;
      try {
        await fn.apply(r, args);
      } catch (err) {
        broken.add(r);
        warn(`a reporter failed in ${hook} and was switched off: ${(err as Error).message}`);
      }
    }
  }
  function callSync<K extends 'onSecond' | 'onEvent'>(hook: K, ...args: Parameters<NonNullable<Reporter[K]>>): void {
    for (const r of reporters) {
      const fn = r[hook] as ((...a: unknown[]) => unknown) | undefined;
      if (!fn || broken.has(r)) continue;
      try {
        fn.apply(r, args);
      } catch (err) {
        broken.add(r);
        warn(`a reporter failed in ${hook} and was switched off: ${(err as Error).message}`);
      }
    }
  }
  return {
    onRunStart: (run) => call('onRunStart', run),
    onDrillStart: (drill) => call('onDrillStart', drill),
    onSecond: (drill, second) => callSync('onSecond', drill, second),
    onEvent: (drill, event) => callSync('onEvent', drill, event),
    onDrillEnd: (drill, result) => call('onDrillEnd', drill, result),
    onRunEnd: (result) => call('onRunEnd', result),
  };
}
