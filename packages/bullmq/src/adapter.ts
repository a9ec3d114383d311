import { randomBytes } from 'node:crypto';
import {
  type Adapter,
  type AdapterRequest,
  type AdapterResponse,
  abortTarget,
  ConnectionError,
} from '@asynchttp/core';
import type { Redis } from 'ioredis';
import { closeClient, connect, createClient } from './connection.js';
import { Keys } from './keys.js';
import { Listener } from './listener.js';
import { type BullmqAdapterOptions, checkCount, checkQueueOptions } from './options.js';
import { Producer } from './producer.js';

/**
 * An asynchttp adapter whose exchanges run on a fleet of worker processes (`startWorker()` or the
 * `asynchttp-worker` command) over BullMQ and Redis. Core's rules, promise objects and callbacks stay
 * in the caller; each exchange (one `send()`) becomes a job; the caller's `timeout` counts from when a
 * worker starts it (`Adapter.queued`).
 *
 * @example
 * ```ts
 * import { Http } from '@asynchttp/core';
 * import { bullmqAdapter } from '@asynchttp/bullmq';
 *
 * const http = new Http({ adapter: bullmqAdapter({ connection: 'redis://127.0.0.1:6379', queue: 'crawl' }), maxWorkers: 1000 });
 * const { response } = await http.request('https://example.com/');
 * await http.close(); // closes the adapter's Redis connections
 * ```
 */
export function bullmqAdapter(options: BullmqAdapterOptions): Adapter {
  const { connection, queue, prefix } = checkQueueOptions(options, 'bullmqAdapter');
  const connectTimeout = checkCount(options.connectTimeout, 'connectTimeout') ?? 5000;
  const caller = new Caller(connection, queue, prefix, connectTimeout);
  return {
    name: 'bullmq',
    queued: true,
    send: (request) => caller.send(request),
    close: () => caller.close(),
  };
}

/** One caller process's producer and listener, sharing a connection and the queue's name. */
class Caller {
  // Short ids: each queued job carries its id several times (hash key, wait list, options).
  readonly #id = randomBytes(6).toString('base64url');
  #sequence = 0;
  readonly #options: [BullmqAdapterOptions['connection'], string, string, number];
  #opened: Promise<Opened> | undefined;
  #closed = false;

  constructor(
    connection: BullmqAdapterOptions['connection'],
    queue: string,
    prefix: string,
    timeout: number,
  ) {
    this.#options = [connection, queue, prefix, timeout];
  }

  async send(request: AdapterRequest): Promise<AdapterResponse> {
    const target = abortTarget(request);
    if (target.aborted) throw target.reason;
    const { client, producer, listener } = await this.#open(request);
    if (target.aborted) throw target.reason;
    const id = `${this.#id}.${(++this.#sequence).toString(36)}`;
    let onAbort: (() => void) | undefined;
    try {
      return await new Promise<AdapterResponse>((resolve, reject) => {
        listener.expect(id, { request, resolve, reject });
        onAbort = () => {
          if (!listener.forget(id)) return;
          reject(target.reason);
          producer.cancel(id).catch(() => {});
        };
        target.addEventListener('abort', onAbort, { once: true });
        producer.add(id, request).catch((error: unknown) => {
          if (!listener.forget(id)) return;
          client.del(new Keys(this.#options[2], this.#options[1]).body(id)).catch(() => {});
          reject(
            new ConnectionError(
              `bullmq: could not queue ${request.method} ${request.url.href}: ${String(error)}`,
              {
                cause: error,
                request: { method: request.method, url: request.url.href },
              },
            ),
          );
        });
      });
    } finally {
      if (onAbort !== undefined) target.removeEventListener('abort', onAbort);
    }
  }

  #open(request: AdapterRequest): Promise<Opened> {
    if (this.#opened === undefined) {
      const [connection, queue, prefix, timeout] = this.#options;
      const keys = new Keys(prefix, queue);
      const client = createClient(connection, `asynchttp:caller:${queue}`, true);
      const subscriber = createClient(connection, `asynchttp:caller-events:${queue}`);
      const opened: Opened = {
        client,
        subscriber,
        keys,
        producer: undefined as unknown as Producer,
        listener: new Listener(subscriber, client, keys, this.#id),
      };
      this.#opened = (async () => {
        const where = `bullmq: queue "${queue}"`;
        await Promise.all([connect(client, timeout, where), connect(subscriber, timeout, where)]);
        await opened.listener.subscribe();
        opened.producer = new Producer(client, queue, prefix, keys);
        return opened;
      })();
      // The next send tries again (ioredis keeps reconnecting); this one fails with the cause.
      this.#opened.catch(() => {
        if (this.#closed) return;
        this.#opened = undefined;
        void closeClient(client);
        void closeClient(subscriber);
      });
    }
    const { method, url } = request;
    return this.#opened.catch((error: unknown) => {
      throw error instanceof ConnectionError
        ? new ConnectionError(`${error.message}: ${method} ${url.href}`, {
            cause: error.cause,
            request: { method, url: url.href },
          })
        : error;
    });
  }

  async close(): Promise<void> {
    this.#closed = true;
    const opening = this.#opened;
    this.#opened = undefined;
    if (opening === undefined) return;
    let opened: Opened;
    try {
      opened = await opening;
    } catch {
      return;
    }
    opened.listener.failAll(
      ({ method, url }) =>
        new ConnectionError(`bullmq: the adapter closed before the exchange ended: ${method} ${url.href}`),
    );
    await opened.producer.close();
    await Promise.all([closeClient(opened.subscriber), closeClient(opened.client)]);
  }
}

interface Opened {
  client: Redis;
  subscriber: Redis;
  keys: Keys;
  producer: Producer;
  listener: Listener;
}
