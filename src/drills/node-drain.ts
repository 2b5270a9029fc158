/** node-drain: every node hosting the app drained, optionally rebooted, and uncordoned, one at a time. */
import type { NodeDrainDrillConfig } from '../config/schema.js';
import type { NodeDrainOptions } from '../platforms/platform.js';
import type { DrillContext, PerformResult } from './drill.js';
import { disruptionPhases, requirePlatform } from './phases.js';

export function nodeDrain(cfg: NodeDrainDrillConfig) {
  return async (ctx: DrillContext): Promise<PerformResult> => {
    const platform = requirePlatform(ctx);
    const reboot: NodeDrainOptions['reboot'] = cfg.reboot === undefined ? undefined : 'delay' in cfg.reboot ? { delayMs: cfg.reboot.delay } : cfg.reboot;
    let drained: string[] = [];
    await disruptionPhases(ctx, cfg, async () => {
      drained = Array.isArray(cfg.nodes) ? cfg.nodes : await platform.nodes(cfg.nodes);
      for (const [i, node] of drained.entries()) {
        ctx.event('drill.node', `draining ${node} (${i + 1} of ${drained.length})`, node);
        await platform.drainNode(node, { timeoutMs: cfg.timeout, reboot }, ctx.signal);
      }
    });
    return {
      details: { kind: 'node-drain', drainedNodes: drained },
      findings: [
        {
          id: 'drain-waits-for-replacements',
          severity: 'info',
          message: `golive drained ${drained.length} node(s) one at a time and waited for replacements to be Ready before the next; kubectl drain does not wait, so a scripted drain of several nodes can take more replicas away at once than this drill did.`,
        },
      ],
    };
  };
}
