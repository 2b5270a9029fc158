/** Config of the `local` platform: the app golive supervises and the simulated cluster it runs on. */
import { z } from 'zod';
import { bool, duration, int, obj, oneOf, str } from '../../schema/helpers.js';

const quantity = (what: string) =>
  z
    .union([z.string(), z.number()])
    .refine((q) => /^\d+(\.\d+)?(m|n|u|Ki|Mi|Gi|Ti|k|M|G|T)?$/.test(String(q)), { error: (i) => `expected ${what}, received ${JSON.stringify(i.input)}` });

const strategy = z.discriminatedUnion(
  'type',
  [
    obj({
      type: z.literal('RollingUpdate'),
      /** Extra replicas allowed during an update. @default 1 */
      maxSurge: int('a number of replicas', 0, 100).default(1),
      /** Replicas that may be unavailable during an update. @default 0 */
      maxUnavailable: int('a number of replicas', 0, 100).default(0),
    }).refine((s) => s.maxSurge + s.maxUnavailable > 0, { error: 'maxSurge and maxUnavailable cannot both be 0: the update could never progress' }),
    obj({ type: z.literal('Recreate') }),
  ],
  { error: (i) => `expected { type: 'RollingUpdate', maxSurge, maxUnavailable } or { type: 'Recreate' }, received ${JSON.stringify(i.input)}` },
);

/** How a replica is found ready, as a Kubernetes probe: an HTTP GET (`path`), a TCP connect (`tcp: true`) or a command (`exec`). */
const readiness = obj({
  /** An HTTP GET answered 2xx or 3xx. @default '/' (when neither tcp nor exec is given) */
  path: str('a path')
    .refine((p) => p.startsWith('/'), { error: (i) => `expected a path starting with /, like '/readyz', received ${JSON.stringify(i.input)}` })
    .optional(),
  /** A TCP connect to $PORT (a database, a cache). */
  tcp: z.literal(true, { error: 'expected tcp: true' }).optional(),
  /** A shell command that exits 0 (`redis-cli -p $PORT ping`), with the replica's environment. */
  exec: str('a shell command').optional(),
  /** @default '500ms' */
  period: duration.default(500),
  /** @default 3 */
  failureThreshold: int('a count', 1, 100).default(3),
})
  .refine((r) => [r.path !== undefined, r.tcp !== undefined, r.exec !== undefined].filter(Boolean).length <= 1, {
    error: 'a probe is one of path (HTTP), tcp: true or exec: a command, not several',
  })
  .transform(({ path, tcp, exec, period, failureThreshold }) => ({
    check: (exec !== undefined ? { kind: 'exec', command: exec } : tcp ? { kind: 'tcp' } : { kind: 'http', path: path ?? '/' }) as ProbeCheck,
    period,
    failureThreshold,
  }));

export type ProbeCheck = { kind: 'http'; path: string } | { kind: 'tcp' } | { kind: 'exec'; command: string };

const component = obj({
  /** Shell command that starts one replica; it must listen on $PORT. */
  command: str('a shell command'),
  /** Working directory, relative to the config file. @default the config's folder */
  cwd: str('a folder').optional(),
  /** The replica's environment; `{{components.NAME.url}}`, `.host` and `.port` give another component's Service. */
  env: z.record(z.string(), z.string()).default({}),
  /** @default 2 */
  replicas: int('a number of replicas', 1, 50).default(2),
  /**
   * Each replica's requests and limits, as a container's: `{ requests: { cpu: '250m', memory: '128Mi' },
   * limits: { cpu: '1', memory: '256Mi' } }`. The capacity drill measures each replica's CPU and RSS
   * against them (maxCpuOfLimit, maxMemoryOfLimit). golive measures, it does not enforce them.
   */
  resources: obj({
    requests: obj({ cpu: quantity('a CPU quantity like 250m or 1').optional(), memory: quantity('a memory quantity like 256Mi').optional() }).optional(),
    limits: obj({ cpu: quantity('a CPU quantity like 250m or 1').optional(), memory: quantity('a memory quantity like 256Mi').optional() }).optional(),
  }).optional(),
  readiness: readiness.prefault({}),
  /** SIGTERM to SIGKILL. @default '10s' */
  terminationGrace: duration.default(10_000),
  /** How long a replica may take to become ready. @default '30s' */
  startTimeout: duration.default(30_000),
  strategy: strategy.default({ type: 'RollingUpdate', maxSurge: 1, maxUnavailable: 0 }),
  /** How replicas are placed: across zones, across nodes, or packed. @default 'zones' */
  spread: oneOf(['zones', 'nodes', 'none'] as const).default('zones'),
  /** The component's state (GOLIVE_DATA_DIR), shared by its replicas: what backups snapshot. */
  dataDir: str('a folder').optional(),
  /**
   * A consistent dump for disaster-recovery instead of a copy of a running store's files: `run` before the
   * snapshot (`redis-cli -p $PORT SAVE`, `pg_dump … > $GOLIVE_DATA_DIR/dump.sql`), `restore` after the data is
   * put back and before the component starts. Each runs with a replica's environment ($PORT, GOLIVE_DATA_DIR).
   */
  backup: obj({ run: str('a shell command'), restore: str('a shell command').optional() }).optional(),
  disruptionBudget: obj({ minAvailable: int('a number of replicas', 0, 50) }).optional(),
  /** The zones it may run in, as a zonal volume or a node affinity pins it: lost with its zone, it cannot move. @default any zone */
  zones: z.array(str('a zone name like zone-a')).nonempty({ error: 'expected at least one zone' }).optional(),
});

export type ResolvedComponent = z.output<typeof component>;

const COMPONENT_NAME = /^[a-z][a-z0-9-]{0,30}$/;
/** `{{components.NAME.url|host|port}}` in a component's env. */
const COMPONENT_REF = /\{\{\s*components\.([^.\s}]+)\.(url|host|port)\s*\}\}/g;

const cluster = obj({
  /** @default 3 */
  nodes: int('a number of nodes', 1, 50).default(3),
  /** @default 3 */
  zones: int('a number of zones', 1, 10).default(3),
  /** How long a lost node goes unnoticed before its replicas are replaced (node-monitor grace). @default '5s' */
  detectionDelay: duration.default(5000),
  /** Keep replicas' output in the results folder. @default true */
  keepLogs: bool('keepLogs').default(true),
});

/** The simulated cluster's zone names: zone-a, zone-b, … */
export function zoneNames(count: number): string[] {
  return Array.from({ length: count }, (_, i) => `zone-${String.fromCharCode(97 + i)}`);
}

export const localPlatformSchema = obj({
  kind: z.literal('local'),
  /** One component, named app: the shorthand for `components: { app: { … } }`. */
  app: component.optional(),
  /** The system's components by name, each a supervised command with its own replicas and Service. */
  components: z.record(z.string(), component).optional(),
  /** The component users' traffic reaches (the load's target). @default the only component */
  entry: str('a component name').optional(),
  cluster: cluster.prefault({}),
  /**
   * What stands in front of each component's replicas: a Service as kube-proxy makes one (each TCP connection
   * pinned to one ready replica, no retries) or an ingress (each request balanced, an idempotent request
   * retried once on the next replica when the first fails before answering, as nginx's proxy_next_upstream). @default { kind: 'service' }
   */
  service: z
    .union([obj({ kind: z.literal('service') }), obj({ kind: z.literal('ingress'), retries: int('a number of retries', 0, 5).default(1) })], {
      error: (i) => `expected { kind: 'service' } or { kind: 'ingress', retries: 1 }, received ${JSON.stringify(i.input)}`,
    })
    .default({ kind: 'service' }),
  /** Port of the entry's Service (or ingress). @default a free port */
  port: int('a port', 0, 65535).default(0),
})
  .superRefine((p, ctx) => {
    if ((p.app === undefined) === (p.components === undefined)) {
      ctx.addIssue({
        code: 'custom',
        path: ['components'],
        message: 'expected either app: { command, … } (one component) or components: { NAME: { command, … } }',
      });
      return;
    }
    const components = p.components ?? { app: p.app! };
    const names = Object.keys(components);
    if (names.length === 0) ctx.addIssue({ code: 'custom', path: ['components'], message: 'expected at least one component' });
    for (const name of names)
      if (!COMPONENT_NAME.test(name))
        ctx.addIssue({
          code: 'custom',
          path: ['components', name],
          message: `expected a component name of lowercase letters, digits and "-" (it names its replicas), received "${name}"`,
        });
    if (p.entry !== undefined && !names.includes(p.entry))
      ctx.addIssue({ code: 'custom', path: ['entry'], message: `no component "${p.entry}"; the components are ${names.join(', ')}` });
    if (p.entry === undefined && names.length > 1)
      ctx.addIssue({ code: 'custom', path: ['entry'], message: `which component do users reach? set entry to one of ${names.join(', ')}` });
    const zones = zoneNames(p.cluster.zones);
    for (const [name, c] of Object.entries(components)) {
      const where = p.components ? ['components', name] : ['app'];
      for (const [key, value] of Object.entries(c.env))
        for (const [, ref] of value.matchAll(COMPONENT_REF))
          if (!names.includes(ref!))
            ctx.addIssue({
              code: 'custom',
              path: [...where, 'env', key],
              message: `no component "${ref}" (in ${name}'s env); the components are ${names.join(', ')}`,
            });
      for (const zone of c.zones ?? [])
        if (!zones.includes(zone))
          ctx.addIssue({ code: 'custom', path: [...where, 'zones'], message: `no zone "${zone}": the cluster's zones are ${zones.join(', ')}` });
    }
    const cycle = referenceCycle(components);
    if (cycle)
      ctx.addIssue({
        code: 'custom',
        path: ['components', cycle[0]!],
        message: `components refer to each other in a cycle (${cycle.join(' → ')}): one of them must start without the other's address`,
      });
  })
  .transform(({ app, components, entry, ...rest }) => {
    const all = components ?? { app: app! };
    return { ...rest, components: all, entry: entry ?? Object.keys(all)[0]!, order: startOrder(all) };
  });

export type ResolvedLocalPlatform = z.output<typeof localPlatformSchema>;

/** The components a component's env refers to. */
function dependenciesOf(c: { env: Record<string, string> }): string[] {
  return [...new Set(Object.values(c.env).flatMap((v) => [...v.matchAll(COMPONENT_REF)].map((m) => m[1]!)))];
}

/** Dependencies first (a component starts once what it refers to is ready); otherwise in the config's order. */
function startOrder(components: Record<string, { env: Record<string, string> }>): string[] {
  const order: string[] = [];
  const visit = (name: string, path: string[]): void => {
    if (order.includes(name) || path.includes(name) || !components[name]) return;
    for (const dep of dependenciesOf(components[name])) visit(dep, [...path, name]);
    order.push(name);
  };
  for (const name of Object.keys(components)) visit(name, []);
  return order;
}

function referenceCycle(components: Record<string, { env: Record<string, string> }>): string[] | undefined {
  const find = (name: string, path: string[]): string[] | undefined => {
    const at = path.indexOf(name);
    if (at >= 0) return [...path.slice(at), name];
    for (const dep of dependenciesOf(components[name] ?? { env: {} })) {
      const cycle = find(dep, [...path, name]);
      if (cycle) return cycle;
    }
    return undefined;
  };
  for (const name of Object.keys(components)) {
    const cycle = find(name, []);
    if (cycle) return cycle;
  }
  return undefined;
}
