/**
 * The capacity drill's cluster figures: each component's pod usage from metrics.k8s.io (sampled during the
 * load) against its own requests and limits, and N-1 headroom: would the system's pods fit if the largest
 * node, or the largest zone, were lost? A missing metrics-server is reported as such, never as zero usage.
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

type Container = NonNullable<NonNullable<KPod['spec']>['containers']>[number];

type Usage = NonNullable<CapacityReport['components']>[number];

/** A component's peak pod, as sampled. */
interface Peaks {
  cpu: number;
  mem: number;
}

/**
 * Samples the usage of the system's pods (`componentOf` names each pod's component) every 5 s; `stop` gives each
 * component's peak pod against that component's own requests and limits (when there are several), and at the
 * top the component nearest its CPU limit, which the objectives judge.
 */
export function startCapacitySampling(
  client: KubeClient,
  namespace: string,
  componentOf: (pod: KPod) => string | undefined,
  /** The components in the system's order (the entry first): the order they are reported in. */
  order: readonly string[],
  signal: AbortSignal,
): { stop(): Promise<CapacityReport> } {
  let samples = 0;
  const peaks = new Map<string, Peaks>();
  let unavailable: string | undefined;
  const sample = async (): Promise<void> => {
    try {
      const items = (await client.podMetrics(namespace)) as PodMetrics[] | null;
      if (items === null) {
        unavailable = 'metrics.k8s.io is not served: install metrics-server to measure usage';
        return;
      }
      const component = new Map((await client.listPods(namespace)).items.map((p) => [p.metadata.name, componentOf(p)]));
      samples++;
      for (const p of items) {
        const name = component.get(p.metadata.name);
        if (name === undefined) continue;
        const peak = peaks.get(name) ?? { cpu: 0, mem: 0 };
        peak.cpu = Math.max(
          peak.cpu,
          p.containers.reduce((n, c) => n + (parseCpu(c.usage.cpu) ?? 0), 0),
        );
        peak.mem = Math.max(
          peak.mem,
          p.containers.reduce((n, c) => n + (parseMemoryMiB(c.usage.memory) ?? 0), 0),
        );
        peaks.set(name, peak);
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
      const pods = (await client.listPods(namespace)).items.filter((p) => !isTerminating(p) && componentOf(p) !== undefined);
      const report: CapacityReport = { samples, headroom: await headroom(client, pods) };
      if (unavailable) return { ...report, usageUnavailable: unavailable };
      const components: Usage[] = order
        .filter((name) => pods.some((p) => componentOf(p) === name))
        .map((name) => ({
          name,
          ...usageAgainst(peaks.get(name) ?? { cpu: 0, mem: 0 }, pods.find((p) => componentOf(p) === name)?.spec?.containers ?? []),
        }));
      // The figures at the top are the component nearest its CPU limit (the one the objectives judge), as on the local platform.
      const top = [...components].sort((a, b) => (b.cpu.peakOfLimit ?? -1) - (a.cpu.peakOfLimit ?? -1) || b.cpu.peakMillicores - a.cpu.peakMillicores)[0];
      return { ...report, ...(top ? { cpu: top.cpu, memory: top.memory } : {}), ...(components.length > 1 ? { components } : {}) };
    },
  };
}

/** A peak pod against its containers' requests and limits (a limit only when every container has one). */
function usageAgainst(peak: Peaks, containers: readonly Container[]): Omit<Usage, 'name'> {
  const sum = (get: (c: Container) => number | null): number | null => {
    const values = containers.map(get);
    return values.length === 0 || values.some((v) => v === null) ? null : values.reduce<number>((a, b) => a + (b ?? 0), 0);
  };
  const cpuRequest = sum((c) => parseCpu(c.resources?.requests?.['cpu']));
  const cpuLimit = sum((c) => parseCpu(c.resources?.limits?.['cpu']));
  const memRequest = sum((c) => parseMemoryMiB(c.resources?.requests?.['memory']));
  const memLimit = sum((c) => parseMemoryMiB(c.resources?.limits?.['memory']));
  return {
    cpu: {
      peakMillicores: round(peak.cpu),
      requestMillicores: cpuRequest,
      limitMillicores: cpuLimit,
      peakOfLimit: cpuLimit ? round(peak.cpu / cpuLimit, 3) : null,
    },
    memory: {
      peakMiB: round(peak.mem),
      requestMiB: memRequest === null ? null : round(memRequest),
      limitMiB: memLimit === null ? null : round(memLimit),
      peakOfLimit: memLimit ? round(peak.mem / memLimit, 3) : null,
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
