import { describe } from '../validate.js';
import type { RateLimit } from './rate-window.js';

/** Limits of one origin (`perOrigin`, or an entry of `origins`). */
export interface OriginLimits {
  /** Requests of this origin (by their first hop) running at once: a positive integer or `Infinity`. */
  readonly maxWorkers?: number | undefined;
  /** Exchanges per window sent to this origin (retries, redirect hops and credential round trips count). */
  readonly rateLimit?: RateLimit | readonly RateLimit[] | undefined;
}

/** Limits of named origins, keyed by anything `new URL(key).origin` reads (`'https://api.example'`). */
export type OriginsLimits = Readonly<Record<string, OriginLimits>>;

/** Limits with every field decided, for one scope (the client, or one origin). */
export interface ResolvedLimits {
  readonly maxWorkers: number;
  readonly rateLimits: readonly RateLimit[];
}

const unlimited: ResolvedLimits = { maxWorkers: Number.POSITIVE_INFINITY, rateLimits: [] };

/** `rateLimit` as given: one `RateLimit`, an array of them, or `undefined`. Errors name `path`. */
export function checkRateLimits(value: unknown, path: string): readonly RateLimit[] {
  if (value === undefined) return [];
  const list = Array.isArray(value) ? value : [value];
  if (Array.isArray(value) && value.length === 0) {
    throw new RangeError(`${path} must hold at least one { limit, interval }, got an empty array`);
  }
  return list.map((each, index) => {
    const at = Array.isArray(value) ? `${path}[${index}]` : path;
    if (typeof each !== 'object' || each === null) {
      throw new TypeError(`${at} must be { limit, interval }, got ${describe(each)}`);
    }
    const { limit, interval, ...rest } = each as Record<string, unknown>;
    const unknown = Object.keys(rest);
    if (unknown.length > 0) {
      throw new TypeError(`${at} has an unknown field "${unknown[0]}": a RateLimit is { limit, interval }`);
    }
    if (limit === undefined || interval === undefined) {
      throw new TypeError(`${at} needs both limit (exchanges) and interval (ms), got ${describe(each)}`);
    }
    if (!Number.isSafeInteger(limit) || (limit as number) <= 0) {
      throw new RangeError(`${at}.limit must be a positive integer, got ${describe(limit)}`);
    }
    if (typeof interval !== 'number' || !Number.isFinite(interval) || interval <= 0) {
      throw new RangeError(`${at}.interval must be a positive number of ms, got ${describe(interval)}`);
    }
    return { limit: limit as number, interval };
  });
}

/** A concurrency limit: a positive integer or `Infinity`. Errors name `path`. */
export function checkWorkers(value: unknown, path: string): number {
  if (value === Number.POSITIVE_INFINITY || (Number.isSafeInteger(value) && (value as number) > 0)) {
    return value as number;
  }
  throw new RangeError(`${path} must be a positive integer or Infinity, got ${describe(value)}`);
}

/** `perOrigin` (or an `origins` entry) as given, checked; errors name `path`. */
export function checkOriginLimits(value: unknown, path: string): OriginLimits {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new TypeError(`${path} must be an object { maxWorkers?, rateLimit? }, got ${describe(value)}`);
  }
  const { maxWorkers, rateLimit, ...rest } = value as Record<string, unknown>;
  const unknown = Object.keys(rest);
  if (unknown.length > 0) {
    throw new TypeError(`${path} has an unknown field "${unknown[0]}": it takes maxWorkers and rateLimit`);
  }
  const checked: { maxWorkers?: number; rateLimit?: readonly RateLimit[] } = {};
  if (maxWorkers !== undefined) checked.maxWorkers = checkWorkers(maxWorkers, `${path}.maxWorkers`);
  if (rateLimit !== undefined) checked.rateLimit = checkRateLimits(rateLimit, `${path}.rateLimit`);
  return checked;
}

/** `origins` as given: keys parsed to origins (absolute http(s) URLs only), values checked. */
export function checkOrigins(value: unknown): ReadonlyMap<string, OriginLimits> {
  const origins = new Map<string, OriginLimits>();
  if (value === undefined) return origins;
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new TypeError(`origins must be an object keyed by origin, got ${describe(value)}`);
  }
  for (const key of Object.keys(value)) {
    let origin: string | undefined;
    try {
      const url = new URL(key);
      if (url.protocol === 'http:' || url.protocol === 'https:') origin = url.origin;
    } catch {
      origin = undefined;
    }
    if (origin === undefined) {
      throw new TypeError(
        `origins[${JSON.stringify(key)}]: the key must be an absolute http(s) URL such as "https://api.example"`,
      );
    }
    origins.set(
      origin,
      checkOriginLimits((value as Record<string, unknown>)[key], `origins[${JSON.stringify(key)}]`),
    );
  }
  return origins;
}

/** The limits of `origin`: its `origins` entry over `perOrigin`, field by field. */
export function resolveOrigin(
  origin: string,
  perOrigin: OriginLimits | undefined,
  origins: ReadonlyMap<string, OriginLimits>,
): ResolvedLimits {
  const own = origins.get(origin);
  if (perOrigin === undefined && own === undefined) return unlimited;
  const maxWorkers = own?.maxWorkers ?? perOrigin?.maxWorkers ?? Number.POSITIVE_INFINITY;
  const rateLimits = (own?.rateLimit ?? perOrigin?.rateLimit ?? []) as readonly RateLimit[];
  return { maxWorkers, rateLimits };
}
