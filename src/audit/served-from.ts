/**
 * The Kubernetes versions that serve what the audit writes: GL022 flags what a server lacks, and every fix
 * is written for the server's version (or, with no server known, says which version it is for).
 */

/** The first 1.x minor that serves each form (on by default). */
export const SERVED_FROM = { pdbPolicyV1: 21, hpaAutoscalingV2: 23, matchLabelKeys: 27, preStopSleep: 30 } as const;

export function minorOf(version: string | undefined): number | undefined {
  const m = /^v?1\.(\d+)/.exec(version ?? '');
  return m ? Number(m[1]) : undefined;
}

/**
 * A fix whose form needs Kubernetes 1.`from`: `current` for a server that serves it, `older` for one that
 * does not, and with no server known `current` with a line saying so and what to write before it.
 */
export function fixForServer(server: number | undefined, from: number, current: string, older: { fix: string; inWords: string }): string {
  if (server === undefined) return `${current}\n# for Kubernetes 1.${from} and newer; before 1.${from}: ${older.inWords}`;
  return server >= from ? current : older.fix;
}
