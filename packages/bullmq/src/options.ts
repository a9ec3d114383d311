import type { Adapter, OriginLimits, RateLimit } from '@asynchttp/core';
import type { RedisOptions } from 'ioredis';

/** Where the queue lives: ioredis options, or a `redis://` / `rediss://` URL. */
export type Connection = RedisOptions | string;

/** What both sides of a queue share. */
export interface QueueOptions {
  /** ioredis options or a `redis://` URL. Required: there is no default to localhost. */
  connection: Connection;
  /** The queue's name; callers and workers that share it form one fleet. Required. */
  queue: string;
  /**
   * Prefix of every Redis key (BullMQ's and this package's).
   * @default 'asynchttp'
   */
  prefix?: string | undefined;
}

/** Options of `bullmqAdapter()`. */
export interface BullmqAdapterOptions extends QueueOptions {
  /**
   * How long `send()` waits for Redis before failing with `ConnectionError`, in ms.
   * @default 5000
   */
  connectTimeout?: number | undefined;
}

/** Limits held across every worker of a queue, in core's shapes. */
export interface FleetLimits {
  /** Exchanges running at once in the whole fleet (BullMQ's global concurrency). */
  maxWorkers?: number | undefined;
  /** Sliding windows for the whole fleet: at most `limit` exchanges begin within any `interval` ms. */
  rateLimit?: RateLimit | RateLimit[] | undefined;
  /** Applied to each origin separately, fleet-wide. */
  perOrigin?: OriginLimits | undefined;
  /** Per-origin overrides of `perOrigin`, field by field (keys parsed with `new URL(key).origin`). */
  origins?: Record<string, OriginLimits> | undefined;
  /**
   * Longest fleet-wide pause a `Retry-After` (on a 429 or 503) may cause, in ms.
   * @default 60000
   */
  maxRetryAfter?: number | undefined;
}

/** Options of `startWorker()`. */
export interface WorkerOptions extends QueueOptions {
  /** The transport that does the exchanges, such as `undiciAdapter()`. Not closed by `close()`. */
  adapter: Adapter;
  /**
   * Exchanges this process runs at once.
   * @default 16
   */
  concurrency?: number | undefined;
  /** Fleet-wide limits. The last worker to start sets `maxWorkers` for the queue. */
  limits?: FleetLimits | undefined;
  /**
   * How long a job's lock lasts without renewal, in ms: a killed worker's exchanges run again (or
   * fail, if not idempotent) about this long plus `stalledInterval` after its death.
   * @default 4000
   */
  lockDuration?: number | undefined;
  /**
   * How often workers look for jobs whose worker died, in ms.
   * @default 2000
   */
  stalledInterval?: number | undefined;
  /**
   * How long `startWorker()` waits for Redis before failing with `ConnectionError`, in ms.
   * @default 5000
   */
  connectTimeout?: number | undefined;
}

/** Checks the options both sides share; a `TypeError` names the option. */
export function checkQueueOptions(
  options: unknown,
  caller: string,
): Required<Pick<QueueOptions, 'prefix'>> & QueueOptions {
  if (typeof options !== 'object' || options === null) {
    throw new TypeError(`${caller}(options) takes an options object: { connection, queue, ... }`);
  }
  const { connection, queue, prefix = 'asynchttp' } = options as QueueOptions;
  if (typeof connection === 'string') {
    let url: URL | undefined;
    try {
      url = new URL(connection);
    } catch {}
    if (url === undefined || (url.protocol !== 'redis:' && url.protocol !== 'rediss:')) {
      throw new TypeError(
        `${caller}: connection must be a redis:// or rediss:// URL or ioredis options, got ${JSON.stringify(connection)}`,
      );
    }
  } else if (typeof connection !== 'object' || connection === null || Array.isArray(connection)) {
    throw new TypeError(
      `${caller}: connection is required: ioredis options ({ host, port, ... }) or a redis:// URL (there is no default)`,
    );
  }
  if (typeof queue !== 'string' || queue === '' || queue.includes(':')) {
    throw new TypeError(`${caller}: queue is required: a non-empty name without ':', got ${describe(queue)}`);
  }
  if (typeof prefix !== 'string' || prefix === '') {
    throw new TypeError(`${caller}: prefix must be a non-empty string, got ${describe(prefix)}`);
  }
  return { connection, queue, prefix };
}

/** A positive integer (or `Infinity` where allowed), else a `RangeError` naming `path`. */
export function checkCount(value: unknown, path: string, infinite = false): number | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'number')
    throw new TypeError(`${path} must be a positive integer, got ${describe(value)}`);
  if (infinite && value === Number.POSITIVE_INFINITY) return value;
  if (!Number.isInteger(value) || value < 1) {
    throw new RangeError(`${path} must be a positive integer${infinite ? ' or Infinity' : ''}, got ${value}`);
  }
  return value;
}

/** Checks `limits` once; returns rate windows as arrays. */
export function checkLimits(limits: unknown): NormalLimits {
  if (limits === undefined) return { origins: new Map(), maxRetryAfter: 60_000 };
  if (typeof limits !== 'object' || limits === null) {
    throw new TypeError(
      `limits must be an object { maxWorkers, rateLimit, perOrigin, origins }, got ${describe(limits)}`,
    );
  }
  const given = limits as FleetLimits;
  const origins = new Map<string, NormalOriginLimits>();
  if (given.origins !== undefined) {
    if (typeof given.origins !== 'object' || given.origins === null) {
      throw new TypeError(`limits.origins must be an object keyed by origin, got ${describe(given.origins)}`);
    }
    for (const [key, value] of Object.entries(given.origins)) {
      let origin: string | undefined;
      try {
        const url = new URL(key);
        if (url.protocol === 'http:' || url.protocol === 'https:') origin = url.origin;
      } catch {}
      if (origin === undefined)
        throw new TypeError(`limits.origins: "${key}" is not an absolute http(s) URL`);
      origins.set(origin, checkOrigin(value, `limits.origins["${key}"]`));
    }
  }
  const normal: NormalLimits = {
    maxWorkers: checkCount(given.maxWorkers, 'limits.maxWorkers', true),
    rateLimit: checkRates(given.rateLimit, 'limits.rateLimit'),
    origins,
    maxRetryAfter: given.maxRetryAfter ?? 60_000,
  };
  if (given.perOrigin !== undefined) normal.perOrigin = checkOrigin(given.perOrigin, 'limits.perOrigin');
  if (typeof normal.maxRetryAfter !== 'number' || !(normal.maxRetryAfter >= 0)) {
    throw new RangeError(
      `limits.maxRetryAfter must be a number of ms >= 0, got ${describe(given.maxRetryAfter)}`,
    );
  }
  return normal;
}

export interface NormalOriginLimits {
  maxWorkers?: number | undefined;
  rateLimit?: RateLimit[] | undefined;
}

export interface NormalLimits extends NormalOriginLimits {
  perOrigin?: NormalOriginLimits | undefined;
  origins: Map<string, NormalOriginLimits>;
  maxRetryAfter: number;
}

function checkOrigin(value: unknown, path: string): NormalOriginLimits {
  if (typeof value !== 'object' || value === null) {
    throw new TypeError(`${path} must be an object { maxWorkers?, rateLimit? }, got ${describe(value)}`);
  }
  const { maxWorkers, rateLimit } = value as OriginLimits;
  return {
    maxWorkers: checkCount(maxWorkers, `${path}.maxWorkers`, true),
    rateLimit: checkRates(rateLimit, `${path}.rateLimit`),
  };
}

function checkRates(value: unknown, path: string): RateLimit[] | undefined {
  if (value === undefined) return undefined;
  const list = Array.isArray(value) ? value : [value];
  return list.map((each, index) => {
    const at = Array.isArray(value) ? `${path}[${index}]` : path;
    if (typeof each !== 'object' || each === null) {
      throw new TypeError(`${at} must be { limit, interval }, got ${describe(each)}`);
    }
    const { limit, interval } = each as RateLimit;
    checkCount(limit, `${at}.limit`);
    if (limit === undefined) throw new TypeError(`${at}.limit is required`);
    checkCount(interval, `${at}.interval`);
    if (interval === undefined) throw new TypeError(`${at}.interval is required`);
    return { limit, interval };
  });
}

export function describe(value: unknown): string {
  if (value === null) return 'null';
  if (typeof value === 'string') return JSON.stringify(value);
  if (typeof value === 'object') return Array.isArray(value) ? 'an array' : 'an object';
  return typeof value === 'undefined' ? 'undefined' : `${typeof value} ${String(value)}`;
}
