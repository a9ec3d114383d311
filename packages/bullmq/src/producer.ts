import type { AdapterRequest } from '@asynchttp/core';
import { Queue } from 'bullmq';
import type { Redis } from 'ioredis';
import { defaultMaxResponseBytes, type JobData, wholeBody } from './codec.js';
import { type Keys, keyTtl } from './keys.js';

/**
 * The caller's half that writes: one job per exchange (the body in its own key, binary), and the
 * cancel of a job, waiting (removed) or running (a message its worker listens to).
 */
export class Producer {
  readonly #queue: Queue<JobData>;
  readonly #client: Redis;
  readonly #keys: Keys;

  constructor(client: Redis, name: string, prefix: string, keys: Keys) {
    this.#client = client;
    this.#keys = keys;
    // Only job ids go through BullMQ's event stream here; a short stream keeps Redis memory per job low.
    this.#queue = new Queue<JobData>(name, {
      connection: client,
      prefix,
      streams: { events: { maxLen: 100 } },
    });
    this.#queue.on('error', () => {});
  }

  async add(id: string, request: AdapterRequest): Promise<void> {
    const body = await wholeBody(request.body);
    const data: JobData = { m: request.method, u: request.url.href, h: request.headers };
    const limit = request.maxResponseBytes;
    if (limit !== undefined && limit !== defaultMaxResponseBytes) data.x = limit;
    if (body !== undefined && body.byteLength > 0) {
      data.b = body.byteLength;
      await this.#client.set(
        this.#keys.body(id),
        Buffer.from(body.buffer, body.byteOffset, body.byteLength),
        'PX',
        keyTtl,
      );
    }
    await this.#queue.add('x', data, { jobId: id, removeOnComplete: true, removeOnFail: true });
  }

  async cancel(id: string): Promise<void> {
    const keys = this.#keys;
    await this.#client
      .multi()
      .set(keys.cancelled(id), '1', 'PX', keyTtl)
      .publish(keys.cancel, id)
      .del(keys.body(id))
      .exec();
    // A waiting or delayed job goes at once; a running (locked) one is left to its worker's abort.
    await this.#queue.remove(id).catch(() => 0);
  }

  close(): Promise<void> {
    return this.#queue.close();
  }
}
