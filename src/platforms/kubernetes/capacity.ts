/**
 * The capacity drill's cluster figures: pod usage from metrics.k8s.io (sampled during the load) against the
 * pods' requests and limits, and N-1 headroom: would the workload's pods fit if the largest node, or the
 * largest zone, were lost? A missing metrics-server is reported as such, never as zero usage.
 */
import type { CapacityReport } from '../../model/result.js';
import { parseCpu, parseMemoryMiB } from '../shared/quantity.js';
import type { KubeClient } from './client.js';
import { isTerminating, ZONE_LABEL, type KNode, type KPod } from './types.js';

const SAMPLE_EVERY_MS = 5000;

interface PodMetrics {
  metadata: { name: string };
  containers: { usage: { cpu?: string; memory?: string } }[];
}

export function startCapacitySampling(client: KubeClient, namespace: string, selector: string, signal: AbortSignal): { stop(): Promise<CapacityReport> } {
  let samples = 0;
  let peakCpu = 0;
  let peakMem = 0;
  let unavailable: string | undefined;
  const sample = async (): Promise<void> => {
    try {
      const items = (await client.podMetrics(namespace, selector)) as PodMetrics[] | null;
      if (items === null) {
        unavailable = 'metrics.k8s.io is not served: install metrics-server to measure usage';
        return;
      }
      samples++;
      for (const p of items) {
        peakCpu = Math.max(
          peakCpu,
          p.containers.reduce((n, c) => n + (parseCpu(c.usage.cpu) ?? 0), 0),
        );
        peakMem = Math.max(
          peakMem,
          p.containers.reduce((n, c) => n + (parseMemoryMiB(c.usage.memory) ?? 0), 0),
        );
      }
    } catch (err) {
      unavailable = `metrics.k8s.io failed: ${(err as Error).message}`;
    }
  };
  void sample();
  const timer = setInterval(() => void sample(), SAMPLE_EVERY_MS);
  signal.addEventListener('abort', () => clearInterval(timer), { once: true });
  return {
    async stop() {
      clearInterval(timer);
      await sample();
      const pods = (await client.listPods(namespace, selector)).items.filter((p) => !isTerminating(p));
      const sum = (get: (c: NonNullable<NonNullable<KPod['spec']>['containers']>[number]) => number | null): number | null => {
        const first = pods[0]?.spec?.containers ?? [];
        const values = first.map(get);
        return values.some((v) => v === null) ? null : values.reduce<number>((a, b) => a + (b ?? 0), 0);
      };
      const cpuRequest = sum((c) => parseCpu(c.resources?.requests?.['cpu']));
      const cpuLimit = sum((c) => parseCpu(c.resources?.limits?.['cpu']));
      const memRequest = sum((c) => parseMemoryMiB(c.resources?.requests?.['memory']));
      const memLimit = sum((c) => parseMemoryMiB(c.resources?.limits?.['memory']));
      const report: CapacityReport = {
        samples,
        headroom: await headroom(client, pods),
        ...(unavailable
          ? { usageUnavailable: unavailable }
          : {
              cpu: {
                peakMillicores: round(peakCpu),
                requestMillicores: cpuRequest,
                limitMillicores: cpuLimit,
                peakOfLimit: cpuLimit ? round(peakCpu / cpuLimit, 3) : null,
              },
              memory: {
                peakMiB: round(peakMem),
                requestMiB: memRequest === null ? null : round(memRequest),
                limitMiB: memLimit === null ? null : round(memLimit),
                peakOfLimit: memLimit ? round(peakMem / memLimit, 3) : null,
              },
            }),
      };
      return report;
    },
  };
}

/** N-1: the pods on the lost node (or zone) must fit in what the other nodes have left. */
async function headroom(client: KubeClient, workloadPods: KPod[]): Promise<NonNullable<CapacityReport['headroom']>> {
  const nodes = (await client.listNodes()).items.filter((n) => !n.spec?.unschedulable);
  const all = (await client.listAllPods()).filter((p) => !isTerminating(p) && p.spec?.nodeName);
  const requested = (pods: KPod[]): number =>
    pods.reduce((n, p) => n + (p.spec?.containers ?? []).reduce((m, c) => m + (parseCpu(c.resources?.requests?.['cpu']) ?? 0), 0), 0);
  const free = (n: KNode): number => (parseCpu(n.status?.allocatable?.['cpu']) ?? 0) - requested(all.filter((p) => p.spec?.nodeName === n.metadata.name));
  const onNodes = (names: Set<string>): KPod[] => workloadPods.filter((p) => names.has(p.spec?.nodeName ?? ''));
  const fitsWithout = (lost: Set<string>): { fits: boolean; detail: string } => {
    const moving = onNodes(lost);
    const need = requested(moving);
    const spare = nodes.filter((n) => !lost.has(n.metadata.name)).reduce((s, n) => s + Math.max(0, free(n)), 0);
    return {
      fits: need <= spare,
      detail: `${moving.length} pod(s) requesting ${round(need)}m CPU would move; the other nodes have ${round(spare)}m CPU unrequested`,
    };
  };
  const byNode = [...nodes].sort(
    (a, b) =>
      onNodes(new Set([b.metadata.name])).length - onNodes(new Set([a.metadata.name])).length ||
      (parseCpu(b.status?.allocatable?.['cpu']) ?? 0) - (parseCpu(a.status?.allocatable?.['cpu']) ?? 0),
  );
  const largestNode = byNode[0];
  const zones = new Map<string, Set<string>>();
  for (const n of nodes) {
    const z = n.metadata.labels?.[ZONE_LABEL];
    if (z) zones.set(z, (zones.get(z) ?? new Set()).add(n.metadata.name));
  }
  const largestZone = [...zones.entries()].sort((a, b) => onNodes(b[1]).length - onNodes(a[1]).length)[0];
  return {
    largestNode: largestNode
      ? { name: largestNode.metadata.name, ...fitsWithout(new Set([largestNode.metadata.name])) }
      : { name: 'none', fits: false, detail: 'no schedulable node' },
    largestZone: largestZone ? { name: largestZone[0], ...fitsWithout(largestZone[1]) } : null,
  };
}

function round(v: number, digits = 1): number {
  const f = 10 ** digits;
  return Math.round(v * f) / f;
}
