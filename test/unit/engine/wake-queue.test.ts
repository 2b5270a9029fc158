import assert from 'node:assert/strict';
import { performance } from 'node:perf_hooks';
import { describe, test } from 'node:test';
import { WakeQueue } from '../../../src/engine/worker/wake-queue.js';

describe('wake queue (timers for starts and think times)', () => {
  test('tasks run in time order, never before their moment (a coarse one neither); ties in the order they were added', async () => {
    const zero = performance.now();
    const elapsed = (): number => performance.now() - zero;
    const queue = new WakeQueue(elapsed, (ms) => performance.timeOrigin + zero + ms, undefined);
    const ran: { name: string; at: number; due: number }[] = [];
    await new Promise<void>((resolve) => {
      const add = (name: string, due: number): void => queue.at(due, () => ran.push({ name, at: elapsed(), due }));
      add('c', 60);
      add('a', 20);
      add('b', 40);
      add('b2', 40);
      add('now', 0);
      queue.at(30, () => ran.push({ name: 'coarse', at: elapsed(), due: 30 }), true);
      queue.at(80, () => resolve());
    });
    assert.deepEqual(
      ran.map((r) => r.name),
      ['now', 'a', 'coarse', 'b', 'b2', 'c'],
    );
    for (const r of ran) assert.ok(r.at >= r.due, `${r.name} ran at ${r.at.toFixed(2)} ms, due at ${r.due}`);
    queue.close();
  });

  test('a task that adds one due at once lets I/O run first (the open loop yields between batches)', async () => {
    const zero = performance.now();
    const queue = new WakeQueue(
      () => performance.now() - zero,
      (ms) => performance.timeOrigin + zero + ms,
      undefined,
    );
    const order: string[] = [];
    await new Promise<void>((resolve) => {
      queue.at(0, () => {
        order.push('first');
        setImmediate(() => order.push('io'));
        queue.at(0, () => {
          order.push('second');
          resolve();
        });
      });
    });
    assert.deepEqual(order, ['first', 'io', 'second']);
    queue.close();
  });

  test('closed: nothing more runs', async () => {
    const queue = new WakeQueue(
      () => 0,
      () => 0,
      undefined,
    );
    let ran = false;
    queue.at(0, () => (ran = true));
    queue.close();
    // A task due at once would run on the next turn of the loop: two turns pass.
    for (let i = 0; i < 2; i++) await new Promise((r) => setImmediate(r));
    assert.equal(ran, false);
    assert.equal(queue.size, 0);
  });
});
