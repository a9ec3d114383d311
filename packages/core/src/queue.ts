/** An item of `RequestQueue`: the request itself, so waiting in line allocates nothing of its own. */
export interface Queued {
  /** True while the item waits in a line. */
  waiting: boolean;
}

interface Bucket<T extends Queued> {
  readonly priority: number;
  items: (T | undefined)[];
  head: number;
}

// Below this many consumed slots a bucket is not worth compacting.
const compactAfter = 1024;

/**
 * The line in front of p-queue: requests wait here, highest priority first and FIFO within a priority,
 * until a worker is free; then they become p-queue tasks. p-queue allocates a promise, several closures
 * and an options copy per task (about 850 B on Node 20), so a million waiting requests would cost
 * 850 MB inside it; here a waiting request costs one array slot. `take()` is O(1) (the slot becomes a
 * hole that `dequeue()` skips), which is what cancelling a waiting request needs.
 */
export class RequestQueue<T extends Queued> {
  #buckets: Bucket<T>[] = [];
  #size = 0;

  get size(): number {
    return this.#size;
  }

  enqueue(item: T, priority = 0): void {
    item.waiting = true;
    this.#bucket(priority).items.push(item);
    this.#size++;
  }

  /** The item `dequeue()` would give, left in line (holes left by `take()` are skipped and dropped). */
  peek(): T | undefined {
    for (const bucket of this.#buckets) {
      const { items } = bucket;
      while (bucket.head < items.length) {
        const item = items[bucket.head];
        if (item?.waiting) return item;
        items[bucket.head++] = undefined;
      }
      this.#tidy(bucket);
    }
    return undefined;
  }

  dequeue(): T | undefined {
    for (const bucket of this.#buckets) {
      const { items } = bucket;
      while (bucket.head < items.length) {
        const item = items[bucket.head];
        items[bucket.head++] = undefined;
        if (item?.waiting) {
          item.waiting = false;
          this.#size--;
          this.#tidy(bucket);
          return item;
        }
      }
      this.#tidy(bucket);
    }
    return undefined;
  }

  /** Takes a waiting item out of line. Returns false when it was not waiting. */
  take(item: T): boolean {
    if (!item.waiting) return false;
    item.waiting = false;
    this.#size--;
    return true;
  }

  /** Takes every waiting item out of line, highest priority first. */
  drain(): T[] {
    const drained: T[] = [];
    for (const bucket of this.#buckets) {
      for (let index = bucket.head; index < bucket.items.length; index++) {
        const item = bucket.items[index];
        if (item?.waiting) {
          item.waiting = false;
          drained.push(item);
        }
      }
    }
    this.#buckets = [];
    this.#size = 0;
    return drained;
  }

  #bucket(priority: number): Bucket<T> {
    const buckets = this.#buckets;
    let index = 0;
    while (index < buckets.length) {
      const bucket = buckets[index]!;
      if (bucket.priority === priority) return bucket;
      if (bucket.priority < priority) break;
      index++;
    }
    const bucket: Bucket<T> = { priority, items: [], head: 0 };
    buckets.splice(index, 0, bucket);
    // Drained buckets go when a new priority arrives, so many distinct priorities cannot pile up.
    if (buckets.length > 8)
      this.#buckets = buckets.filter((each) => each === bucket || each.items.length > 0);
    return bucket;
  }

  #tidy(bucket: Bucket<T>): void {
    if (bucket.head === bucket.items.length) {
      bucket.items.length = 0;
      bucket.head = 0;
    } else if (bucket.head > compactAfter && bucket.head * 2 > bucket.items.length) {
      bucket.items = bucket.items.slice(bucket.head);
      bucket.head = 0;
    }
  }
}
