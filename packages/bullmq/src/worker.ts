import type { Adapter } from '@asynchttp/core';
import { Queue, Worker } from 'bullmq';
import type { Redis } from 'ioredis';
import type { JobData } from './codec.js';
import { closeClient, connect, createClient } from './connection.js';
import { Keys } from './keys.js';
import { FleetLimiter } from './limiter.js';
import { checkCount, checkLimits, checkQueueOptions, type WorkerOptions } from './options.js';
import { Processor } from './processor.js';

/**
 * A worker process's share of the fleet: takes jobs from the queue, `concurrency` at a time, within
 * the fleet-wide limits, and runs their exchanges through `options.adapter`.
 *
 * @example
 * ```ts
 * import { startWorker } from '@asynchttp/bullmq';
 * import { undiciAdapter } from '@asynchttp/undici';
 *
 * const worker = await startWorker({ connection: 'redis://127.0.0.1:6379', queue: 'crawl',
 *   adapter: undiciAdapter(), concurrency: 16, limits: { maxWorkers: 32, perOrigin: { maxWorkers: 4 } } });
 * process.on('SIGTERM', () => worker.close());
 * ```
 */
export async function startWorker(options: WorkerOptions): Promise<FleetWorker> {
  const { connection, queue, prefix } = checkQueueOptions(options, 'startWorker');
  const { adapter } = options;
  if (typeof adapter !== 'object' || adapter === null || typeof adapter.send !== 'function') {
    throw new TypeError('startWorker: adapter is required: an Adapter such as undiciAdapter()');
  }
  const concurrency = checkCount(options.concurrency, 'concurrency') ?? 16;
  const limits = checkLimits(options.limits);
  const lockDuration = checkCount(options.lockDuration, 'lockDuration') ?? 4000;
  const stalledInterval = checkCount(options.stalledInterval, 'stalledInterval') ?? 2000;
  const connectTimeout = checkCount(options.connectTimeout, 'connectTimeout') ?? 5000;

  const client = createClient(connection, `asynchttp:worker:${queue}`);
  const subscriber = createClient(connection, `asynchttp:worker-events:${queue}`);
  try {
    await Promise.all([
      connect(client, connectTimeout, `startWorker: queue "${queue}"`),
      connect(subscriber, connectTimeout, `startWorker: queue "${queue}"`),
    ]);
  } catch (error) {
    await Promise.all([closeClient(client), closeClient(subscriber)]);
    throw error;
  }
  const keys = new Keys(prefix, queue);
  const processor = new Processor(adapter, client, keys, new FleetLimiter(client, keys, limits));
  subscriber.on('message', (channel: string, id: string) => {
    if (channel === keys.cancel) processor.cancel(id);
  });
  await subscriber.subscribe(keys.cancel);
  const control = new Queue<JobData>(queue, { connection: client, prefix });
  control.on('error', () => {});
  if (limits.maxWorkers === Number.POSITIVE_INFINITY) await control.removeGlobalConcurrency();
  else if (limits.maxWorkers !== undefined) await control.setGlobalConcurrency(limits.maxWorkers);

  const worker = new Worker<JobData>(queue, processor.process, {
    connection: client,
    prefix,
    concurrency,
    // HTTP exchanges are short: a dead worker's jobs are found in seconds, not BullMQ's default 90 s.
    lockDuration,
    stalledInterval,
    maxStalledCount: 5,
  });
  worker.on('error', () => {});
  worker.on('failed', (job, error) => {
    processor.failed(job, error).catch(() => {});
  });
  await worker.waitUntilReady();
  return new FleetWorker(worker, control, client, subscriber, adapter);
}

/** A running worker; `close()` stops taking jobs, lets running ones finish, then frees Redis. */
export class FleetWorker {
  readonly #worker: Worker<JobData>;
  readonly #control: Queue<JobData>;
  readonly #clients: Redis[];
  #closing: Promise<void> | undefined;
  /** The adapter the exchanges run through (not closed by `close()`). */
  readonly adapter: Adapter;

  constructor(
    worker: Worker<JobData>,
    control: Queue<JobData>,
    client: Redis,
    subscriber: Redis,
    adapter: Adapter,
  ) {
    this.#worker = worker;
    this.#control = control;
    this.#clients = [subscriber, client];
    this.adapter = adapter;
  }

  close(): Promise<void> {
    this.#closing ??= (async () => {
      await this.#worker.close();
      await this.#control.close();
      await Promise.all(this.#clients.map(closeClient));
    })();
    return this.#closing;
  }
}
