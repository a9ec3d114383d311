import { isAsyncHttpError } from './errors/async-http-error.js';
import { ConnectionError } from './errors/connection-error.js';
import { TimeoutError } from './errors/timeout-error.js';
import { maxTimerDelay } from './timers.js';
import { checkCount } from './validate.js';

/**
 * When and how often a failed attempt is tried again, in the spirit of got and ky. A retry stays in its
 * worker slot; `timeout` applies to each attempt.
 */
export interface RetryOptions {
  /** Retries after the first attempt. `0` turns retrying off. @default 2 */
  limit?: number | undefined;
  /** Methods that may be retried. @default ['GET', 'HEAD', 'PUT', 'DELETE', 'OPTIONS', 'TRACE'] */
  methods?: readonly string[] | undefined;
  /** Status codes that are retried. @default [408, 429, 500, 502, 503, 504] */
  statusCodes?: readonly number[] | undefined;
  /** Also retry an attempt that timed out. @default false */
  onTimeout?: boolean | undefined;
  /** First backoff in ms; doubles each retry, with jitter (0.5 to 1 times the value). @default 300 */
  delay?: number | undefined;
  /** Cap on one backoff, in ms. @default 10000 */
  backoffLimit?: number | undefined;
  /**
   * Longest `Retry-After` honoured, in ms; a longer one ends retrying and returns the response. A wait
   * past what a timer holds (2^31 - 1 ms, about 24.8 days) is never honoured, whatever this is.
   * @default 60000
   */
  maxRetryAfter?: number | undefined;
}

/** Retry options with every default filled in. */
export type RetryPolicy = Required<RetryOptions>;

const defaultPolicy: RetryPolicy = {
  limit: 2,
  methods: ['GET', 'HEAD', 'PUT', 'DELETE', 'OPTIONS', 'TRACE'],
  statusCodes: [408, 429, 500, 502, 503, 504],
  onTimeout: false,
  delay: 300,
  backoffLimit: 10_000,
  maxRetryAfter: 60_000,
};

/** A number (the limit), `false` / `0` (off), or options over the defaults. Throws `RangeError`. */
export function retryPolicy(input: number | boolean | RetryOptions | undefined): RetryPolicy {
  if (input === undefined || input === true) return defaultPolicy;
  if (input === false) return { ...defaultPolicy, limit: 0 };
  if (typeof input === 'number') return { ...defaultPolicy, limit: checkCount(input, 'retry') };
  if (typeof input !== 'object' || input === null) {
    throw new RangeError('retry must be a number of retries, false, or retry options');
  }
  const policy = { ...defaultPolicy, ...input };
  checkCount(policy.limit, 'retry.limit');
  // delay and backoffLimit become timers, so they must fit one; maxRetryAfter only caps a server's
  // value (Infinity: any), and backoff() never waits past what a timer holds whatever it is.
  for (const name of ['delay', 'backoffLimit'] as const) {
    if (typeof policy[name] !== 'number' || !(policy[name] >= 0 && policy[name] <= maxTimerDelay)) {
      throw new RangeError(
        `retry.${name} must be a number of milliseconds from 0 to ${maxTimerDelay}, got ${String(policy[name])}`,
      );
    }
  }
  if (typeof policy.maxRetryAfter !== 'number' || !(policy.maxRetryAfter >= 0)) {
    throw new RangeError(
      `retry.maxRetryAfter must be a number of milliseconds >= 0 or Infinity, got ${String(policy.maxRetryAfter)}`,
    );
  }
  if (!Array.isArray(policy.methods) || !Array.isArray(policy.statusCodes)) {
    throw new RangeError('retry.methods and retry.statusCodes must be arrays');
  }
  return { ...policy, methods: policy.methods.map((m) => m.toUpperCase()) };
}

// Errors that say the adapter or the request is wrong, not the network: another try gives the same.
const final = new WeakSet<object>();

/** Marks `error` as one that no retry can cure (an invalid adapter response, say), and returns it. */
export function neverRetried<E extends object>(error: E): E {
  final.add(error);
  return error;
}

/** Whether a failed attempt may be retried (the limit is checked by the caller). */
export function retriesError(policy: RetryPolicy, method: string, error: unknown): boolean {
  if (!policy.methods.includes(method)) return false;
  if (typeof error === 'object' && error !== null && final.has(error)) return false;
  if (error instanceof TimeoutError) return policy.onTimeout;
  return error instanceof ConnectionError;
}

/**
 * The backoff before retry number `retry` (1-based): `Retry-After` when given and short enough (within
 * `maxRetryAfter` and a timer's range), else capped exponential backoff with jitter. `undefined` means:
 * do not retry, return the response.
 */
export function backoff(
  policy: RetryPolicy,
  retry: number,
  retryAfter: string | undefined,
  now: number,
  random: () => number = Math.random,
): number | undefined {
  if (retryAfter !== undefined) {
    const wait = parseRetryAfter(retryAfter, now);
    // Past the cap, or past what a timer holds (it would fire at once): the response is returned.
    if (wait !== undefined) return wait > policy.maxRetryAfter || wait > maxTimerDelay ? undefined : wait;
  }
  const exponential = Math.min(policy.backoffLimit, policy.delay * 2 ** (retry - 1));
  return exponential * (0.5 + random() / 2);
}

/** `Retry-After` as ms from `now`: delta-seconds or an HTTP-date. */
export function parseRetryAfter(value: string, now: number): number | undefined {
  const trimmed = value.trim();
  if (/^\d+$/.test(trimmed)) return Number(trimmed) * 1000;
  const date = Date.parse(trimmed);
  return Number.isNaN(date) ? undefined : Math.max(0, date - now);
}

/**
 * Whether `error` is a kept-alive connection the server had closed before this request reached it:
 * httplib2 retried such a request once, whatever its retry settings. Only the adapter can tell (a
 * reused socket, no response byte received), so it is its `staleConnection` marker and nothing else; a
 * reset on a fresh connection or a body cut short may have reached the server and is never resent.
 */
export function isDroppedConnection(error: unknown): boolean {
  // By name too, so a ConnectionError from another copy of core counts.
  if (!(error instanceof ConnectionError) && !(isAsyncHttpError(error) && error.name === 'ConnectionError')) {
    return false;
  }
  if (final.has(error as object)) return false;
  return (error as { staleConnection?: unknown }).staleConnection === true;
}
