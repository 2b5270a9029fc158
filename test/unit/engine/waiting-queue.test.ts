import assert from 'node:assert/strict';
import { test } from 'node:test';
import { WaitingQueue } from '../../../src/engine/worker/waiting-queue.js';

/** An item that counts how often its deadline is read: the work expiry does on what still waits. */
class Item {
  static reads = 0;
  constructor(
    readonly id: number,
    private readonly due: number,
  ) {}
  get deadline(): number {
    Item.reads++;
    return this.due;
  }
}

test('with deadlines in order, expiry touches only the expired head, however long the backlog', () => {
  const timedOut: number[] = [];
  const queue = new WaitingQueue<Item>((item) => timedOut.push(item.id));
  for (let i = 0; i < 100_000; i++) queue.push(new Item(i, 10_000 + i));
  Item.reads = 0;
  // Every 25 ms for a second, as the worker does, while 40 items a tick pass their deadline.
  for (let tick = 1; tick <= 40; tick++) queue.expire(10_000 + tick * 40 - 1);
  assert.equal(timedOut.length, 1600);
  assert.deepEqual(timedOut.slice(0, 3), [0, 1, 2]);
  assert.equal(queue.size, 100_000 - 1600);
  // One read per expired item and one for the first that is not: a copy of the queue each tick read 4 million.
  assert.ok(Item.reads <= 1600 + 40, `${Item.reads} deadline reads`);
  assert.equal(queue.shift()!.id, 1600);
});

test('with mixed timeouts, every expired item is found wherever it waits, and the order of the rest is kept', () => {
  const timedOut: number[] = [];
  const queue = new WaitingQueue<Item>((item) => timedOut.push(item.id));
  // A long timeout first, then short ones behind it.
  queue.push(new Item(0, 5000));
  queue.push(new Item(1, 100));
  queue.push(new Item(2, 6000));
  queue.push(new Item(3, 200));
  queue.expire(150);
  assert.deepEqual(timedOut, [1]);
  queue.expire(5000);
  assert.deepEqual(timedOut, [1, 0, 3]);
  assert.equal(queue.shift()!.id, 2);
  assert.equal(queue.shift(), undefined);
  // Emptied, it is in order again: a fresh backlog gets the cheap expiry.
  for (let i = 0; i < 1000; i++) queue.push(new Item(10 + i, 7000 + i));
  Item.reads = 0;
  queue.expire(7000);
  assert.deepEqual(timedOut.slice(3), [10]);
  assert.ok(Item.reads <= 2, `${Item.reads} deadline reads`);
});

test('a timeout that queues the next request (a closed-model user) neither loses it nor times it out early', () => {
  const timedOut: number[] = [];
  let next = 100;
  const queue: WaitingQueue<Item> = new WaitingQueue<Item>((item) => {
    timedOut.push(item.id);
    queue.push(new Item(next++, 9000));
  });
  for (let i = 0; i < 5; i++) queue.push(new Item(i, 1000));
  queue.expire(1000);
  assert.deepEqual(timedOut, [0, 1, 2, 3, 4]);
  assert.equal(queue.size, 5);
  assert.deepEqual(
    Array.from({ length: 5 }, () => queue.shift()!.id),
    [100, 101, 102, 103, 104],
  );
});
