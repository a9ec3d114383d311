import type { Queue, QueueAddOptions } from 'p-queue';

/** p-queue's runner for one task. */
export type RunFunction = () => Promise<unknown>;

/** An item of `RequestQueue`: the request itself, so queueing allocates nothing of its own. */
export interface Queued {
  /** p-queue's runner for this item while it waits; `undefined` once dequeued or removed. */
  run: RunFunction | undefined;
}

interface Bucket {
  readonly priority: number;
  items: (Queued | undefined)[];
  head: number;
}

// Below this many consumed slots a bucket is not worth compacting.
const compactAfter = 1024;

/**
 * The waiting line behind p-queue (its `queueClass`): one FIFO bucket per priority, highest first.
 *
 * p-queue's default queue keeps one sorted array and removes by a linear search. Here enqueue and
 * dequeue are O(1) for the usual single priority, and `remove()` is O(1) (the slot becomes a hole that
 * `dequeue()` skips), which is what cancelling a queued request needs. The item passed as p-queue's
 * `id` is the request itself.
 */
export class RequestQueue implements Queue<RunFunction, QueueAddOptions> {
  #buckets: Bucket[] = [];
  #size = 0;

  get size(): number {
    return this.#size;
  }

  enqueue(run: RunFunction, options?: Partial<QueueAddOptions>): void {
    const item = options?.id as unknown as Queued;
    item.run = run;
    this.#bucket(options?.priority ?? 0).items.push(item);
    this.#size++;
  }

  dequeue(): RunFunction | undefined {
    for (const bucket of this.#buckets) {
      const { items } = bucket;
      while (bucket.head < items.length) {
        const item = items[bucket.head];
        items[bucket.head++] = undefined;
        const run = item?.run;
        if (run !== undefined) {
          item!.run = undefined;
          this.#size--;
          this.#tidy(bucket);
          return run;
        }
      }
      this.#tidy(bucket);
    }
    return undefined;
  }

  /** Takes a waiting item out of line. Returns false when it was not waiting. */
  take(item: Queued): boolean {
    if (item.run === undefined) return false;
    item.run = undefined;
    this.#size--;
    return true;
  }

  /** Takes every waiting item out of line, highest priority first. */
  drain(): Queued[] {
    const drained: Queued[] = [];
    for (const bucket of this.#buckets) {
      for (let index = bucket.head; index < bucket.items.length; index++) {
        const item = bucket.items[index];
        if (item?.run !== undefined) {
          item.run = undefined;
          drained.push(item);
        }
      }
    }
    this.#buckets = [];
    this.#size = 0;
    return drained;
  }

  filter(options: Readonly<Partial<QueueAddOptions>>): RunFunction[] {
    const bucket = this.#buckets.find(({ priority }) => priority === (options.priority ?? 0));
    const runs: RunFunction[] = [];
    if (bucket === undefined) return runs;
    for (let index = bucket.head; index < bucket.items.length; index++) {
      const run = bucket.items[index]?.run;
      if (run !== undefined) runs.push(run);
    }
    return runs;
  }

  setPriority(): void {
    throw new Error('asynchttp does not change the priority of a queued request; cancel and re-issue it');
  }

  #bucket(priority: number): Bucket {
    const buckets = this.#buckets;
    let index = 0;
    while (index < buckets.length) {
      const bucket = buckets[index]!;
      if (bucket.priority === priority) return bucket;
      if (bucket.priority < priority) break;
      index++;
    }
    const bucket: Bucket = { priority, items: [], head: 0 };
    buckets.splice(index, 0, bucket);
    // Drained buckets go when a new priority arrives, so many distinct priorities cannot pile up.
    if (buckets.length > 8)
      this.#buckets = buckets.filter((each) => each === bucket || each.items.length > 0);
    return bucket;
  }

  #tidy(bucket: Bucket): void {
    if (bucket.head === bucket.items.length) {
      bucket.items.length = 0;
      bucket.head = 0;
    } else if (bucket.head > compactAfter && bucket.head * 2 > bucket.items.length) {
      bucket.items = bucket.items.slice(bucket.head);
      bucket.head = 0;
    }
  }
}
