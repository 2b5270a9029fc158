/**
 * The plan file a worker pod reads (a ConfigMap the coordinator wrote: the load plan, the worker count and
 * the shared start time), as a schema. The plan's documented types are engine/plan.ts;
 * test/unit/model/results-schemas.test.ts holds the two equal.
 */
import { z } from 'zod';

const ms = z.number().nonnegative();
const opt = <T extends z.ZodType>(schema: T) => schema.optional();

const checkSchema = z.object({
  status: opt(z.array(z.number().int())),
  bodyContains: opt(z.string()),
  jsonPath: opt(z.record(z.string(), z.unknown())),
});

const requestFields = {
  name: z.string(),
  method: z.string(),
  path: z.string(),
  headers: z.record(z.string(), z.string()),
  body: z.string().exactOptional(),
  check: checkSchema.exactOptional(),
  timeoutMs: ms,
  followRedirects: z.object({ max: z.number().int().nonnegative(), hosts: z.array(z.string()) }).exactOptional(),
};

const extractorSchema = z.union([
  z.object({ jsonPath: z.string() }),
  z.object({ regex: z.string() }),
  z.object({ header: z.string() }),
  z.object({ cookie: z.string() }),
]);

const stepSchema = z.object({
  ...requestFields,
  extract: z.record(z.string(), extractorSchema).exactOptional(),
  think: z.object({ minMs: ms, maxMs: ms }).exactOptional(),
});

const rateStage = z.object({ durationMs: ms, fromRps: z.number().nonnegative(), toRps: z.number().nonnegative() });
const vuStage = z.object({ durationMs: ms, fromVus: z.number().int().nonnegative(), toVus: z.number().int().nonnegative() });

export const loadPlanSchema = z.object({
  target: z.object({ origin: z.string(), insecure: z.boolean(), http2: z.boolean() }),
  model: z.discriminatedUnion('kind', [
    z.object({ kind: z.literal('open'), executor: z.enum(['constant-arrival-rate', 'ramping-arrival-rate']), stages: z.array(rateStage) }),
    z.object({ kind: z.literal('closed'), executor: z.enum(['constant-vus', 'ramping-vus']), stages: z.array(vuStage), thinkTimeMs: ms }),
  ]),
  durationMs: ms.nullable(),
  maxDurationMs: ms,
  connections: z.number().int().positive(),
  maxInFlight: z.number().int().positive(),
  requests: z.array(z.object({ ...requestFields, weight: z.number().nonnegative() })),
  journeys: z
    .array(z.object({ name: z.string(), weight: z.number().nonnegative(), steps: z.array(stepSchema), cookies: z.boolean(), maxDurationMs: ms }))
    .exactOptional(),
  data: z.object({ rows: z.array(z.record(z.string(), z.string())), order: z.enum(['sequential', 'random']) }).exactOptional(),
  env: z.record(z.string(), z.string()),
  external: z
    .discriminatedUnion('kind', [
      z.object({ kind: z.literal('locust'), file: z.string(), users: z.number().int().positive(), spawnRate: z.number().positive(), bin: z.string() }),
      z.object({ kind: z.literal('k6'), file: z.string(), env: z.record(z.string(), z.string()), bin: z.string() }),
    ])
    .exactOptional(),
});

/** What `golive worker --plan <file>` reads: its index comes from JOB_COMPLETION_INDEX. */
export const workerPlanFileSchema = z.object({
  plan: loadPlanSchema,
  count: z.number().int().positive(),
  startAtEpochMs: z.number(),
});

export type WorkerPlanFile = z.output<typeof workerPlanFileSchema>;
