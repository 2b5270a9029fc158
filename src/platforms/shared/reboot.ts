/** A drained node's reboot: a delay (a simulated reboot), the user's hook, or an operator's manual step. */
import { sleep } from '../../abortable.js';
import type { EventSink } from '../../model/events.js';
import type { HookRunner, NodeDrainOptions } from '../platform.js';

export async function rebootNode(
  reboot: NonNullable<NodeDrainOptions['reboot']>,
  node: string,
  io: { hooks: HookRunner; sink: EventSink; env: Record<string, string>; onDown?: () => void },
  signal: AbortSignal,
): Promise<void> {
  if ('run' in reboot) {
    io.sink('node.reboot', `reboot hook: ${reboot.run}`, node);
    await io.hooks.run(reboot.run, { GOLIVE_NODE: node, ...io.env }, signal);
  } else if ('manual' in reboot) {
    await io.hooks.manual(reboot.manual.replaceAll('$GOLIVE_NODE', node), signal);
  } else {
    io.onDown?.();
    io.sink('node.down', `rebooting (${reboot.delayMs} ms)`, node);
    await sleep(reboot.delayMs, signal, `rebooting ${node}`);
  }
}
