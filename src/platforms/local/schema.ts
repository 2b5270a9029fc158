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

export const localPlatformSchema = obj({
  kind: z.literal('local'),
  app: obj({
    /** Shell command that starts one replica; it must listen on $PORT. */
    command: str('a shell command'),
    /** Working directory, relative to the config file. @default the config's folder */
    cwd: str('a folder').optional(),
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
    readiness: obj({
      /** @default '/' */
      path: str('a path')
        .refine((p) => p.startsWith('/'), { error: (i) => `expected a path starting with /, like '/readyz', received ${JSON.stringify(i.input)}` })
        .default('/'),
      /** @default '500ms' */
      period: duration.default(500),
      /** @default 3 */
      failureThreshold: int('a count', 1, 100).default(3),
    }).prefault({}),
    /** SIGTERM to SIGKILL. @default '10s' */
    terminationGrace: duration.default(10_000),
    /** How long a replica may take to become ready. @default '30s' */
    startTimeout: duration.default(30_000),
    strategy: strategy.default({ type: 'RollingUpdate', maxSurge: 1, maxUnavailable: 0 }),
    /** How replicas are placed: across zones, across nodes, or packed. @default 'zones' */
    spread: oneOf(['zones', 'nodes', 'none'] as const).default('zones'),
    /** The app's state (GOLIVE_DATA_DIR), shared by replicas: what backups snapshot. */
    dataDir: str('a folder').optional(),
    disruptionBudget: obj({ minAvailable: int('a number of replicas', 0, 50) }).optional(),
  }),
  cluster: obj({
    /** @default 3 */
    nodes: int('a number of nodes', 1, 50).default(3),
    /** @default 3 */
    zones: int('a number of zones', 1, 10).default(3),
    /** How long a lost node goes unnoticed before its replicas are replaced (node-monitor grace). @default '5s' */
    detectionDelay: duration.default(5000),
    /** Keep replicas' output in the results folder. @default true */
    keepLogs: bool('keepLogs').default(true),
  }).prefault({}),
  /**
   * What stands in front of the replicas: a Service as kube-proxy makes one (each TCP connection pinned to
   * one ready replica, no retries) or an ingress (each request balanced, an idempotent request retried once
   * on the next replica when the first fails before answering, as nginx's proxy_next_upstream). @default { kind: 'service' }
   */
  service: z
    .union([obj({ kind: z.literal('service') }), obj({ kind: z.literal('ingress'), retries: int('a number of retries', 0, 5).default(1) })], {
      error: (i) => `expected { kind: 'service' } or { kind: 'ingress', retries: 1 }, received ${JSON.stringify(i.input)}`,
    })
    .default({ kind: 'service' }),
  /** Port of the Service (or ingress). @default a free port */
  port: int('a port', 0, 65535).default(0),
});

export type ResolvedLocalPlatform = z.output<typeof localPlatformSchema>;
