import { randomBytes } from 'node:crypto';
import {
  type Adapter,
  type AdapterRequest,
  type AdapterResponse,
  CancelledError,
  ConnectionError,
} from '@asynchttp/core';
import { DelayedError, type Job } from 'bullmq';
import type { Redis } from 'ioredis';
import {
  callerOf,
  defaultMaxResponseBytes,
  encodeError,
  encodeResponse,
  type JobData,
  wholeBody,
} from './codec.js';
import { idempotentMethods, type Keys, keyTtl } from './keys.js';
import type { FleetLimiter } from './limiter.js';

/**
 * The worker's half: runs one job's exchange through the given adapter once the fleet's limits let
 * it, writes the result once to its key and tells only its caller. Running exchanges can be aborted
 * by a caller's cancel message.
 */
export class Processor {
  readonly #adapter: Adapter;
  readonly #client: Redis;
  readonly #keys: Keys;
  readonly #limiter: FleetLimiter;
  readonly #running = new Map<string, AbortController>();
  readonly #id = randomBytes(6).toString('hex');

  constructor(adapter: Adapter, client: Redis, keys: Keys, limiter: FleetLimiter) {
    this.#adapter = adapter;
    this.#client = client;
    this.#keys = keys;
    this.#limiter = limiter;
  }

  /** A caller cancelled `id`: abort it if it runs here. */
  cancel(id: string): void {
    this.#running.get(id)?.abort(new CancelledError('Cancelled by the caller'));
  }

  readonly process = async (job: Job<JobData>, token?: string): Promise<void> => {
    const id = job.id!;
    const data = job.data;
    const url = new URL(data.u);
    const grant = await this.#limiter.acquire(url.origin, `${id}:${job.attemptsStarted}:${Date.now()}`);
    if (typeof grant === 'number') {
      // The origin is full, paused or out of rate: the job waits in Redis, not in this worker's slot,
      // so other origins keep flowing.
      await job.moveToDelayed(Date.now() + grant, token);
      throw new DelayedError();
    }
    const controller = new AbortController();
    this.#running.set(id, controller);
    try {
      const result = await this.#run(id, data, url, controller);
      if (result === undefined) return;
      const caller = this.#keys.caller(callerOf(id));
      await this.#client
        .multi()
        .set(this.#keys.result(id), result, 'PX', keyTtl)
        .publish(caller, `d${id}`)
        .exec();
    } finally {
      this.#running.delete(id);
      await grant.release();
    }
  };

  /** The exchange's result, or `undefined` when the caller cancelled it before it began. */
  async #run(id: string, data: JobData, url: URL, controller: AbortController): Promise<Buffer | undefined> {
    const keys = this.#keys;
    // One round trip to begin: cancelled?, the sent marker, "started" to the caller, the body.
    const begin = this.#client
      .pipeline()
      .exists(keys.cancelled(id))
      .set(keys.sent(id), this.#id, 'PX', keyTtl, 'NX')
      .publish(keys.caller(callerOf(id)), `s${id}`);
    if (data.b !== undefined) begin.getBuffer(keys.body(id));
    const replies = (await begin.exec()) ?? [];
    if (replies[0]?.[1] === 1) return undefined;
    if (replies[1]?.[1] === null && !idempotentMethods.has(data.m)) {
      return encodeError(
        new ConnectionError(
          `The worker running ${data.m} ${data.u} stopped mid-exchange; ${data.m} is not idempotent, so it is not sent again`,
        ),
      );
    }
    try {
      let body: Uint8Array | undefined;
      if (data.b !== undefined) {
        const stored = replies[3]?.[1] as Buffer | null | undefined;
        if (stored == null) throw new ConnectionError(`The body of ${data.m} ${data.u} is gone from Redis`);
        body = stored;
      }
      const request: AdapterRequest = {
        url,
        method: data.m,
        headers: data.h,
        body,
        signal: controller.signal,
        maxResponseBytes: data.x ?? defaultMaxResponseBytes,
      };
      const response = await this.#adapter.send(request);
      await this.#pauseOnRetryAfter(url.origin, response);
      return encodeResponse({ ...response, body: (await wholeBody(response.body)) ?? new Uint8Array() });
    } catch (error) {
      return encodeError(controller.signal.aborted ? controller.signal.reason : error);
    }
  }

  /**
   * A job BullMQ gave up on (it stalled too often, or writing its result failed): its caller hears of
   * it at once with a `ConnectionError` rather than only through its timeout. A result already
   * written is kept (`NX`).
   */
  async failed(job: Job<JobData> | undefined, error: Error): Promise<void> {
    const id = job?.id;
    if (id === undefined || job === undefined) return;
    const { m, u } = job.data;
    const result = encodeError(
      new ConnectionError(`The fleet could not run ${m} ${u}: ${error.message}`, { cause: error }),
    );
    const written = await this.#client.set(this.#keys.result(id), result, 'PX', keyTtl, 'NX');
    if (written !== null) await this.#client.publish(this.#keys.caller(callerOf(id)), `d${id}`);
  }

  /** A 429 or 503 with Retry-After pauses that origin for every worker of the queue. */
  async #pauseOnRetryAfter(origin: string, response: AdapterResponse): Promise<void> {
    if (response.status !== 429 && response.status !== 503) return;
    const header = response.headers.find(([name]) => name.toLowerCase() === 'retry-after')?.[1];
    if (header === undefined) return;
    const seconds = Number(header.trim());
    const ms = Number.isFinite(seconds) ? seconds * 1000 : Date.parse(header) - Date.now();
    if (ms > 0) await this.#limiter.pause(origin, ms);
  }
}
