/**
 * The registry of drill kinds: the list of their descriptors. The config's `drills` block, the kinds'
 * names (a union type), default objectives, platform needs and the audit's "endangers" all come from here.
 */
import { appUpdate } from './app-update.js';
import { capacity } from './capacity.js';
import { custom } from './custom.js';
import { disasterRecovery } from './disaster-recovery.js';
import type { DrillKind } from './kind.js';
import { load } from './load.js';
import { nodeDrain } from './node-drain.js';
import { redeploy } from './redeploy.js';
import { zoneOutage } from './zone-outage.js';

/** The built-in drills, each configured under its kind's name (`drills: { <kind>: { … } }`), in this order in docs. */
export const BUILT_IN_DRILLS = [capacity, appUpdate, nodeDrain, zoneOutage, disasterRecovery, redeploy] as const;

/** Every kind: the built-in ones, a drill of the team's own (any other name, `kind: 'custom'`), and `golive load`'s plain load. */
const DRILL_KINDS = [...BUILT_IN_DRILLS, custom, load] as const;

export type BuiltInDrillName = (typeof BUILT_IN_DRILLS)[number]['kind'];
export type DrillKindName = (typeof DRILL_KINDS)[number]['kind'];

export { custom as customDrillKind, load as loadDrillKind };

const BY_NAME: ReadonlyMap<string, DrillKind> = new Map(BUILT_IN_DRILLS.map((d) => [d.kind, d as DrillKind]));

/** The built-in kind configured under `name`, if `name` is one. */
export function builtInDrill(name: string): DrillKind | undefined {
  return BY_NAME.get(name);
}

export const BUILT_IN_DRILL_NAMES: readonly BuiltInDrillName[] = BUILT_IN_DRILLS.map((d) => d.kind);

/** The drills an audit finding endangers: the kinds that name it among what explains their failures. */
export function drillsEndangeredBy(findingId: string): string[] {
  return DRILL_KINDS.filter((d) => d.explainedBy.includes(findingId)).map((d) => d.kind);
}
