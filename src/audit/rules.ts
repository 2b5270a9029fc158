/**
 * The readiness rules: each says why it matters and gives a fix with a YAML snippet (the drill kinds say which
 * findings endanger them). Pure
 * functions over the audit model: the same rules judge manifests, a live cluster and the local platform.
 */
import type { AuditFinding, AuditInput, AuditPdb, AuditWorkload, Endangers, Location, Severity } from './model.js';
import { fixForServer, minorOf, SERVED_FROM } from './served-from.js';

interface Rule {
  id: string;
  rule: string;
  severity: Severity;
  /** The fix as local-platform config, for apps golive runs itself. */
  localFix?: string;
  check(w: AuditWorkload, input: AuditInput): { field: string; message: string; why: string; fix: string; location?: Location | undefined }[];
}

const objectName = (w: AuditWorkload): string => `${w.kind} ${w.namespace}/${w.name}`;

const EXEC_SLEEP = '{ exec: { command: [sleep, "5"] } }';
const preStop = (action: string): string => `terminationGracePeriodSeconds: 30\ncontainers:\n  - lifecycle:\n      preStop: ${action}`;

const pdb = (w: AuditWorkload, apiVersion: string): string =>
  `apiVersion: ${apiVersion}\nkind: PodDisruptionBudget\nmetadata: { name: ${w.name} }\nspec:\n  minAvailable: ${Math.max(1, w.replicas - 1)}\n  selector: { matchLabels: ${JSON.stringify(w.labels).replace(/"/g, '')} }`;

/** A spread rule; matchLabelKeys keeps a rollout's new pods spread among themselves where the server serves it. */
function spread(input: AuditInput, topologyKey: string, whenUnsatisfiable: string): string {
  const rule = `topologySpreadConstraints:\n  - maxSkew: 1\n    topologyKey: ${topologyKey}\n    whenUnsatisfiable: ${whenUnsatisfiable}\n    labelSelector: { matchLabels: { app: my-app } }`;
  return fixForServer(minorOf(input.serverVersion), SERVED_FROM.matchLabelKeys, `${rule}\n    matchLabelKeys: [pod-template-hash]`, {
    fix: rule,
    inWords: 'without matchLabelKeys',
  });
}

/** A budget's minAvailable and maxUnavailable as pod counts at `replicas` (percentages resolved as the disruption controller does). */
function budgetAt(p: AuditPdb, replicas: number): { min: number | undefined; maxU: number | undefined } {
  return { min: resolveCount(p.minAvailable, replicas, true), maxU: resolveCount(p.maxUnavailable, replicas, false) };
}

function resolveCount(v: number | string | undefined, of: number, roundUp: boolean): number | undefined {
  if (v === undefined) return undefined;
  if (typeof v === 'number') return v;
  const pct = /^(\d+)%$/.exec(v);
  if (!pct) return Number(v);
  const exact = (Number(pct[1]) / 100) * of;
  return roundUp ? Math.ceil(exact) : Math.floor(exact);
}

/** The HPA's floor, when an HPA scales this workload. */
function replicaFloor(w: AuditWorkload, input: AuditInput): number {
  const hpa = input.hpas.find((h) => h.namespace === w.namespace && h.target.name === w.name && h.target.kind === w.kind);
  return hpa ? hpa.minReplicas : w.replicas;
}

function pdbsFor(w: AuditWorkload, input: AuditInput): AuditInput['pdbs'] {
  return input.pdbs.filter(
    (p) => p.namespace === w.namespace && Object.keys(p.selector).length > 0 && Object.entries(p.selector).every(([k, v]) => w.labels[k] === v),
  );
}

const MUTABLE_TAGS = /:(latest|stable|main|master|dev|edge)$/;

const RULES: Rule[] = [
  {
    id: 'GL001',
    rule: 'replicas-below-2',
    severity: 'error',
    localFix: 'platform: { app: { replicas: 3 } }',
    check: (w, input) =>
      replicaFloor(w, input) < 2 && !input.hpas.some((h) => h.target.name === w.name && h.namespace === w.namespace)
        ? [
            {
              field: 'spec.replicas',
              message: `${w.replicas} replica: every restart, drain or node loss takes the whole service down`,
              why: 'With one pod there is nothing to serve while it is replaced: a rolling update, an eviction or a lost node is an outage by construction.',
              fix: 'spec:\n  replicas: 3',
            },
          ]
        : [],
  },
  {
    id: 'GL002',
    rule: 'hpa-min-below-2',
    severity: 'error',
    check: (w, input) =>
      input.hpas
        .filter((h) => h.namespace === w.namespace && h.target.name === w.name && h.minReplicas < 2)
        .map((h) => ({
          field: `HorizontalPodAutoscaler ${h.name} spec.minReplicas`,
          location: h.at('spec.minReplicas'),
          message: `HorizontalPodAutoscaler ${h.name} may scale down to ${h.minReplicas} replica`,
          why: 'At night the autoscaler leaves one pod, and a drain or an update at that hour is an outage.',
          fix: 'spec:\n  minReplicas: 2',
        })),
  },
  {
    id: 'GL003',
    rule: 'recreate-strategy',
    severity: 'error',
    localFix: "platform: { app: { strategy: { type: 'RollingUpdate', maxSurge: 1, maxUnavailable: 0 } } }",
    check: (w) =>
      w.strategy.type === 'Recreate'
        ? [
            {
              field: 'spec.strategy.type',
              message: 'strategy Recreate stops every pod before starting the new ones',
              why: 'Recreate is a planned outage on every deploy: users get errors from the moment the old pods stop until a new one is Ready.',
              fix: 'spec:\n  strategy:\n    type: RollingUpdate\n    rollingUpdate: { maxSurge: 1, maxUnavailable: 0 }',
            },
          ]
        : [],
  },
  {
    id: 'GL004',
    rule: 'rollout-can-remove-all',
    severity: 'error',
    check: (w) => {
      if (w.strategy.type !== 'RollingUpdate') return [];
      const unavailable = resolveCount(w.strategy.maxUnavailable ?? '25%', w.replicas, false) ?? 0;
      const surge = resolveCount(w.strategy.maxSurge ?? '25%', w.replicas, true) ?? 0;
      return unavailable >= w.replicas && w.replicas > 0
        ? [
            {
              field: 'spec.strategy.rollingUpdate.maxUnavailable',
              message: `maxUnavailable ${String(w.strategy.maxUnavailable)} lets the rollout take all ${w.replicas} ready pods away at once${surge === 0 ? ' (and maxSurge 0 starts nothing first)' : ''}`,
              why: 'The rollout may terminate every old pod before a new one is Ready.',
              fix: 'spec:\n  strategy:\n    rollingUpdate: { maxSurge: 1, maxUnavailable: 0 }',
            },
          ]
        : [];
    },
  },
  {
    id: 'GL005',
    rule: 'no-readiness-probe',
    severity: 'error',
    check: (w) =>
      w.containers
        .filter((c) => !c.readiness)
        .map((c) => ({
          field: `spec.template.spec.containers.${c.name}.readinessProbe`,
          message: `container ${c.name} has no readiness probe`,
          why: 'Without readiness, a new pod gets traffic the moment its process starts, before it can answer: users see errors on every rollout.',
          fix: `readinessProbe:\n  httpGet: { path: /readyz, port: 8080 }\n  periodSeconds: 2\n  failureThreshold: 1`,
        })),
  },
  {
    id: 'GL006',
    rule: 'readiness-equals-liveness',
    severity: 'warning',
    check: (w) =>
      w.containers
        .filter((c) => c.readiness && c.liveness && JSON.stringify(c.readiness) === JSON.stringify(c.liveness))
        .map((c) => ({
          field: `spec.template.spec.containers.${c.name}.readinessProbe`,
          message: `container ${c.name}: readiness and liveness are the same probe`,
          why: 'A pod shutting down should fail readiness (leave the load balancer) while staying alive to finish in-flight requests; identical probes cannot express that, and an overloaded pod gets restarted instead of taken out of rotation.',
          fix: 'readinessProbe:\n  httpGet: { path: /readyz, port: 8080 }   # fails while draining\nlivenessProbe:\n  httpGet: { path: /healthz, port: 8080 }  # only "the process is stuck"',
        })),
  },
  {
    id: 'GL007',
    rule: 'no-graceful-shutdown',
    severity: 'warning',
    check: (w, input) => {
      if (w.kind === 'LocalApp') return []; // the local platform leaves rotation before SIGTERM: no endpoint race
      const noPreStop = w.containers.every((c) => !c.preStop);
      const declared = w.declaredShutdownSeconds;
      const tooShort = declared !== undefined && w.terminationGracePeriodSeconds < declared;
      if (!noPreStop && !tooShort) return [];
      return [
        {
          field: tooShort ? 'spec.template.spec.terminationGracePeriodSeconds' : 'spec.template.spec.containers.lifecycle.preStop',
          message: tooShort
            ? `terminationGracePeriodSeconds ${w.terminationGracePeriodSeconds} is shorter than the ${declared} s the app declares it needs to shut down`
            : 'no preStop hook: the pod gets SIGTERM while endpoints are still being removed',
          why: 'Kubernetes removes a terminating pod from the endpoints and sends SIGTERM at the same time; without a short preStop pause (and an app that drains on SIGTERM) requests still routed to it fail.',
          fix: fixForServer(minorOf(input.serverVersion), SERVED_FROM.preStopSleep, preStop('{ sleep: { seconds: 5 } }'), {
            fix: preStop(`${EXEC_SLEEP}   # the image needs a sleep binary`),
            inWords: `preStop: ${EXEC_SLEEP} (the image needs a sleep binary)`,
          }),
        },
      ];
    },
  },
  {
    id: 'GL008',
    rule: 'no-pdb',
    severity: 'warning',
    localFix: 'platform: { app: { disruptionBudget: { minAvailable: 2 } } }',
    check: (w, input) =>
      pdbsFor(w, input).length === 0
        ? [
            {
              field: 'PodDisruptionBudget',
              message: 'no PodDisruptionBudget selects these pods',
              why: 'A drain (node upgrades, autoscaler scale-down) may evict every replica at once: nothing tells the Eviction API to keep some running.',
              fix: fixForServer(minorOf(input.serverVersion), SERVED_FROM.pdbPolicyV1, pdb(w, 'policy/v1'), {
                fix: pdb(w, 'policy/v1beta1'),
                inWords: 'apiVersion: policy/v1beta1',
              }),
            },
          ]
        : [],
  },
  {
    id: 'GL009',
    rule: 'pdb-blocks-drains',
    severity: 'error',
    check: (w, input) =>
      pdbsFor(w, input)
        .filter((p) => {
          const { min, maxU } = budgetAt(p, w.replicas);
          return (min !== undefined && min >= w.replicas) || maxU === 0;
        })
        .map((p) => ({
          field: `PodDisruptionBudget ${p.name} spec`,
          location: p.at('spec'),
          message: `PodDisruptionBudget ${p.name} allows no disruption at ${w.replicas} replicas (${p.minAvailable !== undefined ? `minAvailable ${String(p.minAvailable)}` : `maxUnavailable ${String(p.maxUnavailable)}`})`,
          why: 'Every eviction is refused with 429: node drains and cluster upgrades block until someone deletes the budget.',
          fix: `spec:\n  minAvailable: ${Math.max(1, w.replicas - 1)}   # fewer than the replicas`,
        })),
  },
  {
    id: 'GL010',
    rule: 'pdb-allows-all',
    severity: 'warning',
    check: (w, input) =>
      pdbsFor(w, input)
        .filter((p) => {
          const { min, maxU } = budgetAt(p, w.replicas);
          return min === 0 || (maxU !== undefined && maxU >= w.replicas);
        })
        .map((p) => ({
          field: `PodDisruptionBudget ${p.name} spec`,
          location: p.at('spec'),
          message: `PodDisruptionBudget ${p.name} allows every pod to be evicted at once`,
          why: 'A budget that permits all disruptions protects nothing during a drain.',
          fix: `spec:\n  minAvailable: ${Math.max(1, w.replicas - 1)}`,
        })),
  },
  {
    id: 'GL011',
    rule: 'no-node-spread',
    severity: 'warning',
    localFix: "platform: { app: { spread: 'zones' } }",
    check: (w, input) =>
      w.replicas > 1 && !w.spreadKeys.includes('kubernetes.io/hostname')
        ? [
            {
              field: 'spec.template.spec.topologySpreadConstraints',
              message: 'nothing spreads the pods over nodes',
              why: 'The scheduler may put several replicas on one node; draining or losing it takes them together.',
              fix: spread(input, 'kubernetes.io/hostname', 'DoNotSchedule'),
            },
          ]
        : [],
  },
  {
    id: 'GL012',
    rule: 'no-zone-spread',
    severity: 'warning',
    localFix: "platform: { app: { spread: 'zones' } }",
    check: (w, input) =>
      w.replicas > 1 && !w.spreadKeys.includes('topology.kubernetes.io/zone')
        ? [
            {
              field: 'spec.template.spec.topologySpreadConstraints',
              message: 'nothing spreads the pods over zones',
              why: 'All replicas may land in one zone; losing that zone is a full outage until pods are rescheduled elsewhere.',
              fix: spread(input, 'topology.kubernetes.io/zone', 'ScheduleAnyway'),
            },
          ]
        : [],
  },
  {
    id: 'GL023',
    rule: 'single-replica-pinned-to-a-zone',
    severity: 'error',
    localFix: 'replicas: 2 (or more) and zones spanning two zones, or a store that replicates across zones',
    check: (w) =>
      w.replicas === 1 && w.pinnedZones?.length === 1
        ? [
            {
              field: 'spec.replicas',
              message: `${w.name} runs one replica that can run only in ${w.pinnedZones[0]}`,
              why: `Losing ${w.pinnedZones[0]} takes ${w.name} down until the zone is back: it has nowhere else to go, and every request that needs it fails meanwhile.`,
              fix: 'replicas: 2 (or more), with a volume or storage class that is not bound to one zone, or a replicated store (primary and replica in different zones)',
            },
          ]
        : [],
  },
  {
    id: 'GL013',
    rule: 'missing-requests',
    severity: 'warning',
    check: (w) =>
      w.kind === 'LocalApp'
        ? []
        : w.containers
            .filter((c) => !c.requests.cpu || !c.requests.memory)
            .map((c) => ({
              field: `spec.template.spec.containers.${c.name}.resources.requests`,
              message: `container ${c.name} has no ${[!c.requests.cpu ? 'CPU' : '', !c.requests.memory ? 'memory' : ''].filter(Boolean).join(' or ')} request`,
              why: 'Without requests the scheduler cannot tell whether the pods fit when a node or zone is lost: replacements may land on full nodes and be throttled or evicted.',
              fix: 'resources:\n  requests: { cpu: 100m, memory: 128Mi }',
            })),
  },
  {
    id: 'GL014',
    rule: 'missing-memory-limit',
    severity: 'warning',
    check: (w) =>
      w.kind === 'LocalApp'
        ? []
        : w.containers
            .filter((c) => !c.limits.memory)
            .map((c) => ({
              field: `spec.template.spec.containers.${c.name}.resources.limits.memory`,
              message: `container ${c.name} has no memory limit`,
              why: 'A leak grows until the node runs out of memory and the kernel kills whatever it picks, other services included.',
              fix: 'resources:\n  limits: { memory: 256Mi }',
            })),
  },
  {
    id: 'GL015',
    rule: 'no-n-minus-1-headroom',
    severity: 'error',
    check: (w, input) => {
      const nodes = input.nodes;
      if (!nodes || nodes.length < 2 || w.kind === 'LocalApp') return [];
      const cpu = w.containers.reduce((n, c) => n + cpuMillicores(c.requests.cpu), 0) * w.replicas;
      const out: ReturnType<Rule['check']> = [];
      const check = (what: string, lost: (n: { name: string; zone?: string | undefined }) => boolean, label: string): void => {
        const lostNodes = nodes.filter(lost);
        const moving = lostNodes.reduce((n, x) => n + x.requestedCpuMillicores, 0);
        const spare = nodes.filter((n) => !lost(n)).reduce((s, n) => s + Math.max(0, n.allocatableCpuMillicores - n.requestedCpuMillicores), 0);
        if (lostNodes.length && moving > spare) {
          out.push({
            field: 'resources.requests.cpu',
            message: `losing ${what} ${label} would leave ${Math.round(moving)}m CPU of requests nowhere to go (${Math.round(spare)}m unrequested elsewhere; this workload requests ${Math.round(cpu)}m)`,
            why: 'After the loss, replacements stay Pending: the service runs short until capacity is added.',
            fix: "Add a node (or a zone's worth of capacity), or lower requests, so the cluster keeps N-1 headroom.",
          });
        }
      };
      const largest = [...nodes].sort((a, b) => b.requestedCpuMillicores - a.requestedCpuMillicores)[0]!;
      check('the largest node', (n) => n.name === largest.name, largest.name);
      const zones = [...new Set(nodes.map((n) => n.zone).filter((z): z is string => Boolean(z)))];
      if (zones.length > 1) {
        const zoneLoad = (z: string): number => nodes.filter((n) => n.zone === z).reduce((s, n) => s + n.requestedCpuMillicores, 0);
        const biggest = zones.sort((a, b) => zoneLoad(b) - zoneLoad(a))[0]!;
        check('the largest zone', (n) => n.zone === biggest, biggest);
      }
      return out;
    },
  },
  {
    id: 'GL016',
    rule: 'state-in-emptydir',
    severity: 'warning',
    check: (w) =>
      w.containers
        .filter((c) => c.emptyDirMounts.length > 0)
        .map((c) => ({
          field: `spec.template.spec.containers.${c.name}.volumeMounts`,
          message: `container ${c.name} keeps data in emptyDir (${c.emptyDirMounts.join(', ')})`,
          why: 'emptyDir dies with the pod: an eviction, a node loss or a restore from backup loses whatever was written there.',
          fix: 'volumes:\n  - name: data\n    persistentVolumeClaim: { claimName: my-app-data }',
        })),
  },
  {
    id: 'GL017',
    rule: 'pvc-without-backup-schedule',
    severity: 'warning',
    check: (w, input) =>
      input.veleroScheduledNamespaces !== undefined && w.persistentVolumeClaims.length > 0 && !input.veleroScheduledNamespaces.includes(w.namespace)
        ? [
            {
              field: 'spec.template.spec.volumes',
              message: `PVCs ${w.persistentVolumeClaims.join(', ')} are not covered by a Velero Schedule for namespace ${w.namespace}`,
              why: 'Nothing backs the data up on a schedule: after a loss, the recovery point is "never".',
              fix: `apiVersion: velero.io/v1\nkind: Schedule\nmetadata: { name: ${w.namespace}-daily, namespace: velero }\nspec:\n  schedule: "0 3 * * *"\n  template: { includedNamespaces: [${w.namespace}], snapshotVolumes: true }`,
            },
          ]
        : [],
  },
  {
    id: 'GL018',
    rule: 'mutable-image-tag',
    severity: 'warning',
    check: (w) =>
      w.containers
        .filter((c) => c.image !== undefined && (!/[:@]/.test(c.image.split('/').pop() ?? '') || MUTABLE_TAGS.test(c.image)))
        .map((c) => ({
          field: `spec.template.spec.containers.${c.name}.image`,
          message: `container ${c.name} uses ${c.image!.includes(':') ? 'the mutable tag' : 'no tag (latest)'}: ${c.image}`,
          why: 'A redeploy from the same manifests can pull a different image than the one tested: the environment cannot be rebuilt as it was.',
          fix: 'image: registry.example.com/my-app:1.4.2   # or @sha256:…',
        })),
  },
  {
    id: 'GL019',
    rule: 'always-pull-mutable-tag',
    severity: 'info',
    check: (w) =>
      w.containers
        .filter((c) => c.imagePullPolicy === 'Always' && c.image !== undefined && (MUTABLE_TAGS.test(c.image) || !c.image.includes(':')))
        .map((c) => ({
          field: `spec.template.spec.containers.${c.name}.imagePullPolicy`,
          message: `container ${c.name}: imagePullPolicy Always with a mutable tag`,
          why: 'Every restart may run new code: an eviction during a drain can silently deploy.',
          fix: 'image: my-app:1.4.2\nimagePullPolicy: IfNotPresent',
        })),
  },
];

/** The findings of every rule; `endangers` names the drills each finding endangers (the drill kinds say which findings explain them). */
export function runRules(input: AuditInput, endangers: Endangers): AuditFinding[] {
  const findings: AuditFinding[] = [];
  for (const w of input.workloads) {
    for (const rule of RULES) {
      for (const r of rule.check(w, input)) {
        findings.push({
          id: rule.id,
          rule: rule.rule,
          severity: rule.severity,
          object: objectName(w),
          field: r.field,
          location: r.location ?? w.at(r.field) ?? w.at(''),
          drills: endangers(rule.id),
          message: r.message,
          why: r.why,
          fix: w.kind === 'LocalApp' && rule.localFix ? rule.localFix : r.fix,
        });
      }
    }
  }
  for (const obj of input.undeclared ?? []) {
    findings.push({
      id: 'GL020',
      rule: 'undeclared-live-object',
      severity: 'warning',
      object: obj,
      field: '',
      drills: endangers('GL020'),
      message: `${obj} exists in the cluster but no manifest declares it`,
      why: 'A redeploy from the repository will not recreate it: someone made it by hand (tribal knowledge).',
      fix: 'Add it to the manifests (kubectl get … -o yaml, cleaned), or delete it if nothing needs it.',
    });
  }
  return findings;
}

export function cpuMillicores(q: string | undefined): number {
  if (!q) return 0;
  return q.endsWith('m') ? Number(q.slice(0, -1)) : Number(q) * 1000;
}
