/** node-drain: every node hosting the app drained, optionally rebooted, and uncordoned, one at a time. */
import { z } from 'zod';
import type { NodeDrainOptions } from '../platforms/platform.js';
import { hook, manual, phaseFields } from '../schema/fields.js';
import { duration, obj, oneOf, str } from '../schema/helpers.js';
import type { DrillContext, PerformResult } from './drill.js';
import { defineDrillKind, DISRUPTION_PHASES } from './kind.js';
import { disruptionPhases, requirePlatform } from './phases.js';

const nodeDrainDrill = obj({
  ...phaseFields,
  /** The nodes hosting the app, or every schedulable node. @default 'hosting' */
  nodes: z.union([oneOf(['hosting', 'all'] as const), z.array(str('a node name')).nonempty()]).default('hosting'),
  /** After a node is drained: wait (local), run a reboot command, or ask an operator. */
  reboot: z.union([obj({ delay: duration }), hook, manual]).optional(),
  /** Longest one node may take. @default '5m' */
  timeout: duration.default(300_000),
});

type NodeDrainDrillConfig = z.output<typeof nodeDrainDrill>;

export const nodeDrain = defineDrillKind({
  kind: 'node-drain',
  schema: nodeDrainDrill,
  phases: DISRUPTION_PHASES,
  defaultObjectives: { errors: { maxFailedRequests: 0 }, downtime: { maxDowntime: 0 } },
  explainedBy: ['GL001', 'GL002', 'GL007', 'GL008', 'GL009', 'GL010', 'GL011', 'GL013', 'GL015', 'GL021', 'GL022'],
  build: (c) => ({ objectives: c.objectives, needs: { operations: ['drain'], destroysEnvironment: false }, perform: performNodeDrain(c) }),
});

function performNodeDrain(cfg: NodeDrainDrillConfig) {
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
      details: { kind: nodeDrain.kind, drainedNodes: drained },
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
