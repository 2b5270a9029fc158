/**
 * Requests waiting for a connection (HTTP/1.1) or a stream slot (HTTP/2): first in, first out, each failed
 * with a timeout once its deadline passes. Expiry runs every 25 ms; it used to copy the whole queue each time,
 * so a generator pushed past its capacity (a backlog of 100,000 and more) spent its core copying the queue:
 * throughput fell from 70,000 to 600 req/s and every request timed out. With one timeout for every request
 * (the usual case) deadlines come in order, and only the expired head is touched.
 */
export class WaitingQueue<T extends { readonly deadline: number }> {
  private items: T[] = [];
  private head = 0;
  /** Deadlines were pushed in order since the queue was last empty: the expired are all at the head. */
  private ordered = true;
  private lastDeadline = -Infinity;

  constructor(private readonly timeOut: (item: T) => void) {}

  get size(): number {
    return this.items.length - this.head;
  }

  push(item: T): void {
    const deadline = item.deadline;
    if (deadline < this.lastDeadline) this.ordered = false;
    else this.lastDeadline = deadline;
    this.items.push(item);
  }

  shift(): T | undefined {
    if (this.head >= this.items.length) return undefined;
    const next = this.items[this.head++];
    this.compact();
    return next;
  }

  /** Times out every item whose deadline has passed (after taking them out, so a timeout may push again). */
  expire(now: number): void {
    const expired: T[] = [];
    const items = this.items;
    while (this.head < items.length && now >= items[this.head]!.deadline) expired.push(items[this.head++]!);
    if (!this.ordered) {
      // Mixed timeouts: one pass over what waits, in place.
      let kept = this.head;
      for (let i = this.head; i < items.length; i++) {
        const item = items[i]!;
        if (now >= item.deadline) expired.push(item);
        else items[kept++] = item;
      }
      items.length = kept;
    }
    this.compact();
    for (const item of expired) this.timeOut(item);
  }

  private compact(): void {
    if (this.head === this.items.length) {
      this.items.length = 0;
      this.head = 0;
      this.ordered = true;
      this.lastDeadline = -Infinity;
    } else if (this.head > 1024 && this.head * 2 > this.items.length) {
      this.items = this.items.slice(this.head);
      this.head = 0;
    }
  }
}
