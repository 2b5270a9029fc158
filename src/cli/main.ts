/**
 * The command line: declares the commands, parses argv, and maps outcomes to exit codes. Each command's
 * code is imported only when it runs, so `golive --help` loads little more than commander.
 */
import { Command, CommanderError } from 'commander';
import { GoliveError, InputError } from '../errors.js';
import { SETTINGS, settingHelp, type SettingsCommand } from '../config/settings.js';
import { VERSION } from '../version.js';
import { EXIT, exitCodeOfError, type ExitCode } from '../api/exit-codes.js';
import type { CliIo } from './io.js';
import type { AuditFlags } from './commands/audit.js';
import type { LoadFlags } from './commands/load.js';
import type { RunFlags } from './commands/run.js';
import type { HarImportFlags } from './commands/har.js';

export type { CliIo } from './io.js';

const defaultIo = (): CliIo => ({ stdout: process.stdout, stderr: process.stderr, stdin: process.stdin, cwd: process.cwd(), env: process.env });

export async function main(argv: string[], io: CliIo = defaultIo()): Promise<ExitCode> {
  let exitCode: ExitCode = EXIT.passed;
  const done = (code: ExitCode): void => {
    exitCode = code;
  };
  const program = new Command('golive')
    .description('Will your users notice when things go wrong? Real load during real disruptions, judged against your objectives.')
    .version(VERSION)
    .exitOverride()
    .configureOutput({ writeOut: (s) => io.stdout.write(s), writeErr: (s) => io.stderr.write(s) })
    .showHelpAfterError('(run golive --help for usage)');

  withSettings(
    program.command('load').description('a plain load test against a URL, no config needed').argument('<url>', 'the URL to load (http:// or https://)'),
    'load',
  ).action(async (url: string, o: LoadFlags) => done(await (await import('./commands/load.js')).loadCommand(io, url, o)));

  withSettings(
    program
      .command('run')
      .description("run the config's drills (all, or the ones named)")
      .argument('[drills...]', 'drills to run, in the configured order')
      .option('-c, --config <file>', 'config file (default: golive.config.* here)'),
    'run',
  )
    .option('--allow-destroy', 'consent to drills that destroy the environment (disaster-recovery, redeploy)')
    .option('-y, --yes', 'confirm manual steps without asking')
    .option('--context <name>', 'kubeconfig context (kubernetes platform)')
    .option('--dry-run', 'print every cluster change the drills would make, make none, send no load')
    .action(async (drills: string[], o: RunFlags) => done(await (await import('./commands/run.js')).runCommand(io, drills, o)));

  withSettings(
    program
      .command('demo')
      .description('the six drills against the bundled demo app on the local platform (the quick start)')
      .argument('[drills...]', 'drills to run (default: all six)')
      .option('--naive', 'one replica, Recreate, no graceful shutdown: see the drills fail'),
    'demo',
  ).action(async (drills: string[], o: { naive?: boolean; out?: string }) => done(await (await import('./commands/demo.js')).demoCommand(io, drills, o)));

  program
    .command('report')
    .description('write reports from a results folder: HTML, JUnit XML, Markdown (all three unless some are named)')
    .argument('<results-folder>', 'a folder under golive-results/')
    .option('--html', 'the self-contained HTML report')
    .option('--junit', 'JUnit XML for CI test reporters')
    .option('--markdown', 'Markdown for a PR comment or $GITHUB_STEP_SUMMARY')
    .option('--out <dir>', 'where to write (default: the results folder)')
    .action(async (folder: string, o: { html?: boolean; junit?: boolean; markdown?: boolean; out?: string }) =>
      done(await (await import('./commands/report.js')).reportCommand(io, folder, o)),
    );

  program
    .command('compare')
    .description('two runs side by side per drill and figure; exit 1 when a figure regressed beyond its tolerance')
    .argument('<folder-a>', 'the baseline run')
    .argument('<folder-b>', 'the run to judge')
    .option('--tolerance <list>', 'e.g. latency=20%,latencyFloor=1ms,downtime=100ms,failedRequests=0,errorRate=0.1%,throughput=5%,recovery=20%')
    .option('--html <file>', 'also write the comparison as HTML')
    .option('--markdown <file>', 'also write the comparison as Markdown')
    .action(async (a: string, b: string, o: { tolerance?: string; html?: string; markdown?: string }) =>
      done(await (await import('./commands/compare.js')).compareCommand(io, a, b, o)),
    );

  program
    .command('audit')
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
    .action(async (paths: string[], o: AuditFlags) => done(await (await import('./commands/audit.js')).auditCommand(io, paths, o)));

  program
    .command('rbac')
    .description('print the Role and ClusterRole golive needs for the configured drills (kubernetes platform)')
    .option('-c, --config <file>', 'config file (default: golive.config.* here)')
    .action(async (o: { config?: string }) => done(await (await import('./commands/rbac.js')).rbacCommand(io, o)));

  program
    .command('worker', { hidden: true })
    .description('internal: one load worker speaking the protocol as NDJSON on stdin/stdout')
    .option('--stdio', 'messages on stdin and stdout (how golive runs process workers)')
    .option('--plan <file>', 'the plan file of a worker pod (plan, count, shared start time)')
    .option('--index <n>', "this worker's index (default: JOB_COMPLETION_INDEX)")
    .action(async (o: { plan?: string; index?: string }) => done(await (await import('./commands/worker.js')).workerCommand(o)));

  program
    .command('recover')
    .description('undo what killed runs left behind (processes, temp folders), from their journals')
    .argument('[results-folder]', 'one run folder (default: every run under golive-results)')
    .action(async (folder: string | undefined) => done(await (await import('./commands/recover.js')).recoverCommand(io, folder)));

  program
    .command('validate')
    .description('check a config and say what is wrong, without running anything')
    .option('-c, --config <file>', 'config file (default: golive.config.* here)')
    .action(async (o: { config?: string }) => done(await (await import('./commands/validate.js')).validateCommand(io, o)));

  const har = program.command('har').description('recorded browser sessions (HAR files)');
  har
    .command('import')
    .description('turn a HAR recording into a journey config: chosen hosts, no static assets, correlated session values')
    .argument('<file>', 'the HAR file (DevTools "Save all as HAR", Playwright recordHar, mitmproxy)')
    .option('--host <host...>', 'hosts to keep (default: the host of the first page)')
    .option('--keep-static', 'keep static assets (styles, scripts, images, fonts)')
    .option('--out <file>', 'the config to write: .ts, .yaml or .json (default golive.config.ts)')
    .option('--no-correlate', 'replay every recorded value as it is (no extraction)')
    .option('--name <name>', 'the journey name (default: the first page title)')
    .option('--force', 'overwrite the output file')
    .action(async (file: string, o: HarImportFlags) => done((await import('./commands/har.js')).harImportCommand(io, file, o)));

  program
    .command('init')
    .description('write a commented starter golive.config.ts here')
    .option('--force', 'overwrite an existing file')
    .action(async (o: { force?: boolean }) => done((await import('./commands/init.js')).initCommand(io, o)));

  try {
    await program.parseAsync(argv, { from: 'user' });
    return exitCode;
  } catch (err) {
    return reportError(err, io);
  }
}

/** The flags the settings table gives `name` (config/settings.ts), declared with their help. */
function withSettings(command: Command, name: SettingsCommand): Command {
  for (const s of SETTINGS) if (s.flag?.commands.includes(name)) command.option(s.flag.spec, settingHelp(s, name));
  return command;
}

function reportError(err: unknown, io: CliIo): ExitCode {
  if (err instanceof CommanderError) {
    // Commander printed its message already; help and version end with code 0.
    return err.exitCode === 0 ? EXIT.passed : EXIT.usage;
  }
  if (err instanceof InputError) io.stderr.write(`${err.message}\n`);
  else if (err instanceof GoliveError) io.stderr.write(`golive: ${err.message}\n`);
  else io.stderr.write(`golive: Internal error: ${(err as Error)?.stack ?? String(err)}\n`);
  return exitCodeOfError(err);
}
