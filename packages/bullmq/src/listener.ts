import type { AdapterRequest, AdapterResponse } from '@asynchttp/core';
import type { Redis } from 'ioredis';
import { decodeResult } from './codec.js';
import type { Keys } from './keys.js';

interface Pending {
  request: AdapterRequest;
  resolve(response: AdapterResponse): void;
  reject(error: unknown): void;
}

/**
 * The caller's half that reads: one channel per caller carries job ids only ("s" started, "d" done);
 * the result is then read from its key once and deleted, so no body is broadcast nor kept.
 */
export class Listener {
  readonly #pending = new Map<string, Pending>();
  readonly #subscriber: Redis;
  readonly #client: Redis;
  readonly #keys: Keys;
  readonly channel: string;

  constructor(subscriber: Redis, client: Redis, keys: Keys, caller: string) {
    this.#subscriber = subscriber;
    this.#client = client;
    this.#keys = keys;
    this.channel = keys.caller(caller);
    subscriber.on('message', (channel: string, message: string) => {
      if (channel === this.channel) this.#heard(message);
    });
  }

  async subscribe(): Promise<void> {
    await this.#subscriber.subscribe(this.channel);
  }

  expect(id: string, pending: Pending): void {
    this.#pending.set(id, pending);
  }

  forget(id: string): boolean {
    return this.#pending.delete(id);
  }

  get size(): number {
    return this.#pending.size;
  }

  /** Fails whatever is still waiting (the adapter is closing). */
  failAll(error: (request: AdapterRequest) => unknown): void {
    for (const [id, pending] of this.#pending) {
      this.#pending.delete(id);
      pending.reject(error(pending.request));
    }
  }

  #heard(message: string): void {
    const id = message.slice(1);
    if (message.startsWith('s')) {
      this.#pending.get(id)?.request.started?.();
    } else if (message.startsWith('d')) {
      this.#collect(id).catch((error: unknown) => {
        const pending = this.#pending.get(id);
        if (pending === undefined) return;
        this.#pending.delete(id);
        pending.reject(error);
      });
    }
  }

  async #collect(id: string): Promise<void> {
    const keys = this.#keys;
    // Read once and delete, whether anyone still waits (a cancelled exchange's result is dropped too).
    const replies = await this.#client
      .multi()
      .getdelBuffer(keys.result(id))
      .del(keys.body(id), keys.sent(id), keys.cancelled(id))
      .exec();
    const pending = this.#pending.get(id);
    const buffer = replies?.[0]?.[1] as Buffer | null | undefined;
    if (pending === undefined || buffer === null || buffer === undefined) return;
    this.#pending.delete(id);
    const { method, url } = pending.request;
    try {
      pending.resolve(decodeResult(buffer, { method, url: url.href }));
    } catch (error) {
      pending.reject(error);
    }
  }
}
