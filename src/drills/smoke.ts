/**
 * A smoke test after a deploy: every configured request once, each passing its checks; of a journey, its
 * first step (the later ones need what the earlier responses give).
 */
import type { LoadPlan } from '../engine/plan.js';
import { createJudge } from '../engine/worker/checks.js';
import { compileTemplate } from '../engine/template.js';

export async function smokePasses(plan: LoadPlan, rounds = 3): Promise<boolean> {
  for (let round = 0; round < rounds; round++) {
    const requests = [...plan.requests, ...(plan.journeys ?? []).map((j) => j.steps[0]!)];
    for (const [i, r] of requests.entries()) {
      const render = (s: string): string => {
        const t = compileTemplate(s, plan.env, plan.data ? Object.keys(plan.data.rows[0] ?? {}) : undefined);
        return 'constant' in t ? t.constant : t.render({ seq: round * 1000 + i, tsMs: Date.now(), row: plan.data?.rows[0] });
      };
      try {
        const res = await fetch(plan.target.origin + render(r.path), {
          method: r.method,
          headers: Object.fromEntries(Object.entries(r.headers).map(([k, v]) => [k, render(v)])),
          ...(r.body !== undefined ? { body: render(r.body) } : {}),
          // As the load does: a redirect is the answer unless the request follows redirects.
          redirect: r.followRedirects ? 'follow' : 'manual',
          signal: AbortSignal.timeout(r.timeoutMs),
        });
        const body = Buffer.from(await res.arrayBuffer());
        if (createJudge(r.check).judge(res.status, body) !== 'ok') return false;
      } catch {
        return false;
      }
    }
  }
  return true;
}
