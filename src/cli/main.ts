/**
 * The command line: parses argv, installs Ctrl-C handling, prints, and maps outcomes to exit codes.
 * Everything else happens in the library (`run`, `loadTest`).
 */
import { existsSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { Command, CommanderError } from 'commander';
import { envOverrides, loadConfig, type ConfigOverrides } from '../config/load-config.js';
import type { GoliveConfigInput } from '../config/schema.js';
import { buildDrills } from '../drills/registry.js';
import { GoliveError, InputError } from '../errors.js';
import { createTerminalReporter } from '../report/terminal-reporter.js';
import { loadTest, PLACEHOLDER_TARGET, run, type RunOutcome } from '../run.js';
import { VERSION } from '../version.js';
import { EXIT, type ExitCode } from './exit-codes.js';
import { STARTER_CONFIG } from './starter-config.js';
import { createDemoWorkspace, demoConfig } from './demo.js';
import { recoverAll, recoverFolder } from '../safety/recover.js';
import { writeReports } from '../report/write-reports.js';
import { runPlannedWorker, runStdioWorker } from './worker-main.js';
import { audit, type AuditSources } from '../audit/audit.js';
import { renderAudit } from '../audit/render.js';
import { toSarif } from '../audit/sarif.js';
import { SEVERITY_RANK, type Severity } from '../audit/model.js';
import { KubeClient } from '../platforms/kubernetes/client.js';
import { rbacYaml, requiredRules } from '../platforms/kubernetes/permissions.js';
import { readResults } from '../report/results-reader.js';
import { compareRuns, parseTolerances, renderComparisonMarkdown } from '../report/compare.js';
import { renderCompareHtml } from '../report/html-report.js';

export interface CliIo {
  stdout: NodeJS.WritableStream & { isTTY?: boolean; columns?: number };
  stderr: NodeJS.WritableStream;
  cwd: string;
  env: NodeJS.ProcessEnv;
}

const defaultIo = (): CliIo => ({ stdout: process.stdout, stderr: process.stderr, cwd: process.cwd(), env: process.env });

export async function main(argv: string[], io: CliIo = defaultIo()): Promise<ExitCode> {
  let exitCode: ExitCode = EXIT.passed;
  const program = new Command('golive')
    .description('Will your users notice when things go wrong? Real load during real disruptions, judged against your objectives.')
    .version(VERSION)
    .exitOverride()
    .configureOutput({ writeOut: (s) => io.stdout.write(s), writeErr: (s) => io.stderr.write(s) })
    .showHelpAfterError('(run golive --help for usage)');

  program.command('load')
    .description('a plain load test against a URL, no config needed')
    .argument('<url>', 'the URL to load (http:// or https://)')
    .option('--rate <rate>', 'open model: requests per second (e.g. 200 or 200/s)')
    .option('--vus <n>', 'closed model: this many virtual users instead of a rate')
    .option('-d, --duration <duration>', 'how long, e.g. 30s, 2m', '30s')
    .option('--connections <n>', 'keep-alive connections (open model)')
    .option('--timeout <duration>', 'per-request timeout, from the intended start', '10s')
    .option('-X, --method <method>', 'HTTP method', 'GET')
    .option('-H, --header <header...>', "request header 'name: value' (repeatable)")
    .option('--body <body>', 'request body (a template)')
    .option('--threshold <threshold...>', "k6-style threshold, e.g. 'p(95)<300' or 'rate(failed)<0.001' (repeatable)")
    .option('--threads <n>', 'worker threads (default: CPU cores)')
    .option('--workers <n>', 'run the load in this many worker processes instead of threads')
    .option('--insecure', 'accept self-signed TLS certificates')
    .option('--http2', 'speak HTTP/2')
    .option('--out <dir>', 'results folder root', 'golive-results')
    .action(async (url: string, o: Record<string, string | string[] | boolean | undefined>) => {
      const config = loadFlagsToConfig(url, o);
      exitCode = await execute(io, (signal) => loadTest({ cwd: io.cwd, config, signal, reporters: [terminal(io)], overrides: envOverrides(io.env), onWarning: warnTo(io) }));
    });

  program.command('run')
    .description("run the config's drills (all, or the ones named)")
    .argument('[drills...]', 'drills to run, in the configured order')
    .option('-c, --config <file>', 'config file (default: golive.config.* here)')
    .option('--rate <rate>', 'override load.rate')
    .option('-d, --duration <duration>', 'override load.duration')
    .option('--threads <n>', 'override load.threads')
    .option('--workers <n>', 'run the load in this many worker processes')
    .option('--out <dir>', 'override output.dir')
    .option('--allow-destroy', 'consent to drills that destroy the environment (disaster-recovery, redeploy)')
    .option('-y, --yes', 'confirm manual steps without asking')
    .option('--context <name>', 'kubeconfig context (kubernetes platform)')
    .option('--dry-run', 'print every cluster change the drills would make, make none, send no load')
    .action(async (drills: string[], o: Record<string, string | boolean | undefined>) => {
      const overrides: ConfigOverrides = {
        ...envOverrides(io.env),
        ...definedOnly({ 'load.rate': o['rate'], 'load.duration': o['duration'], 'load.threads': num(o['threads'] as string | undefined), 'output.dir': o['out'] }),
        ...(o['workers'] !== undefined ? { 'load.workers': { kind: 'processes', count: num(o['workers'] as string) } } : {}),
      };
      exitCode = await execute(io, (signal) => run({
        cwd: io.cwd, drills, overrides, signal, reporters: [terminal(io)],
        allowDestroy: Boolean(o['allowDestroy']), assumeYes: Boolean(o['yes']), onWarning: warnTo(io),
        dryRun: Boolean(o['dryRun']),
        ...(typeof o['context'] === 'string' ? { context: o['context'] } : {}),
        ...(o['dryRun'] ? { onMutation: (d: string) => io.stdout.write(`  would: ${d}\n`) } : {}),
        ...(typeof o['config'] === 'string' ? { configFile: o['config'] } : {}),
      }));
    });

  program.command('demo')
    .description('the six drills against the bundled demo app on the local platform (the quick start)')
    .argument('[drills...]', 'drills to run (default: all six)')
    .option('--naive', 'one replica, Recreate, no graceful shutdown: see the drills fail')
    .option('--out <dir>', 'results folder root', 'golive-results')
    .action(async (drills: string[], o: { naive?: boolean; out: string }) => {
      const workspace = createDemoWorkspace();
      try {
        const config = { ...demoConfig(workspace.dir, Boolean(o.naive)), output: { dir: path.resolve(io.cwd, o.out) } };
        exitCode = await execute(io, (signal) => run({ cwd: io.cwd, config, drills, signal, reporters: [terminal(io)], onWarning: warnTo(io) }));
      } finally {
        workspace.remove();
      }
    });

  program.command('report')
    .description('write reports from a results folder: HTML, JUnit XML, Markdown (all three unless some are named)')
    .argument('<results-folder>', 'a folder under golive-results/')
    .option('--html', 'the self-contained HTML report')
    .option('--junit', 'JUnit XML for CI test reporters')
    .option('--markdown', 'Markdown for a PR comment or $GITHUB_STEP_SUMMARY')
    .option('--out <dir>', 'where to write (default: the results folder)')
    .action((folder: string, o: { html?: boolean; junit?: boolean; markdown?: boolean; out?: string }) => {
      const asked = (['html', 'junit', 'markdown'] as const).filter((r) => o[r]);
      const dir = path.resolve(io.cwd, folder);
      const written = writeReports(dir, asked.length ? [...asked] : ['html', 'junit', 'markdown'], o.out ? path.resolve(io.cwd, o.out) : dir);
      for (const file of Object.values(written)) io.stdout.write(`wrote ${path.relative(io.cwd, file) || file}\n`);
    });

  program.command('compare')
    .description('two runs side by side per drill and figure; exit 1 when a figure regressed beyond its tolerance')
    .argument('<folder-a>', 'the baseline run')
    .argument('<folder-b>', 'the run to judge')
    .option('--tolerance <list>', 'e.g. latency=20%,latencyFloorMs=1,downtimeMs=100,failedRequests=0,errorRate=0.1%,throughput=5%,recovery=20%')
    .option('--html <file>', 'also write the comparison as HTML')
    .option('--markdown <file>', 'also write the comparison as Markdown')
    .action((a: string, b: string, o: { tolerance?: string; html?: string; markdown?: string }) => {
      const tolerances = parseTolerances(o.tolerance);
      if (typeof tolerances === 'string') throw new GoliveError('GOLIVE_USAGE', `--tolerance: ${tolerances}`);
      const comparison = compareRuns(readResults(path.resolve(io.cwd, a)).summary, readResults(path.resolve(io.cwd, b)).summary, tolerances);
      const markdown = renderComparisonMarkdown(comparison);
      io.stdout.write(markdown);
      if (o.markdown) writeFileSync(path.resolve(io.cwd, o.markdown), markdown);
      if (o.html) writeFileSync(path.resolve(io.cwd, o.html), renderCompareHtml(comparison));
      exitCode = comparison.regressions > 0 ? EXIT.failed : EXIT.passed;
    });

  program.command('audit')
    .description('find what would fail a drill before running it: manifests, a live namespace, or the local platform config')
    .argument('[paths...]', "manifest files or folders; '-' reads manifests on stdin (kustomize build | golive audit -)")
    .option('-c, --config <file>', 'a golive config: its local platform, or its kubernetes namespace')
    .option('--cluster', "also read the config's kubernetes namespace from the cluster")
    .option('--namespace <ns>', 'read this namespace from the cluster (current context)')
    .option('--context <name>', 'kubeconfig context')
    .option('--format <format>', 'terminal, json or sarif', 'terminal')
    .option('--out <file>', 'write the report to a file instead of stdout')
    .option('--fail-on <severity>', 'exit 1 when a finding at or above this severity exists: error, warning, info or none', 'error')
    .option('--demo', 'audit the bundled demo config (what golive demo runs)')
    .option('--demo-naive', 'audit the bundled naive demo config (what golive demo --naive runs)')
    .action(async (paths: string[], o: { config?: string; cluster?: boolean; namespace?: string; context?: string; format: string; out?: string; failOn: string; demo?: boolean; demoNaive?: boolean }) => {
      if (!['terminal', 'json', 'sarif'].includes(o.format)) throw new GoliveError('GOLIVE_USAGE', `--format: expected terminal, json or sarif, received ${JSON.stringify(o.format)}`);
      if (!['error', 'warning', 'info', 'none'].includes(o.failOn)) throw new GoliveError('GOLIVE_USAGE', `--fail-on: expected error, warning, info or none, received ${JSON.stringify(o.failOn)}`);
      const files = paths.filter((p) => p !== '-');
      const stdin = paths.includes('-') ? await readStdin() : undefined;
      const demo = o.demo || o.demoNaive ? demoConfig(io.cwd, Boolean(o.demoNaive)) : undefined;
      const loaded = demo ? await loadConfig({ cwd: io.cwd, inline: demo })
        : o.config || (!paths.length && !o.namespace) ? await loadConfig({ cwd: io.cwd, ...(o.config ? { file: o.config } : {}) }) : undefined;
      const p = loaded?.config.platform;
      const namespace = o.namespace ?? (o.cluster && p?.kind === 'kubernetes' ? p.namespace : undefined);
      const sources: AuditSources = {
        cwd: io.cwd,
        ...(files.length ? { paths: files } : {}),
        ...(stdin !== undefined ? { stdin } : {}),
        ...(namespace ? { cluster: { client: new KubeClient({ context: o.context ?? (p?.kind === 'kubernetes' ? p.context : undefined), kubeconfig: p?.kind === 'kubernetes' ? p.kubeconfig : undefined }), namespace, ...(p?.kind === 'kubernetes' ? { veleroNamespace: p.veleroNamespace } : {}) } } : {}),
        ...(p?.kind === 'local' ? { local: { platform: p, file: demo ? undefined : loaded!.fileLabel, lineOf: loaded!.lineOf } } : {}),
      };
      if (!sources.paths && sources.stdin === undefined && !sources.cluster && !sources.local) {
        throw new GoliveError('GOLIVE_USAGE', 'nothing to audit: give manifest files or folders, - for stdin, --namespace, or a config with a local platform (or kubernetes and --cluster)');
      }
      const { findings, sources: described } = await audit(sources);
      const text = o.format === 'sarif' ? `${JSON.stringify(toSarif(findings), null, 2)}\n` : o.format === 'json' ? `${JSON.stringify({ sources: described, findings }, null, 2)}\n` : renderAudit(findings, described);
      if (o.out) writeFileSync(path.resolve(io.cwd, o.out), text);
      else io.stdout.write(text);
      const threshold = o.failOn === 'none' ? Infinity : SEVERITY_RANK[o.failOn as Severity];
      exitCode = findings.some((f) => SEVERITY_RANK[f.severity] >= threshold) ? EXIT.failed : EXIT.passed;
    });

  program.command('rbac')
    .description('print the Role and ClusterRole golive needs for the configured drills (kubernetes platform)')
    .option('-c, --config <file>', 'config file (default: golive.config.* here)')
    .action(async (o: { config?: string }) => {
      const loaded = await loadConfig({ cwd: io.cwd, ...(o.config ? { file: o.config } : {}) });
      const p = loaded.config.platform;
      if (p?.kind !== 'kubernetes') throw new GoliveError('GOLIVE_USAGE', "golive rbac is for platform: { kind: 'kubernetes' } configs");
      const kinds = buildDrills({ loaded, targetUrl: loaded.config.target?.url ?? PLACEHOLDER_TARGET, allowDestroy: true }).map((d) => d.kind);
      const workers = loaded.config.load.workers;
      io.stdout.write(rbacYaml(requiredRules({
        namespace: p.namespace, workloadResource: p.workload.kind === 'Deployment' ? 'deployments' : 'statefulsets', drills: kinds, veleroNamespace: p.veleroNamespace,
        workersNamespace: workers?.kind === 'kubernetes' ? workers.namespace ?? p.namespace : undefined,
      })));
    });

  program.command('worker', { hidden: true })
    .description('internal: one load worker speaking the protocol as NDJSON on stdin/stdout')
    .option('--stdio', 'messages on stdin and stdout (how golive runs process workers)')
    .option('--plan <file>', 'the plan file of a worker pod (plan, count, shared start time)')
    .option('--index <n>', 'this worker\'s index (default: JOB_COMPLETION_INDEX)')
    .action(async (o: { plan?: string; index?: string }) => {
      await (o.plan ? runPlannedWorker(o.plan, o.index) : runStdioWorker());
      exitCode = EXIT.passed;
    });

  program.command('recover')
    .description('undo what killed runs left behind (processes, temp folders), from their journals')
    .argument('[results-folder]', 'one run folder (default: every run under golive-results)')
    .action(async (folder: string | undefined) => {
      const report = folder ? await recoverFolder(path.resolve(io.cwd, folder)) : await recoverAll(path.resolve(io.cwd, 'golive-results'));
      for (const line of report.undone) io.stdout.write(`✓ undone: ${line}\n`);
      for (const line of report.skipped) io.stdout.write(`· skipped: ${line}\n`);
      for (const line of report.failed) io.stderr.write(`✗ ${line}\n`);
      if (report.undone.length + report.failed.length === 0) io.stdout.write('nothing to recover\n');
      exitCode = report.failed.length > 0 ? EXIT.incomplete : EXIT.passed;
    });

  program.command('validate')
    .description('check a config and say what is wrong, without running anything')
    .option('-c, --config <file>', 'config file (default: golive.config.* here)')
    .action(async (o: { config?: string }) => {
      const loaded = await loadConfig({ cwd: io.cwd, ...(o.config ? { file: o.config } : {}), overrides: envOverrides(io.env) });
      const drills = buildDrills({ loaded, targetUrl: loaded.config.target?.url ?? PLACEHOLDER_TARGET, allowDestroy: true });
      io.stdout.write(`✓ ${path.relative(io.cwd, loaded.file ?? '') || 'config'} is valid · target ${loaded.config.target?.url ?? 'the local platform'} · drills: ${drills.map((d) => d.name).join(', ')}\n`);
    });

  program.command('init')
    .description('write a commented starter golive.config.ts here')
    .option('--force', 'overwrite an existing file')
    .action((o: { force?: boolean }) => {
      const file = path.join(io.cwd, 'golive.config.ts');
      if (existsSync(file) && !o.force) throw new GoliveError('GOLIVE_USAGE', `${file} exists; use --force to overwrite it`);
      writeFileSync(file, STARTER_CONFIG);
      io.stdout.write(`wrote ${file}\nnext: edit target.url, then run \`npx golive validate\` and \`npx golive run\`\n`);
    });

  try {
    await program.parseAsync(argv, { from: 'user' });
    return exitCode;
  } catch (err) {
    return reportError(err, io);
  }
}

function readStdin(): Promise<string> {
  return new Promise((resolve) => {
    let text = '';
    process.stdin.setEncoding('utf8');
    process.stdin.on('data', (d: string) => { text += d; });
    process.stdin.on('end', () => resolve(text));
  });
}

function warnTo(io: CliIo): (message: string) => void {
  return (message) => io.stderr.write(`⚠ ${message}\n`);
}

function terminal(io: CliIo) {
  return createTerminalReporter({ stream: io.stdout });
}

/** Runs with Ctrl-C handling: the first stops the run cleanly (results still written), the second exits now. */
async function execute(io: CliIo, start: (signal: AbortSignal) => Promise<RunOutcome>): Promise<ExitCode> {
  const controller = new AbortController();
  let interrupts = 0;
  const onSigint = (): void => {
    interrupts++;
    if (interrupts === 1) {
      io.stderr.write('\nstopping: finishing requests in flight and writing results (Ctrl-C again to quit at once)\n');
      controller.abort();
    } else {
      process.exit(EXIT.incomplete);
    }
  };
  process.on('SIGINT', onSigint);
  process.on('SIGTERM', onSigint);
  try {
    const outcome = await start(controller.signal);
    io.stdout.write(`results: ${outcome.resultsDir}\n`);
    for (const file of outcome.reports) io.stdout.write(`report:  ${file}\n`);
    if (outcome.interrupted) return EXIT.incomplete;
    if (outcome.result.drills.some((d) => d.error !== undefined)) return EXIT.incomplete;
    return outcome.result.passed ? EXIT.passed : EXIT.failed;
  } finally {
    process.off('SIGINT', onSigint);
    process.off('SIGTERM', onSigint);
  }
}

function reportError(err: unknown, io: CliIo): ExitCode {
  if (err instanceof CommanderError) {
    // Commander printed its message already; help and version end with code 0.
    return err.exitCode === 0 ? EXIT.passed : EXIT.usage;
  }
  if (err instanceof InputError) {
    io.stderr.write(`${err.message}\n`);
    return EXIT.usage;
  }
  if (err instanceof GoliveError) {
    io.stderr.write(`golive: ${err.message}\n`);
    return err.code === 'GOLIVE_USAGE' || err.code === 'GOLIVE_CONFIG_INVALID' || err.code === 'GOLIVE_CONFIG_NOT_FOUND' || err.code === 'GOLIVE_DATA_INVALID'
      ? EXIT.usage
      : EXIT.incomplete;
  }
  io.stderr.write(`golive: Internal error: ${(err as Error)?.stack ?? String(err)}\n`);
  return EXIT.incomplete;
}

function loadFlagsToConfig(url: string, o: Record<string, string | string[] | boolean | undefined>): GoliveConfigInput {
  if (o['rate'] !== undefined && o['vus'] !== undefined) throw new GoliveError('GOLIVE_USAGE', 'give either --rate (open model) or --vus (closed model), not both');
  if (!/^https?:\/\//.test(url) || !URL.canParse(url)) throw new GoliveError('GOLIVE_USAGE', `expected an http:// or https:// URL, received ${JSON.stringify(url)}`);
  const target = new URL(url);
  const headers: Record<string, string> = {};
  for (const h of (o['header'] as string[] | undefined) ?? []) {
    const i = h.indexOf(':');
    if (i <= 0) throw new GoliveError('GOLIVE_USAGE', `--header expects 'name: value', received ${JSON.stringify(h)}`);
    headers[h.slice(0, i).trim()] = h.slice(i + 1).trim();
  }
  const vus = num(o['vus'] as string | undefined);
  return {
    name: 'load',
    target: { url: target.origin, insecure: Boolean(o['insecure']), http2: Boolean(o['http2']) },
    load: {
      executor: vus !== undefined ? 'constant-vus' : 'constant-arrival-rate',
      ...(vus !== undefined ? { vus } : { rate: (o['rate'] as string | undefined) ?? 50 }),
      duration: o['duration'] as string,
      timeout: o['timeout'] as string,
      ...definedOnly({ connections: num(o['connections'] as string | undefined), threads: num(o['threads'] as string | undefined) }),
      ...(o['workers'] !== undefined ? { workers: { kind: 'processes', count: num(o['workers'] as string) } } : {}),
      requests: [{
        method: o['method'] as string,
        url: target.pathname + target.search,
        headers,
        ...(o['body'] !== undefined ? { body: o['body'] as string } : {}),
      }],
    },
    thresholds: (o['threshold'] as string[] | undefined) ?? [],
    output: { dir: o['out'] as string },
  } as GoliveConfigInput;
}

function num(v: string | undefined): number | string | undefined {
  if (v === undefined) return undefined;
  return /^\d+$/.test(v) ? Number(v) : v; // a non-number goes through so the schema names it
}

function definedOnly<T extends Record<string, unknown>>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}

