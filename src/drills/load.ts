/** A plain load test (`golive load URL`): the load for its duration, judged by the config's thresholds. */
import { z } from 'zod';
import { defineDrillKind } from './kind.js';

export const load = defineDrillKind({
  kind: 'load',
  schema: z.object({}),
  phases: ['load'],
  defaultObjectives: { errors: { maxErrorRate: 0.01 } },
  explainedBy: [],
  build: () => ({ objectives: {}, needs: { operations: [], destroysEnvironment: false }, judgedByThresholds: true }),
});
