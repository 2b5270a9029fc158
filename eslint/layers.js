// The architecture as data (STYLE.md "One-way imports"): for each folder of src/, what its files may
// import. Allow-lists, so a new folder or a new edge is a decision made here, never by accident.
// Enforced by the `golive/layers` rule below; test/unit/lint/layers.test.ts proves each edge fails.
import path from 'node:path';

/** Node built-ins that touch the outside world: pure layers may use none. */
const IO = ['fs', 'fs/promises', 'net', 'http', 'https', 'http2', 'tls', 'dgram', 'child_process', 'worker_threads', 'readline', 'os', 'dns', 'cluster'];

const ROOT = ['src/errors.ts', 'src/version.ts', 'src/package-root.ts', 'src/abortable.ts', 'src/files.ts'];
const PLATFORM_PORT = ['src/platforms/platform.ts'];
const PLATFORM_REGISTRY = ['src/platforms/registry.ts'];
/** What runs in worker threads and pods may read of the engine: never the coordinator. */
const ENGINE_SHARED = [
  'src/engine/plan.ts',
  'src/engine/protocol.ts',
  'src/engine/template.ts',
  'src/engine/json-path.ts',
  'src/engine/schedule.ts',
  'src/engine/grow.ts',
];
/** What the CLI and its commands may import: everything but platform internals. */
const CLI_IMPORTS = [
  'src/api',
  'src/run',
  'src/model',
  'src/config',
  'src/drills',
  'src/report',
  'src/results',
  'src/safety',
  'src/audit',
  'src/har',
  ...PLATFORM_PORT,
  ...PLATFORM_REGISTRY,
  'src/engine',
  ...ROOT,
];

/**
 * folder → { imports: folders or files it may import (its own folder always), typeImports: allowed as
 * `import type` only, typesOnly: every import must be `import type` (packages' too), io: may it use Node's
 * I/O built-ins }. Each folder's entry covers its own files only.
 */
export const LAYERS = {
  src: {
    imports: ['src/api', 'src/run', 'src/config', 'src/report', 'src/model', ...ROOT],
    io: true,
    why: 'the public API re-exports the library; errors, version and package root are leaves',
  },
  'src/api': {
    imports: [
      'src/run',
      'src/model',
      'src/config',
      'src/drills',
      'src/report',
      'src/results',
      'src/safety',
      'src/audit',
      ...PLATFORM_PORT,
      ...PLATFORM_REGISTRY,
      ...ROOT,
    ],
    io: true,
    why: "api/ is the library's commands beside run(): what the CLI wraps, with the I/O given by the caller",
  },
  'src/model': { imports: [], io: false, why: 'model/ is the result vocabulary: pure, imports nothing of golive' },
  'src/analysis': {
    imports: ['src/model', ...ROOT],
    io: false,
    why: 'analysis/ is pure: numbers and verdicts from recorded data, no I/O',
  },
  'src/engine': { imports: ['src/model', ...ROOT], io: true, why: 'engine/ knows nothing of drills, platforms, analysis, config or reports' },
  'src/engine/worker': {
    imports: ['src/model', ...ENGINE_SHARED, 'src/engine/worker/journeys', ...ROOT],
    io: true,
    why: 'engine/worker/ runs in worker threads and pods: never the coordinator',
  },
  'src/engine/worker/journeys': {
    imports: ['src/model', ...ENGINE_SHARED, 'src/engine/worker/request-mix.ts', 'src/engine/worker/transport.ts', ...ROOT],
    io: false,
    why: "journeys/ walks a user's steps with their variables and cookies; the worker sends the requests",
  },
  'src/engine/external': {
    imports: [
      'src/model',
      'src/engine/engine.ts',
      'src/engine/plan.ts',
      'src/engine/recording-builder.ts',
      'src/engine/snapshot-merger.ts',
      'src/engine/worker/recorder.ts',
      ...ROOT,
    ],
    io: true,
    why: "engine/external/ runs the team's own load tool and records its results like golive's own workers would",
  },
  'src/schema': {
    imports: ['src/analysis', 'src/engine/json-path.ts', ...ROOT],
    io: false,
    why: "schema/ holds the config's building blocks (zod helpers, shared fields): a leaf the config, the drill kinds and the platforms build on",
  },
  'src/config': {
    imports: [
      'src/model',
      'src/engine',
      'src/analysis',
      'src/schema',
      'src/drills/kinds.ts',
      'src/platforms/local/schema.ts',
      'src/platforms/kubernetes/schema.ts',
      ...ROOT,
    ],
    io: true,
    why: 'config/ turns files into validated settings and plans; drill kinds and platforms bring only their schemas',
  },
  'src/drills': {
    imports: ['src/model', 'src/engine', 'src/analysis', 'src/schema', ...PLATFORM_PORT, ...ROOT],
    typeImports: ['src/safety'],
    io: true,
    why: 'each drill kind is described once (its schema, needs, phases, objectives); drills see a platform only through platforms/platform.ts',
  },
  'src/run': {
    imports: [
      'src/model',
      'src/engine',
      'src/analysis',
      'src/config',
      'src/drills',
      'src/report',
      'src/results',
      'src/safety',
      'src/audit',
      'src/observe',
      ...PLATFORM_PORT,
      ...PLATFORM_REGISTRY,
      ...ROOT,
    ],
    io: true,
    why: 'the run pipeline reaches platforms through their port and registry only',
  },
  'src/cli': {
    imports: CLI_IMPORTS,
    typeImports: ['src/cli/commands'],
    io: true,
    why: 'the CLI is a thin layer: commands load lazily, platforms through their registry',
  },
  'src/cli/commands': {
    imports: ['src/cli', ...CLI_IMPORTS],
    io: true,
    why: 'commands are thin: platforms through their registry, loaded lazily',
  },
  'src/report': { imports: ['src/model', ...ROOT], io: true, why: 'reporters read the result model only' },
  'src/report/browser': {
    imports: [],
    typeImports: ['src/model'],
    typesOnly: true,
    io: false,
    why: "report/browser/ is the HTML report's page script, inlined as one file: it imports types only (the model's, uPlot's), nothing at run time",
  },
  'src/har': {
    imports: ['src/engine/template.ts', 'src/model', ...ROOT],
    typeImports: ['src/engine/plan.ts'],
    io: true,
    why: 'har/ turns a recorded browser session into a journey config: it knows the config format (templates included), not the engine',
  },
  'src/observe': {
    imports: ['src/model', ...ROOT],
    typeImports: ['src/config'],
    io: true,
    why: "observe/ reads the platform's monitoring (Prometheus) over HTTP: no drill, platform or report",
  },
  'src/results': { imports: ['src/model', 'src/analysis', ...ROOT], typeImports: ['src/engine'], io: true, why: 'results/ writes and reads the run folder' },
  'src/safety': { imports: ['src/model', ...ROOT], io: true, why: 'safety/ knows no platform: undoers are registered with it' },
  'src/audit': {
    imports: ['src/model', ...ROOT],
    typeImports: ['src/platforms/local/schema.ts'],
    io: true,
    why: 'the audit reads manifests, and a cluster through a read-only interface of its own (cluster-reader.ts) that a client satisfies',
  },
  'src/platforms': {
    imports: ['src/model', 'src/safety', ...ROOT],
    typeImports: ['src/config', 'src/engine', 'src/audit', 'src/platforms/local', 'src/platforms/kubernetes'],
    io: false,
    why: 'the port and the registry: platform implementations load lazily (dynamic import)',
  },
  'src/platforms/shared': {
    imports: ['src/model', 'src/safety', ...PLATFORM_PORT, ...ROOT],
    io: true,
    why: 'helpers every platform uses: no platform of its own',
  },
  'src/platforms/local': {
    imports: ['src/model', 'src/safety', 'src/platforms/shared', 'src/schema', ...PLATFORM_PORT, ...ROOT],
    typeImports: ['src/config', 'src/engine', 'src/audit'],
    io: true,
    why: 'the local platform knows the port and the shared helpers, not kubernetes',
  },
  'src/platforms/kubernetes': {
    imports: ['src/model', 'src/safety', 'src/platforms/shared', 'src/schema', ...PLATFORM_PORT, ...ROOT],
    typeImports: ['src/config', 'src/engine', 'src/audit'],
    io: true,
    why: 'the kubernetes platform knows the port and the shared helpers, not local',
  },
};

/** Packages only one file may import. */
export const ONLY = {
  '@kubernetes/client-node': ['src/platforms/kubernetes/client.ts'],
};

/** Dynamic `import()` of these is allowed where a static import is not: lazily loaded implementations. */
export const LAZY = {
  'src/platforms': ['src/platforms/local', 'src/platforms/kubernetes'],
  'src/cli': ['src/cli/commands'],
};

/** A file's layer is its own folder's: a folder without an entry has no layer (and fails), never its parent's. */
function layerOf(file) {
  const dir = path.posix.dirname(file);
  return dir in LAYERS ? dir : undefined;
}

const within = (target, entry) => target === entry || target.startsWith(`${entry}/`) || target === entry.replace(/\.ts$/, '.js');

/** Resolves an import specifier from `file` (repo-relative posix path) to a repo-relative path, or undefined for packages. */
function resolveSpecifier(file, spec) {
  if (!spec.startsWith('.')) return undefined;
  return path.posix.normalize(path.posix.join(path.posix.dirname(file), spec)).replace(/\.js$/, '.ts');
}

/** The verdict for one import: undefined when allowed, else the reason. */
export function checkImport({ file, spec, typeOnly, dynamic }) {
  if (!file.startsWith('src/')) return undefined;
  const pkg = spec.startsWith('@') ? spec.split('/').slice(0, 2).join('/') : spec.split('/')[0];
  if (pkg in ONLY && !ONLY[pkg].includes(file)) return `only ${ONLY[pkg].join(', ')} may import ${pkg}`;
  const layer = layerOf(file);
  if (!layer) return `${path.posix.dirname(file)} has no layer rule: add it to eslint/layers.js`;
  const rule = LAYERS[layer];
  if (!rule.io && IO.includes(spec.replace(/^node:/, ''))) return `${rule.why} (${spec} is I/O)`;
  const target = resolveSpecifier(file, spec);
  if (target !== undefined && !target.startsWith('src/')) return `${file} imports ${spec}, outside src/`;
  const allowed =
    target === undefined ||
    path.posix.dirname(target) === layer ||
    (rule.imports ?? []).some((e) => within(target, e)) ||
    (typeOnly && (rule.typeImports ?? []).some((e) => within(target, e))) ||
    (dynamic && (LAZY[layer] ?? []).some((e) => within(target, e)));
  if (!allowed) return `${rule.why}: ${file} may not import ${target}`;
  if (rule.typesOnly && !typeOnly) return `${rule.why}: ${file} imports ${spec} at run time`;
  return undefined;
}

/** The ESLint rule: every import, export-from and dynamic import() checked against LAYERS. */
export const layersPlugin = {
  rules: {
    layers: {
      meta: { type: 'problem', schema: [], messages: { banned: '{{reason}}' } },
      create(context) {
        const file = path.relative(context.cwd, context.filename).split(path.sep).join('/');
        const check = (node, spec, typeOnly, dynamic) => {
          if (typeof spec !== 'string') return;
          const reason = checkImport({ file, spec, typeOnly, dynamic });
          if (reason) context.report({ node, messageId: 'banned', data: { reason } });
        };
        const typeOnlyDecl = (node) =>
          node.importKind === 'type' ||
          node.exportKind === 'type' ||
          (node.specifiers?.length > 0 && node.specifiers.every((s) => s.importKind === 'type' || s.exportKind === 'type'));
        return {
          ImportDeclaration: (node) => check(node, node.source.value, typeOnlyDecl(node), false),
          ExportNamedDeclaration: (node) => {
            if (node.source) check(node, node.source.value, typeOnlyDecl(node), false);
          },
          ExportAllDeclaration: (node) => check(node, node.source.value, node.exportKind === 'type', false),
          ImportExpression: (node) => check(node, node.source.type === 'Literal' ? node.source.value : undefined, false, true),
          TSImportType: () => undefined,
        };
      },
    },
  },
};
