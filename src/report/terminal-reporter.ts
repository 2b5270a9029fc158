/**
 * The terminal: a live progress line (redrawn on a TTY, a plain line every 5 s otherwise or under CI), and
 * the final summary per drill and for the run. Honours NO_COLOR.
 */
import { formatDuration, formatMs, inert, percent, redactUrl } from '../model/format.js';
import type { DrillResult, LatencyStats, RunResult, TimelineEvent } from '../model/result.js';
import { isUsageDetails } from '../model/result.js';
import type { DrillInfo, Reporter, RunInfo, SecondProgress } from './reporter.js';

export interface TerminalOptions {
  stream: NodeJS.WritableStream & { isTTY?: boolean; columns?: number };
  /** Redraw one line in place; default: the stream is a TTY and CI is not set. */
  live?: boolean;
  color?: boolean;
  /** Seconds between plain progress lines when not live. @default 5 */
  plainEverySec?: number;
}

export function createTerminalReporter(options: TerminalOptions): Reporter {
  const out = options.stream;
  const live = options.live ?? (Boolean(out.isTTY) && !process.env['CI']);
  const useColor = options.color ?? (Boolean(out.isTTY) && !process.env['NO_COLOR']);
  const plainEvery = options.plainEverySec ?? 5;
  const c = colors(useColor);
  let lastEvent = '';
  let lineShown = false;
  /** The live line as last drawn, to draw again under an event printed above it. */
  let liveLine = '';
  let dryRun = false;

  const clearLine = (): void => {
    if (live && lineShown) {
      out.write('\r\x1b[2K');
      lineShown = false;
    }
  };

  return {
    onRunStart(run: RunInfo) {
      dryRun = Boolean(run.dryRun);
      const where = run.platformDescription ? `platform  ${run.platformDescription}\n` : '';
      out.write(
        `${c.bold('golive')} ${inert(run.name)} · drills: ${run.drills.map(inert).join(', ')}\n${where}target    ${inert(redactUrl(run.targetUrl))}\n${c.dim(`results → ${run.resultsDir}`)}\n`,
      );
    },
    onDrillStart(drill: DrillInfo) {
      lastEvent = '';
      liveLine = '';
      out.write(`\n${c.bold(`▶ ${drill.name}`)} ${c.dim(describeLoad(drill))}\n`);
    },
    onSecond(drill: DrillInfo, s: SecondProgress) {
      const errors = s.ok + s.failed ? s.failed / (s.ok + s.failed) : 0;
      const text = `${String(s.second + 1).padStart(4)}s ${s.phase ? `${s.phase} ` : ''}│ ${s.rps} req/s  p95 ${formatMs(s.p95Ms)}  errors ${percent(errors)}${s.dropped ? `  dropped ${s.dropped}` : ''}${s.platform ? ` │ ${inert(s.platform)}` : ''}${lastEvent ? ` │ ${lastEvent}` : ''}`;
      if (live) {
        const width = out.columns ?? 120;
        liveLine = (errors > 0 ? c.red : (x: string) => x)(text.slice(0, width - 1));
        out.write(`\r\x1b[2K${liveLine}`);
        lineShown = true;
      } else if ((s.second + 1) % plainEvery === 0) {
        out.write(`${drill.name} ${text}\n`);
      }
    },
    onEvent(_drill, e) {
      if (dryRun) return; // a plan's steps are listed with it at the drill's end
      lastEvent = `${formatDuration(e.atMs)} ${inert(e.message)}`;
      // On a TTY the event goes above the live line, which is drawn again beneath it.
      const wasShown = lineShown;
      clearLine();
      out.write(`  ${c.dim(formatDuration(e.atMs).padStart(6))} ${e.kind}${e.subject ? ` ${inert(e.subject)}` : ''} ${inert(e.message)}\n`);
      if (live && wasShown) {
        out.write(liveLine);
        lineShown = true;
      }
    },
    onDrillEnd(_drill, result: DrillResult) {
      clearLine();
      out.write(result.planned ? renderPlan(result, c) : renderDrill(result, c));
    },
    onRunEnd(result: RunResult) {
      clearLine();
      out.write(result.dryRun ? renderPlanVerdict(result, c) : renderVerdicts(result, c));
    },
  };
}

type Colors = ReturnType<typeof colors>;

function colors(on: boolean) {
  const wrap =
    (open: number, close: number) =>
    (s: string): string =>
      on ? `\x1b[${open}m${s}\x1b[${close}m` : s;
  return { bold: wrap(1, 22), dim: wrap(2, 22), red: wrap(31, 39), green: wrap(32, 39), yellow: wrap(33, 39) };
}

function describeLoad(d: DrillInfo): string {
  const l = d.load;
  if (l.generator) return `(${l.executor}${l.durationMs ? `, ${formatDuration(l.durationMs)}` : ''}: ${l.generator.note})`;
  const unit = l.journeys ? `journeys/s (${l.journeys.length} journey${l.journeys.length === 1 ? '' : 's'})` : 'req/s';
  const what = l.model === 'open' ? `open model, ${l.executor} up to ${l.targetRps} ${unit}` : `closed model, ${l.executor} ${l.vus} VUs`;
  const where = l.workers.kind === 'threads' ? `${l.workers.count} thread${l.workers.count === 1 ? '' : 's'}` : `${l.workers.count} worker ${l.workers.kind}`;
  return `(${what}${l.durationMs ? `, ${formatDuration(l.durationMs)}` : ''}, ${l.connections} connections, ${where})`;
}

function latencyLine(l: LatencyStats): string {
  return `avg ${formatMs(l.avg)}  min ${formatMs(l.min)}  med ${formatMs(l.p50)}  p90 ${formatMs(l.p90)}  p95 ${formatMs(l.p95)}  p99 ${formatMs(l.p99)}  p99.9 ${formatMs(l.p999)}  max ${formatMs(l.max)}`;
}

const MAX_WINDOWS_SHOWN = 8;

function renderDrill(d: DrillResult, c: Colors = colors(false)): string {
  const mark = d.passed ? c.green('✓ passed') : c.red(d.error ? `✗ ${inert(d.error)}` : '✗ failed');
  const r = d.requests;
  const lines = [
    `${c.bold(d.name)} ${mark}`,
    `  requests    ${r.total} sent · ${r.ok} ok · ${r.failed} failed${r.dropped ? ` · ${c.yellow(`${r.dropped} dropped`)}` : ' · 0 dropped'}   throughput ${d.throughput.rps} req/s over ${formatDuration(d.load.durationMs)}`,
    ...(d.placement
      ? [`  placement   ${placementText(d.placement)} at the start${d.placement.skew ? c.yellow(` · skewed: ${inert(d.placement.skew)}`) : ''}`]
      : []),
    ...usageLines(d),
    ...observedLines(d),
    `  latency     ${latencyLine(d.latencyMs)}`,
    `              ${c.dim(`from each request's intended start (${d.load.model} model); service time p99 ${formatMs(d.serviceTimeMs.p99)}`)}`,
    `  outcomes    ${
      Object.entries(r.byOutcome)
        .map(([k, v]) => `${k} ${v}`)
        .join(' · ') || 'none'
    }`,
    `  downtime    ${formatDuration(d.downtime.totalMs)} in ${d.downtime.windows.length} outage window${d.downtime.windows.length === 1 ? '' : 's'} · degraded ${formatDuration(d.downtime.degradedMs)}`,
  ];
  const shown = d.downtime.windows.slice(0, MAX_WINDOWS_SHOWN);
  for (const w of shown) {
    const classes = Object.entries(w.outcomes)
      .map(([k, v]) => `${k} ${v}`)
      .join(', ');
    lines.push(
      `    ${c.red('■')} ${formatDuration(w.startMs)} → ${formatDuration(w.endMs)} (${formatDuration(w.endMs - w.startMs)}): ${w.failed} failed${classes ? ` [${classes}]` : ''}`,
    );
    const eventLine = (e: TimelineEvent, label: string): string =>
      `        ${c.dim(`${label}${formatDuration(e.atMs)} ${e.kind}${e.subject ? ` ${inert(e.subject)}` : ''}: ${inert(e.message)}`)}`;
    for (const e of w.before ?? []) lines.push(eventLine(e, 'before: '));
    for (const e of w.events) lines.push(eventLine(e, ''));
  }
  if (d.downtime.windows.length > shown.length) lines.push(`    … and ${d.downtime.windows.length - shown.length} more window(s) in summary.json`);
  if (d.recovery) {
    const rec = d.recovery;
    lines.push(
      `  recovery    point ${rec.pointMs === null ? 'unbounded (the first acknowledged write is lost)' : formatDuration(rec.pointMs)} · time ${rec.timeMs === null ? 'did not recover' : formatDuration(rec.timeMs)} · ${rec.ackedWrites} acknowledged writes, ${rec.lostWrites} lost${rec.lostBeforeBackup ? ` (${rec.lostBeforeBackup} of the ${rec.ackedBeforeBackup} acknowledged before the backup)` : ''}`,
    );
  }
  if (d.setupMs !== undefined) lines.push(`  setup       ${formatDuration(d.setupMs)} from reset to healthy`);
  lines.push(...journeyLines(d, c));
  if (d.phases.length > 1) {
    lines.push('  phases');
    for (const p of d.phases) {
      lines.push(
        `    ${p.name.padEnd(11)} ${formatDuration(p.startMs).padStart(6)} → ${formatDuration(p.endMs).padEnd(6)} ${String(p.requests.total).padStart(7)} req  ${String(p.requests.failed).padStart(5)} failed  p95 ${formatMs(p.latencyMs.p95)}  p99 ${formatMs(p.latencyMs.p99)}`,
      );
    }
  }
  if (d.objectives.length > 0) {
    lines.push('  objectives');
    for (const o of d.objectives) {
      const mark = o.notJudged ? c.dim('·') : o.passed ? c.green('✓') : c.red('✗');
      // A platform series' name and labels come from the team's config and a Prometheus: shown inert.
      const name = `${inert(o.name)}${o.default ? ' (default)' : ''}`;
      const note = o.notJudged ? c.dim('  not judged: the drill did not complete') : o.basis ? c.dim(`  (${inert(o.basis)})`) : '';
      lines.push(`    ${mark} ${name.padEnd(26)} limit ${inert(o.limit).padEnd(12)} measured ${inert(o.measured)}${note}`);
    }
  }
  // Findings that explain a failure are a "why"; an informational one is a note, never presented as the cause.
  for (const f of d.findings) {
    if (f.severity === 'info') lines.push(`  ${c.dim('note')} ${inert(f.message)}`);
    else lines.push(`  ${f.severity === 'error' ? c.red('why') : c.yellow('why')} ${f.id}: ${inert(f.message)}`);
  }
  // An external tool's one process says nothing about workers: its note says what ran the load.
  if (d.load.workers.kind !== 'threads' && !d.load.generator) {
    const offsets = d.generator.startOffsetsMs.map((o) => (o === null ? 'never started' : `${o.toFixed(1)}ms`)).join(', ');
    lines.push(
      `  workers     ${d.load.workers.count} ${d.load.workers.kind}, started after time zero by ${offsets}${d.generator.lostWorkers.length ? ` · ${d.generator.lostWorkers.length} lost` : ''}`,
    );
  }
  const sat = isUsageDetails(d.capacity) ? d.capacity.saturation : undefined;
  const generatorBlamed = d.generator.bound && (!sat || sat.limitedBy.length === 0 || sat.limitedBy.includes('generator'));
  for (const w of d.generator.warnings) lines.push(`  ${c.yellow(`⚠ ${generatorBlamed ? 'generator-bound: ' : ''}${w}`)}`);
  return `${lines.join('\n')}\n`;
}

/** Per journey: how its journeys ended and their length, then one row per step. */
function journeyLines(d: DrillResult, c: Colors): string[] {
  if (!d.journeys?.length) return [];
  const lines = ['  journeys'];
  for (const j of d.journeys) {
    const failed = j.failed + j.timedOut;
    lines.push(
      `    ${inert(j.name)}: ${j.started} started · ${j.completed} completed · ${failed ? c.red(`${failed} failed`) : '0 failed'}${j.timedOut ? ` (${j.timedOut} past maxDuration)` : ''}${j.unfinished ? ` · ${j.unfinished} cut by the end of the load` : ''}${j.durationMs ? ` · duration med ${formatMs(j.durationMs.p50)} p95 ${formatMs(j.durationMs.p95)}` : ''}`,
    );
    const width = Math.min(32, Math.max(4, ...j.steps.map((s) => s.name.length)));
    lines.push(c.dim(`      ${'step'.padEnd(width)} ${'requests'.padStart(8)} ${'failed'.padStart(6)}      med      p95      p99  outcomes`));
    for (const s of j.steps) {
      const name = s.name.length > width ? `${s.name.slice(0, width - 1)}…` : s.name;
      const outcomes = Object.entries(s.requests.byOutcome)
        .filter(([k]) => k !== 'ok')
        .map(([k, v]) => `${k} ${v}`)
        .join(' · ');
      const failedText = String(s.requests.failed).padStart(6);
      lines.push(
        `      ${inert(name).padEnd(width)} ${String(s.requests.total).padStart(8)} ${s.requests.failed ? c.red(failedText) : failedText} ${formatMs(s.latencyMs.p50).padStart(8)} ${formatMs(s.latencyMs.p95).padStart(8)} ${formatMs(s.latencyMs.p99).padStart(8)}  ${outcomes}`,
      );
    }
  }
  return lines;
}

/** The platform's series (observe.prometheus): min, avg, max over the disruption (or the drill), or why there are none. */
function observedLines(d: DrillResult): string[] {
  // The local platform's own samples are the usage lines already.
  return (d.observed ?? [])
    .filter((q) => q.source !== 'local')
    .map((q, i) => {
      const head = i === 0 ? '  platform    ' : '              ';
      if (q.error !== undefined) return `${head}${inert(q.name)}: ${inert(q.error)}`;
      const over = q.disruption ? 'disruption' : 'drill';
      const s = q.disruption ?? q.drill;
      const special = q.series.reduce((n, x) => n + (x.nonFinite?.t.length ?? 0), 0);
      if (!s) return `${head}${inert(q.name)}: ${special ? `only +Inf, -Inf or NaN points (${special})` : 'no data'} in the drill window`;
      const f = (v: number): string =>
        `${Number.isInteger(v) || Math.abs(v) >= 100 ? Math.round(v * 100) / 100 : v.toPrecision(3)}${q.unit ? ` ${inert(q.unit)}` : ''}`;
      return `${head}${inert(q.name)} over the ${over}: min ${f(s.min)} · avg ${f(s.avg)} · max ${f(s.max)} (${q.series.length} series)${s.nonFinite ? ` · ${s.nonFinite} point(s) +Inf, -Inf or NaN` : ''}`;
    });
}

/** The capacity drill's resource usage: the peak replica against its limit, the total, each replica. */
function usageLines(d: DrillResult): string[] {
  const u = isUsageDetails(d.capacity) ? d.capacity : undefined;
  if (!u) return [];
  if (u.usageUnavailable) return [`  usage       not measured: ${inert(u.usageUnavailable)}`];
  const of = (peak: number | null | undefined): string => (peak === null || peak === undefined ? '' : ` (${percent(peak)} of its limit)`);
  const lines = [
    `  usage       peak replica CPU ${u.cpu?.peakMillicores ?? '?'}m${of(u.cpu?.peakOfLimit)} · RSS ${u.memory?.peakMiB ?? '?'} MiB${of(u.memory?.peakOfLimit)}`,
  ];
  for (const c of u.components ?? [])
    lines.push(
      `              ${inert(c.name)}: CPU ${c.cpu.peakMillicores}m${of(c.cpu.peakOfLimit)} · RSS ${c.memory.peakMiB} MiB${of(c.memory.peakOfLimit)} at peak`,
    );
  if (u.total)
    lines.push(
      `              all replicas: CPU ${u.total.peakMillicores}m · RSS ${u.total.peakMiB} MiB at peak${u.replicas ? ` (${u.replicas.map((r) => `${r.id} ${r.peakMillicores}m`).join(', ')})` : ''}`,
    );
  const beside = [
    u.service ? `Service ${u.service.peakMillicores}m` : '',
    u.golive ? `golive ${u.golive.peakMillicores}m` : '',
    u.machine ? `machine ${percent(u.machine.peakBusy)} of ${u.machine.cores} cores` : '',
  ].filter(Boolean);
  if (beside.length) lines.push(`              beside them, at peak: ${beside.join(' · ')}`);
  if (u.saturation) {
    const by = u.saturation.limitedBy.length ? `limited by the ${u.saturation.limitedBy.join(', the ')}` : 'nothing saturated';
    lines.push(`  capacity    ${by}`);
    for (const n of u.saturation.notes) lines.push(`              ${inert(n)}`);
  }
  return lines;
}

/** A dry run's drill: what it would do, step by step, and the objectives it would be judged by. */
function renderPlan(d: DrillResult, c: Colors): string {
  const lines = [`${c.bold(d.name)} ${d.error ? c.red(`✗ cannot be planned: ${inert(d.error)}`) : c.green('planned')}`];
  const steps = d.events.filter((e) => e.kind !== 'teardown.failed');
  lines.push(`  steps       ${steps.length ? '' : 'the load alone: nothing in the platform changes'}`.trimEnd());
  for (const e of steps)
    lines.push(
      `    ${c.dim('·')} ${e.kind === 'phase' ? `phase ${inert(e.message)}` : `${e.kind}${e.subject ? ` ${inert(e.subject)}` : ''}: ${inert(e.message)}`}`,
    );
  for (const e of d.events.filter((x) => x.kind === 'teardown.failed')) lines.push(`    ${c.red('✗')} undo: ${inert(e.message)}`);
  lines.push('  objectives');
  for (const o of d.objectives) lines.push(`    ${inert(o.name === o.limit ? o.limit : `${o.name}: ${o.limit}`)}${o.default ? ' (default)' : ''}`);
  return `${lines.join('\n')}\n`;
}

function renderPlanVerdict(result: RunResult, c: Colors): string {
  const failed = result.drills.filter((d) => d.error !== undefined);
  const lines = ['', c.bold('dry run')];
  if (result.dryRun?.valid) lines.push(c.green(`the plan is valid: ${result.drills.length} drill(s) planned; nothing was changed and no load was sent`));
  else
    lines.push(
      c.red(`the plan has problems: ${failed.map((d) => `${d.name}: ${inert(d.error ?? '')}`).join('; ') || inert(result.error ?? 'the run stopped')}`),
    );
  return `${lines.join('\n')}\n`;
}

function renderVerdicts(result: RunResult, c: Colors = colors(false)): string {
  const lines = ['', c.bold('verdict')];
  for (const d of result.drills) {
    const missed = d.objectives.filter((o) => !o.passed && !o.notJudged).map((o) => `${o.name} ${o.measured} (limit ${o.limit})`);
    lines.push(`  ${d.passed ? c.green('✓') : c.red('✗')} ${d.name.padEnd(18)} ${d.passed ? 'passed' : inert(d.error ?? `missed: ${missed.join('; ')}`)}`);
  }
  lines.push(result.passed ? c.green('all drills passed') : c.red('not ready: see the drills marked ✗'));
  return `${lines.join('\n')}\n`;
}

/** Replicas per zone, and per component when the system has several (`front zone-a 1 zone-b 1 · api …`). */
function placementText(p: NonNullable<DrillResult['placement']>): string {
  const zones = (byZone: Record<string, number>, separator: string): string =>
    Object.entries(byZone)
      .map(([z, n]) => `${inert(z)} ${n}`)
      .join(separator);
  if (!p.byComponent) return zones(p.byZone, ' · ');
  return Object.entries(p.byComponent)
    .map(([name, c]) => `${inert(name)}: ${zones(c.byZone, ' ')}`)
    .join(' · ');
}
