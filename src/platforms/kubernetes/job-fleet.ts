/**
 * Load workers as a Kubernetes Indexed Job: a ConfigMap holds the plan, the worker count and a shared start
 * time far enough ahead for scheduling and image pulls; pod i runs `golive worker --plan` for segment i of
 * n and writes the thread protocol to stdout, which the coordinator follows through pods/log. Stopping a
 * worker is deleting its pod (SIGTERM: the worker sends its final snapshot and exits). The Job and the
 * ConfigMap are journalled and deleted at the end, on error and on Ctrl-C (and by `golive recover`).
 */
import { randomBytes } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import type { LoadPlan } from '../../engine/plan.js';
import type { FromWorkerMessage } from '../../engine/protocol.js';
import type { WorkerChannel, WorkerFleet } from '../../engine/worker-channel.js';
import type { EventSink } from '../../model/events.js';
import type { WorkerPlanFile } from '../../model/worker-plan-schema.js';
import type { KubeClient } from './client.js';
import type { K8sScope } from './scope.js';
import { isTerminating } from './types.js';

export interface JobWorkersConfig {
  namespace: string;
  image: string;
  /** The container's command; default: golive's own worker from npm at this version. */
  command: string[];
  resources?: Record<string, unknown> | undefined;
  nodeSelector?: Record<string, string> | undefined;
  tolerations?: unknown[] | undefined;
  /** How far ahead the shared start time is set (scheduling, image pulls). */
  startLeadMs: number;
}

const PLAN_PATH = '/etc/golive/plan.json';
const POLL_MS = 250;

export function createJobFleet(s: K8sScope, cfg: JobWorkersConfig) {
  const client = s.client;
  const sink = (): EventSink => s.sink;
  return (plan: LoadPlan, count: number): WorkerFleet => {
    const name = `golive-load-${randomBytes(3).toString('hex')}`;
    const startAtEpochMs = performance.timeOrigin + performance.now() + cfg.startLeadMs;
    const abort = new AbortController();
    const labels = { 'app.kubernetes.io/name': 'golive-load', 'golive.dev/run': name };
    // Journalled before they exist; deleted at close(), or by the run's teardown if close never comes.
    const removals = [
      {
        what: `ConfigMap ${cfg.namespace}/${name}`,
        manual: `kubectl -n ${cfg.namespace} delete configmap ${name}`,
        run: s.record(`created ConfigMap ${cfg.namespace}/${name} (load plan)`, `kubectl -n ${cfg.namespace} delete configmap ${name}`, {
          op: 'delete-configmap',
          namespace: cfg.namespace,
          name,
        }),
      },
      {
        what: `Job ${cfg.namespace}/${name}`,
        manual: `kubectl -n ${cfg.namespace} delete job ${name}`,
        run: s.record(`created Job ${cfg.namespace}/${name} (${count} load workers)`, `kubectl -n ${cfg.namespace} delete job ${name}`, {
          op: 'delete-job',
          namespace: cfg.namespace,
          name,
        }),
      },
    ];
    let closed = false;
    return {
      kind: 'kubernetes',
      fixedStartAtEpochMs: startAtEpochMs,
      startDelayMs: 0,
      async open(n) {
        const planFile: WorkerPlanFile = { plan, count: n, startAtEpochMs };
        await client.createConfigMap(cfg.namespace, name, { 'plan.json': JSON.stringify(planFile) }, labels);
        await client.createJob(cfg.namespace, jobManifest(name, cfg, n, labels));
        sink()('workers.job', `Indexed Job ${cfg.namespace}/${name}: ${n} worker pods, shared start in ${Math.round(cfg.startLeadMs / 1000)} s`);
        return Array.from({ length: n }, (_, i) => podChannel(client, cfg.namespace, name, i, abort.signal, sink));
      },
      async close() {
        if (closed) return [];
        closed = true;
        abort.abort();
        const failures: string[] = [];
        for (const r of [...removals].reverse()) {
          try {
            await r.run();
          } catch (err) {
            failures.push(`could not delete ${r.what}: ${(err as Error).message}; by hand: ${r.manual}`);
          }
        }
        return failures;
      },
    };
  };
}

function jobManifest(
  name: string,
  cfg: JobWorkersConfig,
  count: number,
  labels: Record<string, string>,
): { metadata: { name: string; [k: string]: unknown }; [k: string]: unknown } {
  return {
    apiVersion: 'batch/v1',
    kind: 'Job',
    metadata: { name, namespace: cfg.namespace, labels },
    spec: {
      completionMode: 'Indexed',
      completions: count,
      parallelism: count,
      backoffLimit: 0, // a worker that dies is reported, not silently replaced mid-run
      ttlSecondsAfterFinished: 600,
      template: {
        metadata: { labels },
        spec: {
          restartPolicy: 'Never',
          terminationGracePeriodSeconds: 30,
          containers: [
            {
              name: 'worker',
              image: cfg.image,
              command: [...cfg.command, '--plan', PLAN_PATH],
              volumeMounts: [{ name: 'plan', mountPath: '/etc/golive', readOnly: true }],
              ...(cfg.resources ? { resources: cfg.resources } : {}),
            },
          ],
          volumes: [{ name: 'plan', configMap: { name } }],
          ...(cfg.nodeSelector ? { nodeSelector: cfg.nodeSelector } : {}),
          ...(cfg.tolerations ? { tolerations: cfg.tolerations } : {}),
        },
      },
    },
  };
}

/** Worker i: found by its completion index, its log followed as protocol messages. */
function podChannel(client: KubeClient, ns: string, job: string, index: number, signal: AbortSignal, sink: () => EventSink): WorkerChannel {
  let podName: string | undefined;
  let onMessage: (m: FromWorkerMessage) => void = () => undefined;
  let onExit: (reason: string | undefined) => void = () => undefined;
  let done = false;
  const selector = `job-name=${job},batch.kubernetes.io/job-completion-index=${index}`;
  const follow = async (): Promise<void> => {
    while (!signal.aborted) {
      const pod = (await client.listPods(ns, selector).catch(() => ({ items: [] }))).items.find((p) => !isTerminating(p));
      const phase = pod?.status?.phase;
      if (pod && (phase === 'Running' || phase === 'Succeeded' || phase === 'Failed')) {
        podName = pod.metadata.name;
        sink()('workers.pod', `worker ${index} is pod ${podName} on ${pod.spec?.nodeName ?? '?'}`, podName);
        const result = await client.followLog(
          ns,
          podName,
          'worker',
          (line) => {
            if (!line.startsWith('{')) return;
            try {
              const m = JSON.parse(line) as FromWorkerMessage;
              if (m.type === 'done') done = true;
              onMessage(m);
            } catch {
              // a line cut by the pod's death: its exit is reported below
            }
          },
          signal,
        );
        if (!done && !signal.aborted) onExit(`pod ${podName} ended without finishing${result.error ? ` (${result.error})` : ''}`);
        return;
      }
      await new Promise((r) => setTimeout(r, POLL_MS));
    }
  };
  return {
    post(m) {
      // Pods read their plan and start time from the ConfigMap; the only message they take is "stop".
      if (m.type === 'stop' && podName) void client.deletePod(ns, podName, 30);
    },
    onMessage(l) {
      onMessage = l;
      void follow();
    },
    onExit(l) {
      onExit = l;
    },
    terminate() {
      if (podName && !done) void client.deletePod(ns, podName, 0);
    },
  };
}
