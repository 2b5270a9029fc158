/**
 * The HTML report's script: runs in the page, renders the run from the JSON injected into #golive-data.
 * Inlined into report.html by report/html-report.ts after uPlot (a global there): it imports types only,
 * so its compiled form has no import at run time. DOM built with textContent only.
 */
import type UPlot from 'uplot';
import type { HtmlReportData, DrillSeries } from '../../model/report-data.js';
import type { DrillDetails, DrillResult, ObjectiveResult, RunResult, TimelineEvent, UsageDetails } from '../../model/result.js';

declare const uPlot: typeof UPlot;

type Cell = string | number | { text: string | number; cls: string };
type Legend = (whole: string, fmt: (v: number) => string) => UPlot.Series.Value;
type ChartOptions = Omit<UPlot.Options, 'width'>;
type Chart = (opts: ChartOptions, data: UPlot.AlignedData, where: string) => UPlot;
interface ZoomPlugin extends UPlot.Plugin {
  reset: () => void;
  /** The x range uPlot asks for: the current view. */
  range: () => UPlot.Range.MinMax;
}

const PHASE_COLORS: Record<string, string> = {
  baseline: 'rgba(120,120,120,0.06)',
  disruption: 'rgba(240,140,0,0.10)',
  recovery: 'rgba(51,154,240,0.08)',
  tail: 'rgba(120,120,120,0.04)',
};
const PALETTE = ['#1c7ed6', '#f08c00', '#2f9e44', '#c2255c', '#7048e8', '#0c8599', '#e8590c', '#5c940d'];
const OK_COLOR = 'rgb(47,158,68)';
const FAILED_COLOR = 'rgb(224,49,49)';

const EMPTY_SERIES: DrillSeries = {
  t: [],
  span: [],
  ok: [],
  failed: [],
  okP50: [],
  okP95: [],
  okP99: [],
  failedP50: [],
  failedP99: [],
  strip: { slotMs: 100, ok: [], failed: [] },
};

function el<K extends keyof HTMLElementTagNameMap>(tag: K, attrs?: Record<string, string> | null, text?: string | number | null): HTMLElementTagNameMap[K] {
  const e = document.createElement(tag);
  if (attrs) for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, v);
  if (text !== undefined && text !== null) e.textContent = String(text);
  return e;
}

/** The element `selector` finds under `root`: the template holds it, so its absence is a broken template. */
function find<E extends Element = HTMLElement>(root: ParentNode, selector: string): E {
  const found = root.querySelector<E>(selector);
  if (!found) throw new Error(`golive report: no ${selector} in the page`);
  return found;
}

function row(tbody: HTMLElement, cells: Cell[]): HTMLTableRowElement {
  const tr = el('tr');
  for (const c of cells) {
    const td = typeof c === 'object' ? el('td', c.cls ? { class: c.cls } : null, c.text) : el('td', null, c);
    tr.appendChild(td);
  }
  tbody.appendChild(tr);
  return tr;
}

function ms(v: number | null | undefined): string {
  if (v === null || v === undefined) return 'n/a';
  if (v === 0) return '0s';
  if (v < 10) return `${v.toFixed(2)} ms`;
  if (v < 1000) return `${v.toFixed(1)} ms`;
  if (v < 60000) return `${(v / 1000).toFixed(2)} s`;
  return `${Math.floor(v / 60000)}m${Math.round((v % 60000) / 1000)}s`;
}

function pct(f: number): string {
  return f === 0 ? '0 %' : `${f * 100 < 0.01 ? (f * 100).toPrecision(2) : (f * 100).toFixed(2)} %`;
}

function verdictBadge(span: HTMLElement, passed: boolean): void {
  span.textContent = passed ? 'passed' : 'failed';
  span.className = `verdict ${passed ? 'passed' : 'failed'}`;
}

/** model/result.ts's isUsageDetails, repeated: the page imports types only. */
function isUsage(d: DrillDetails | undefined): d is UsageDetails {
  return d?.kind === 'usage';
}

const counts = (byKey: Record<string, number>, skip?: string): string =>
  Object.entries(byKey)
    .filter(([k]) => k !== skip)
    .map(([k, n]) => `${k} ${n}`)
    .join(', ');

function renderRun(run: RunResult): void {
  find(document, '#run-name').textContent = `golive · ${run.name}`;
  const rv = find(document, '#run-verdict');
  rv.textContent = run.passed ? 'ready' : 'not ready';
  rv.className = `verdict ${run.passed ? 'passed' : 'failed'}`;
  find(document, '#run-meta').textContent =
    `started ${run.startedAt} · finished ${run.finishedAt} · platform ${run.platform.kind}` +
    (run.platform.context ? ` (${run.platform.context})` : '') +
    (run.platform.namespace ? ` namespace ${run.platform.namespace}` : '') +
    ` · golive ${run.tool.version}`;
  const vt = find(document, '#verdict-table tbody');
  for (const d of run.drills) {
    const objectives: ObjectiveResult[] = d.objectives.length
      ? d.objectives
      : [{ name: d.error ? 'completed' : '(no objectives)', limit: '', measured: d.error || '', passed: d.passed }];
    objectives.forEach((o, i) => {
      const tr = row(vt, [
        i === 0 ? d.name : '',
        i === 0 ? { text: d.passed ? 'passed' : 'failed', cls: d.passed ? 'pass' : 'fail' } : '',
        {
          text: (o.notJudged ? '· ' : o.passed ? '✓ ' : '✗ ') + o.name + (o.default ? ' (default)' : '') + (o.notJudged ? ' (not judged)' : ''),
          cls: o.notJudged ? '' : o.passed ? 'pass' : 'fail',
        },
        o.limit,
        o.measured,
      ]);
      tr.setAttribute('data-drill', d.name);
    });
  }
}

function placementText(d: DrillResult): string {
  const p = d.placement;
  if (!p) return '';
  const where = p.byComponent
    ? Object.entries(p.byComponent)
        .map(([name, c]) => `${name} ${counts(c.byZone)}`)
        .join('; ')
    : counts(p.byZone);
  return ` · placement at the start: ${where}${p.skew ? ` (skewed: ${p.skew})` : ''}`;
}

function loadText(d: DrillResult): string {
  const l = d.load;
  return (
    (l.model === 'open' ? `open model, ${l.executor} ${l.targetRps} req/s` : `closed model, ${l.vus} VUs`) +
    ` · ${ms(l.durationMs)} · ${l.connections} connections · latency from each request\u2019s intended start` +
    placementText(d) +
    (d.error ? ` · ${d.error}` : '')
  );
}

function renderFigures(section: HTMLElement, d: DrillResult): void {
  const figures: [string, string | number][] = [
    ['requests', d.requests.total],
    ['failed', d.requests.failed],
    ['throughput', `${d.throughput.rps} req/s`],
    ['p50', ms(d.latencyMs.p50)],
    ['p95', ms(d.latencyMs.p95)],
    ['p99', ms(d.latencyMs.p99)],
    ['max', ms(d.latencyMs.max)],
    ['downtime', ms(d.downtime.totalMs)],
    ['degraded', ms(d.downtime.degradedMs)],
  ];
  if (d.recovery)
    figures.push(
      ['recovery point', ms(d.recovery.pointMs)],
      ['recovery time', ms(d.recovery.timeMs)],
      ['lost writes', `${d.recovery.lostWrites} of ${d.recovery.ackedWrites}`],
    );
  if (d.setupMs !== undefined) figures.push(['setup time', ms(d.setupMs)]);
  if (d.generator?.bound) figures.push(['generator', `bound: ${d.generator.warnings.length} warning(s)`]);
  const figs = find(section, '.figures');
  for (const [label, value] of figures) {
    const box = el('div', { class: 'figure' });
    box.appendChild(el('b', null, value));
    box.appendChild(el('span', null, label));
    figs.appendChild(box);
  }
}

function eventList(list: readonly TimelineEvent[]): string {
  return list.map((e) => `${ms(e.atMs)} ${e.kind}${e.subject ? ` ${e.subject}` : ''}: ${e.message}`).join('\n');
}

function renderWindows(section: HTMLElement, d: DrillResult): void {
  const wt = find(section, '.windows tbody');
  if (!d.downtime.windows.length) row(wt, [{ text: 'no outage window', cls: 'empty' }, '', '', '', '', '', '']);
  for (const w of d.downtime.windows.slice(0, 200)) {
    row(wt, [
      { text: ms(w.startMs), cls: 'nowrap' },
      { text: ms(w.endMs), cls: 'nowrap' },
      { text: ms(w.endMs - w.startMs), cls: 'nowrap' },
      { text: w.failed, cls: 'num' },
      counts(w.outcomes),
      { text: eventList(w.before || []), cls: 'events-inside trigger' },
      { text: eventList(w.events), cls: 'events-inside' },
    ]);
  }
}

function renderPhases(section: HTMLElement, d: DrillResult): void {
  const pt = find(section, '.phases tbody');
  for (const p of d.phases) {
    const r = p.requests;
    row(pt, [
      p.name,
      ms(p.startMs),
      ms(p.endMs),
      { text: r.total, cls: 'num' },
      { text: pct(r.total ? r.failed / r.total : 0), cls: 'num' },
      { text: ms(p.latencyMs.avg), cls: 'num' },
      { text: ms(p.latencyMs.p50), cls: 'num' },
      { text: ms(p.latencyMs.p90), cls: 'num' },
      { text: ms(p.latencyMs.p95), cls: 'num' },
      { text: ms(p.latencyMs.p99), cls: 'num' },
      { text: ms(p.latencyMs.max), cls: 'num' },
    ]);
  }
}

function renderJourneys(section: HTMLElement, d: DrillResult): void {
  if (!d.journeys?.length) return;
  find(section, '.journeys-block').hidden = false;
  const jt = find(section, '.journeys tbody');
  for (const j of d.journeys) {
    const failed = j.failed + j.timedOut;
    const tr = row(jt, [
      j.name,
      { text: j.started, cls: 'num' },
      { text: j.completed, cls: 'num' },
      { text: failed + (j.timedOut ? ` (${j.timedOut} past maxDuration)` : ''), cls: 'num' },
      { text: j.durationMs ? ms(j.durationMs.p50) : '—', cls: 'num' },
      { text: j.durationMs ? ms(j.durationMs.p95) : '—', cls: 'num' },
      { text: j.durationMs ? ms(j.durationMs.p99) : '—', cls: 'num' },
      j.unfinished ? `${j.unfinished} cut by the end of the load` : '',
    ]);
    tr.className = 'journey';
    for (const st of j.steps) {
      const r = st.requests;
      const stepRow = row(jt, [
        st.name,
        { text: r.total, cls: 'num' },
        { text: r.ok, cls: 'num' },
        { text: r.failed, cls: 'num' },
        { text: ms(st.latencyMs.p50), cls: 'num' },
        { text: ms(st.latencyMs.p95), cls: 'num' },
        { text: ms(st.latencyMs.p99), cls: 'num' },
        counts(r.byOutcome, 'ok'),
      ]);
      stepRow.className = 'step';
    }
  }
}

function renderFindings(section: HTMLElement, d: DrillResult): void {
  if (!d.findings?.length) return;
  find(section, '.findings-block').hidden = false;
  const fl = find(section, '.findings');
  for (const f of d.findings) {
    const box = el('div', { class: `finding ${f.severity}` });
    const head = el('p');
    head.appendChild(el('span', { class: `severity ${f.severity}` }, f.severity));
    head.appendChild(el('b', { class: 'finding-id' }, ` ${f.id}`));
    head.appendChild(document.createTextNode(` · ${d.name} · ${f.message}`));
    box.appendChild(head);
    if (f.fix) {
      box.appendChild(el('p', { class: 'fix-label' }, 'Fix:'));
      const pre = el('pre', { class: 'fix' });
      pre.appendChild(el('code', null, f.fix));
      box.appendChild(pre);
    }
    fl.appendChild(box);
  }
}

function renderEvents(section: HTMLElement, d: DrillResult): void {
  if (d.setupMs !== undefined) {
    find(section, '.setup-block').hidden = false;
    const st = find(section, '.setup tbody');
    for (const e of d.events.filter((e) => /^(reset|deploy\.|drill\.recovered)/.test(e.kind))) row(st, [ms(e.atMs), e.kind, e.message]);
    row(st, ['', { text: 'setup time', cls: 'pass' }, `${ms(d.setupMs)} from reset to healthy and smoke test passed`]);
  }
  const et = find(section, '.events tbody');
  for (const e of d.events) row(et, [ms(e.atMs), e.kind, e.subject || '', e.message]);
}

function renderDrill(template: HTMLTemplateElement, container: HTMLElement, d: DrillResult, series: DrillSeries): void {
  const node = template.content.cloneNode(true) as DocumentFragment;
  const section = find(node, 'section');
  section.id = `drill-${d.name}`;
  find(section, '.drill-name').textContent = d.name;
  verdictBadge(find(section, '.verdict'), d.passed);
  find(section, '.drill-load').textContent = loadText(d);
  renderFigures(section, d);
  renderWindows(section, d);
  renderPhases(section, d);
  renderJourneys(section, d);
  renderFindings(section, d);
  renderEvents(section, d);
  container.appendChild(node);
  drawCharts(section, d, series);
}

function drawCharts(section: HTMLElement, d: DrillResult, s: DrillSeries): void {
  const width = Math.max(600, Math.min(1150, section.clientWidth || 1150));
  const syncKey = uPlot.sync(`golive-${d.name}`);
  const overlays = overlayPlugin(d, find(section, '.hover-event'));
  const charts: UPlot[] = [];
  const tEnd = s.t.length ? s.t[s.t.length - 1]! + s.span[s.span.length - 1]! / 2 : 0;
  const xMax = Math.max(1, tEnd, d.load.durationMs / 1000, (s.strip.ok.length * s.strip.slotMs) / 1000);
  const zoom = zoomSync(charts, xMax, find(section, '.zoom-reset'));
  const durationS = Math.max(0.001, d.load.durationMs / 1000);
  const chart: Chart = (opts, data, where) => {
    const u = new uPlot(
      {
        width,
        cursor: {
          sync: { key: syncKey.key },
          drag: { x: true, y: false, setScale: false },
          // A double click shows the whole drill, on every chart of it (uPlot's own would fit the data).
          bind: {
            dblclick: () => () => {
              zoom.reset();
              return null;
            },
          },
        },
        plugins: [overlays, zoom],
        ...opts,
        scales: { x: { time: false, range: zoom.range }, ...opts.scales },
      },
      data,
      find<HTMLElement>(section, where),
    );
    charts.push(u);
    return u;
  };
  /** A legend cell: the value under the cursor, or the whole drill's figure when the cursor is elsewhere. */
  const legend: Legend = (whole, fmt) => (_u: UPlot, v: number | null, _si: number, idx: number | null) => {
    if (idx === null || idx === undefined) return whole;
    return v === null || v === undefined ? 'none' : fmt(v);
  };
  const xLegend: UPlot.Series = { label: 's', value: legend('whole drill', (v) => `${v.toFixed(1)} s`) };
  const fromZero = (_u: UPlot, _min: number, max: number): UPlot.Range.MinMax => [0, max > 0 ? max * 1.08 : 1];
  const perSec = (v: number): string => `${Math.round(v)} req/s`;

  drawStrip(section, d, s.strip, chart, xLegend, legend);

  const total = s.ok.map((v, i) => v + s.failed[i]!);
  chart(
    {
      title: 'requests per second (a partial last second over its own length)',
      height: 220,
      scales: { y: { range: fromZero } },
      axes: [{ label: 'seconds' }, { label: 'req/s' }],
      series: [
        xLegend,
        {
          label: 'ok + failed',
          stroke: '#e03131',
          fill: 'rgba(224,49,49,0.35)',
          width: 1,
          value: legend(`${Math.round(d.requests.total / durationS)} req/s avg`, perSec),
        },
        {
          label: 'ok',
          stroke: '#2f9e44',
          fill: 'rgba(47,158,68,0.75)',
          width: 1,
          value: legend(`${Math.round(d.requests.ok / durationS)} req/s avg`, perSec),
        },
      ],
    },
    [s.t, total, s.ok],
    '.chart.throughput',
  );
  const lat = d.latencyMs;
  chart(
    {
      title: 'latency (ms, from intended start): ok requests, and failed ones dashed',
      height: 220,
      scales: { y: { range: fromZero } },
      axes: [{ label: 'seconds' }, { label: 'ms' }],
      series: [
        xLegend,
        { label: 'ok p50', stroke: '#1c7ed6', width: 1, value: legend(`all ${ms(lat.p50)}`, ms) },
        { label: 'ok p95', stroke: '#f08c00', width: 1, value: legend(`all ${ms(lat.p95)}`, ms) },
        { label: 'ok p99', stroke: '#c2255c', width: 1, value: legend(`all ${ms(lat.p99)}`, ms) },
        { label: 'failed p50', stroke: '#e03131', width: 1.5, dash: [6, 4], value: legend(`${d.requests.failed} failed`, ms) },
        { label: 'failed p99', stroke: '#862e9c', width: 1.5, dash: [2, 3], value: legend(`${d.requests.failed} failed`, ms) },
      ],
    },
    [s.t, s.okP50, s.okP95, s.okP99, s.failedP50, s.failedP99],
    '.chart.latency',
  );
  // Small charts under the main two, on the same time axis, with the same overlays, cursor and zoom.
  const smallChart = (title: string, unit: string, lines: [label: string, color: string][], data: UPlot.AlignedData, where: string): void => {
    chart(
      {
        height: 180,
        title,
        axes: [{ label: 'seconds' }, { label: unit }],
        series: [
          xLegend,
          ...lines.map(([label, stroke], i): UPlot.Series => {
            let peak = 0;
            for (const v of data[i + 1] || []) if (v !== null && v !== undefined && v > peak) peak = v;
            return { label, stroke, width: 2, value: legend(`peak ${peak}`, (v) => String(v)) };
          }),
        ],
      },
      data,
      where,
    );
  };
  const capacity = d.capacity;
  if (isUsage(capacity) && capacity.series?.length) {
    const usage = capacity.series;
    find(section, '.usage-block').hidden = false;
    const sat = capacity.saturation;
    if (sat) find(section, '.usage-notes').textContent = sat.notes.join(' · ');
    smallChart(
      'CPU (millicores): replicas in total, the Service, golive',
      'millicores',
      [
        ['replicas', '#2f9e44'],
        ['Service', '#f08c00'],
        ['golive', '#1c7ed6'],
      ],
      [usage.map((p) => p.atMs / 1000), usage.map((p) => p.replicasMillicores), usage.map((p) => p.serviceMillicores), usage.map((p) => p.goliveMillicores)],
      '.chart.usage',
    );
  }
  // The local platform's own samples are drawn in the usage chart already.
  const fromPlatform = (d.observed || []).filter((q) => q.source !== 'local');
  if (fromPlatform.length) {
    find(section, '.observed-block').hidden = false;
    const holder = find(section, '.observed');
    fromPlatform.forEach((q, qi) => {
      if (q.error !== undefined || !q.series.length) {
        holder.appendChild(el('p', { class: 'meta' }, `${q.name}: ${q.error || 'no data'}`));
        return;
      }
      const shown = q.series.slice(0, PALETTE.length);
      const joined = uPlot.join(shown.map((series): UPlot.AlignedData => [series.t.map((t) => t / 1000), series.v]));
      holder.appendChild(el('div', { class: `chart observed-${qi}` }));
      const label = (labels: Record<string, string>): string =>
        Object.entries(labels)
          .filter(([k]) => k !== '__name__')
          .map(([k, v]) => `${k}=${v}`)
          .join(',') || q.name;
      smallChart(
        q.name + (q.unit ? ` (${q.unit})` : '') + (q.series.length > shown.length ? ` · first ${shown.length} of ${q.series.length} series` : ''),
        q.unit || '',
        shown.map((series, i) => [label(series.labels), PALETTE[i]!]),
        joined,
        `.chart.observed-${qi}`,
      );
    });
  }
  const canary = capacity && !isUsage(capacity) ? capacity.canary : undefined;
  if (canary) {
    find(section, '.canary-block').hidden = false;
    smallChart(
      'canary writes acknowledged (cumulative): kept and lost',
      'writes',
      [
        ['acknowledged', '#1c7ed6'],
        ['lost', '#e03131'],
      ],
      [canary.t, canary.acked, canary.lost],
      '.chart.canary',
    );
  }
}

/**
 * The downtime strip: each slot of intended start (100 ms; longer for drills over an hour) coloured by its share of ok (green, from the
 * bottom) and failed (red, from the top) requests, outage windows outlined, events as labelled ticks.
 */
function drawStrip(section: HTMLElement, d: DrillResult, strip: DrillSeries['strip'], chart: Chart, xLegend: UPlot.Series, legend: Legend): void {
  const slotS = strip.slotMs / 1000;
  const x: number[] = [];
  const share: (number | null)[] = [];
  strip.ok.forEach((ok, i) => {
    const n = ok + strip.failed[i]!;
    x.push(i * slotS + slotS / 2);
    share.push(n ? (100 * strip.failed[i]!) / n : null);
  });
  const holder = find(section, '.chart.strip');
  const events = markedEvents(d);
  const dpr = (): number => window.devicePixelRatio;
  chart(
    {
      title: `downtime strip: share of failed requests per ${strip.slotMs} ms (by intended start); outage windows outlined`,
      height: 150,
      padding: [22, null, null, null],
      scales: { y: { range: [0, 100] } },
      axes: [{ label: 'seconds' }, { label: '% failed', splits: [0, 50, 100] }],
      legend: { live: true },
      series: [
        xLegend,
        {
          label: 'failed',
          stroke: 'transparent',
          points: { show: false },
          value: legend(`${ms(d.downtime.totalMs)} down in ${d.downtime.windows.length} window(s)`, (v) => `${v.toFixed(0)} %`),
        },
      ],
      hooks: {
        draw: [
          (u) => {
            const ctx = u.ctx;
            const top = u.bbox.top;
            const h = u.bbox.height;
            ctx.save();
            ctx.beginPath();
            ctx.rect(u.bbox.left, top, u.bbox.width, h);
            ctx.clip();
            strip.ok.forEach((ok, i) => {
              const n = ok + strip.failed[i]!;
              if (!n) return;
              const x0 = Math.round(u.valToPos(i * slotS, 'x', true));
              const x1 = Math.round(u.valToPos((i + 1) * slotS, 'x', true));
              const red = Math.round((h * strip.failed[i]!) / n);
              ctx.fillStyle = FAILED_COLOR;
              ctx.fillRect(x0, top, Math.max(1, x1 - x0), red);
              ctx.fillStyle = OK_COLOR;
              ctx.fillRect(x0, top + red, Math.max(1, x1 - x0), h - red);
            });
            ctx.strokeStyle = '#212529';
            ctx.lineWidth = 2;
            for (const w of d.downtime.windows) {
              const x0 = u.valToPos(w.startMs / 1000, 'x', true);
              const x1 = u.valToPos(w.endMs / 1000, 'x', true);
              ctx.strokeRect(x0, top + 1, Math.max(2, x1 - x0), h - 2);
            }
            ctx.restore();
            // Event ticks with their kind above the strip; a label that would overlap the last one is left out.
            ctx.save();
            ctx.fillStyle = '#343a40';
            ctx.strokeStyle = '#343a40';
            ctx.lineWidth = 1;
            ctx.font = `${Math.round(10 * dpr())}px sans-serif`;
            ctx.textBaseline = 'bottom';
            let lastRight = -Infinity;
            for (const e of events) {
              const px = Math.round(u.valToPos(e.atMs / 1000, 'x', true)) + 0.5;
              if (px < u.bbox.left || px > u.bbox.left + u.bbox.width) continue;
              ctx.beginPath();
              ctx.moveTo(px, top - 6 * dpr());
              ctx.lineTo(px, top);
              ctx.stroke();
              const label = e.kind + (e.subject && !e.kind.startsWith('replica.') ? ` ${e.subject}` : '');
              const wl = ctx.measureText(label).width;
              if (px - 2 > lastRight) {
                ctx.fillText(label, px + 2, top - 7 * dpr());
                lastRight = px + 2 + wl;
              }
            }
            ctx.restore();
            // Where the plot area is, so a test (or a user's script) can map pixels to time.
            holder.setAttribute('data-plot-left', String(u.bbox.left / dpr()));
            holder.setAttribute('data-plot-top', String(u.bbox.top / dpr()));
            holder.setAttribute('data-plot-width', String(u.bbox.width / dpr()));
            holder.setAttribute('data-plot-height', String(u.bbox.height / dpr()));
            holder.setAttribute('data-x-min', String(u.scales.x!.min));
            holder.setAttribute('data-x-max', String(u.scales.x!.max));
          },
        ],
      },
    },
    [x, share],
    '.chart.strip',
  );
}

/**
 * Drag to zoom on any chart of a drill zooms them all to the same seconds; the reset button (or a double
 * click) shows the whole drill again. The zoom is ours, not uPlot's: one view for every chart.
 */
function zoomSync(charts: readonly UPlot[], xMax: number, reset: HTMLElement): ZoomPlugin {
  let view: [number, number] | null = null;
  const apply = (): void => {
    const [min, max] = view || [0, xMax];
    for (const c of charts) c.setScale('x', { min, max });
    reset.hidden = view === null;
  };
  const resetAll = (): void => {
    view = null;
    apply();
  };
  reset.addEventListener('click', resetAll);
  return {
    reset: resetAll,
    range: () => view || [0, xMax],
    hooks: {
      setSelect: [
        (u) => {
          if (u.select.width < 2) return;
          const min = u.posToVal(u.select.left, 'x');
          const max = u.posToVal(u.select.left + u.select.width, 'x');
          u.setSelect({ left: 0, top: 0, width: 0, height: 0 }, false);
          view = [Math.max(0, min), Math.min(xMax, max)];
          apply();
        },
      ],
    },
  };
}

/** The events drawn as markers: a long drill's replica events would hide the rest. */
function markedEvents(d: DrillResult): TimelineEvent[] {
  return d.events.filter((e) => !e.kind.startsWith('replica.') || d.events.length < 60);
}

/** Phases shaded, outage windows in red, events as vertical lines whose text shows on hover. */
function overlayPlugin(d: DrillResult, hover: HTMLElement): UPlot.Plugin {
  const eventsS = markedEvents(d);
  return {
    hooks: {
      drawClear: [
        (u) => {
          const ctx = u.ctx;
          const top = u.bbox.top;
          const h = u.bbox.height;
          ctx.save();
          for (const p of d.phases) {
            const x0 = u.valToPos(p.startMs / 1000, 'x', true);
            const x1 = u.valToPos(p.endMs / 1000, 'x', true);
            ctx.fillStyle = PHASE_COLORS[p.name] || 'rgba(0,0,0,0.03)';
            ctx.fillRect(x0, top, Math.max(1, x1 - x0), h);
          }
          ctx.fillStyle = 'rgba(224,49,49,0.18)';
          for (const w of d.downtime.windows) {
            const x0 = u.valToPos(w.startMs / 1000, 'x', true);
            const x1 = u.valToPos(w.endMs / 1000, 'x', true);
            ctx.fillRect(x0, top, Math.max(2, x1 - x0), h);
          }
          ctx.restore();
        },
      ],
      draw: [
        (u) => {
          const ctx = u.ctx;
          const top = u.bbox.top;
          const h = u.bbox.height;
          ctx.save();
          ctx.strokeStyle = 'rgba(80,80,80,0.55)';
          ctx.setLineDash([4, 4]);
          for (const e of eventsS) {
            const x = Math.round(u.valToPos(e.atMs / 1000, 'x', true)) + 0.5;
            ctx.beginPath();
            ctx.moveTo(x, top);
            ctx.lineTo(x, top + h);
            ctx.stroke();
          }
          ctx.restore();
        },
      ],
      setCursor: [
        (u) => {
          if (u.cursor.left === undefined || u.cursor.left < 0) return;
          const t = u.posToVal(u.cursor.left, 'x') * 1000;
          let best: TimelineEvent | null = null;
          let bestDist = Infinity;
          const tol = ((u.scales.x!.max! - u.scales.x!.min!) * 1000) / 100;
          for (const e of eventsS) {
            const dd = Math.abs(e.atMs - t);
            if (dd < bestDist) {
              bestDist = dd;
              best = e;
            }
          }
          hover.textContent = best && bestDist <= tol ? `${ms(best.atMs)} · ${best.kind}${best.subject ? ` ${best.subject}` : ''}: ${best.message}` : '\u00a0';
        },
      ],
    },
  };
}

const data = JSON.parse(find(document, '#golive-data').textContent ?? '') as HtmlReportData;
renderRun(data.summary);
const template = find<HTMLTemplateElement>(document, '#drill-template');
const container = find(document, '#drills');
for (const d of data.summary.drills) renderDrill(template, container, d, data.series?.[d.name] || EMPTY_SERIES);
document.body.setAttribute('data-rendered', 'true');
