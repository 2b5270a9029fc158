/**
 * The HTML report: one self-contained file. A static template (report-template/) gets its styles, uPlot,
 * its script (report/browser/, compiled) and the JSON results injected; the page builds itself from the JSON.
 * No network when opened.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { PACKAGE_ROOT } from '../package-root.js';
import type { DrillSeries, HtmlReportData } from '../model/report-data.js';
import type { StoredRun } from '../model/timeline.js';
import { drillSeries } from './drill-series.js';

const TEMPLATE_DIR = path.join(PACKAGE_ROOT, 'report-template');
/** The page's script as the build compiled it (src/report/browser/tsconfig.json). */
const SCRIPT_FILE = path.join(PACKAGE_ROOT, 'dist', 'report', 'browser', 'report-script.js');
const UPLOT_DIR = path.join(PACKAGE_ROOT, 'node_modules', 'uplot', 'dist');

function asset(file: string): string {
  return readFileSync(file, 'utf8');
}

function uplotFile(name: string): string {
  // Installed next to golive, or hoisted one level up when golive is itself a dependency.
  for (const dir of [UPLOT_DIR, path.join(PACKAGE_ROOT, '..', 'uplot', 'dist')]) {
    try {
      return asset(path.join(dir, name));
    } catch {
      // try the next place
    }
  }
  throw new Error(`Internal error: uplot/dist/${name} not found; reinstall golive`);
}

function pageScript(): string {
  let script: string;
  try {
    script = asset(SCRIPT_FILE);
  } catch {
    throw new Error(`Internal error: ${path.relative(PACKAGE_ROOT, SCRIPT_FILE)} not found; build golive (npm run build) or reinstall it`);
  }
  // Its source map stays beside it: the page reads nothing but itself.
  return script.replace(/\n\/\/# sourceMappingURL=\S+\s*$/, '\n');
}

/** JSON safe inside <script>: no "</script>", no "<!--". */
function scriptSafeJson(value: unknown): string {
  return JSON.stringify(value)
    .replace(/</g, '\\u003c')
    .replace(/\u2028/g, '\\u2028')
    .replace(/\u2029/g, '\\u2029');
}

export function renderHtmlReport(results: StoredRun): string {
  const series: Record<string, DrillSeries> = {};
  for (const [drill, lines] of results.timeline) {
    series[drill] = drillSeries(lines, results.summary.drills.find((d) => d.name === drill)?.load.durationMs ?? 0);
  }
  const data: HtmlReportData = { summary: results.summary, series };
  // Replacements by function: `$` in the injected text must stay literal.
  return asset(path.join(TEMPLATE_DIR, 'report.html'))
    .replace('/*__UPLOT_CSS__*/', () => uplotFile('uPlot.min.css'))
    .replace('/*__REPORT_CSS__*/', () => asset(path.join(TEMPLATE_DIR, 'report.css')))
    .replace('/*__UPLOT_JS__*/', () => uplotFile('uPlot.iife.min.js').replace(/<\/script/gi, '<\\/script'))
    .replace('/*__REPORT_JS__*/', pageScript)
    .replace('__GOLIVE_DATA__', () => scriptSafeJson(data));
}

/** The comparison of two runs as one self-contained HTML file. */
export function renderCompareHtml(comparison: unknown): string {
  return asset(path.join(TEMPLATE_DIR, 'compare.html'))
    .replace('/*__REPORT_CSS__*/', () => asset(path.join(TEMPLATE_DIR, 'report.css')))
    .replace('__GOLIVE_DATA__', () => scriptSafeJson(comparison));
}
