import type { RateLimit } from '@asynchttp/core';
import type { Redis } from 'ioredis';
import { Semaphore } from 'redis-semaphore';
import type { Keys } from './keys.js';
import type { NormalLimits } from './options.js';
import { windowsScript } from './windows.lua.js';

/** What a start holds until its exchange ends: the origin's lease, if it has a concurrency limit. */
export interface Grant {
  release(): Promise<void>;
}

const noLease: Grant = { release: async () => {} };

/** How long a dead worker's origin lease outlives it (redis-semaphore renews it while alive). */
const leaseTimeout = 5000;

/**
 * The fleet's limits, in Redis: per-origin concurrency as expiring leases (redis-semaphore, so a
 * killed worker's lease frees itself), every sliding window and the Retry-After pause in one script.
 * The limits are data; where their state lives is Redis, shared by every worker of the queue.
 */
export class FleetLimiter {
  readonly #client: Redis;
  readonly #keys: Keys;
  readonly #limits: NormalLimits;

  constructor(client: Redis, keys: Keys, limits: NormalLimits) {
    this.#client = client;
    this.#keys = keys;
    this.#limits = limits;
    client.defineCommand('asynchttpWindows', { lua: windowsScript });
  }

  /** Takes room for one start to `origin`: a grant, or how many ms to wait before asking again. */
  async acquire(origin: string, member: string): Promise<Grant | number> {
    const own = this.#limits.origins.get(origin);
    const shared = this.#limits.perOrigin;
    const maxWorkers = own?.maxWorkers ?? shared?.maxWorkers;
    let grant = noLease;
    if (maxWorkers !== undefined && Number.isFinite(maxWorkers)) {
      const lease = new Semaphore(this.#client, this.#keys.leases(origin), maxWorkers, {
        lockTimeout: leaseTimeout,
        refreshInterval: leaseTimeout / 4,
        acquireAttemptsLimit: 1,
        retryInterval: 10,
        // A lost lease only loosens the limit for a moment; the exchange goes on.
        onLockLost: () => {},
      });
      if (!(await lease.tryAcquire())) return 20 + Math.floor(Math.random() * 20);
      grant = { release: () => lease.release().catch(() => {}) };
    }
    const wait = await this.#windows(origin, member, own?.rateLimit ?? shared?.rateLimit);
    if (wait > 0) await grant.release();
    return wait > 0 ? wait : grant;
  }

  /** Pauses `origin` for the fleet for `ms` (a Retry-After), capped by `maxRetryAfter`. */
  async pause(origin: string, ms: number): Promise<void> {
    const capped = Math.min(ms, this.#limits.maxRetryAfter);
    if (capped >= 1) await this.#client.set(this.#keys.pause(origin), '1', 'PX', Math.ceil(capped));
  }

  async #windows(origin: string, member: string, rates: RateLimit[] | undefined): Promise<number> {
    const keys = [this.#keys.pause(origin)];
    const args: (string | number)[] = [member];
    this.#limits.rateLimit?.forEach((rate, index) => {
      keys.push(this.#keys.window('*', index));
      args.push(rate.limit, rate.interval);
    });
    rates?.forEach((rate, index) => {
      keys.push(this.#keys.window(origin, index));
      args.push(rate.limit, rate.interval);
    });
    const run = (this.#client as unknown as Record<string, (...a: unknown[]) => Promise<number>>)
      .asynchttpWindows!;
    return Number(await run.call(this.#client, keys.length, ...keys, ...args));
  }
}
