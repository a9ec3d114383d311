import { ConnectionError } from './errors/connection-error.js';
import { TimeoutError } from './errors/timeout-error.js';
import { checkCount } from './options.js';

/**
 * When and how often a failed attempt is tried again, in the spirit of got and ky. A retry stays in its
 * worker slot; `timeout` applies to each attempt.
 */
export interface RetryOptions {
  /** Retries after the first attempt. `0` turns retrying off. @default 2 */
  limit?: number;
  /** Methods that may be retried. @default ['GET', 'HEAD', 'PUT', 'DELETE', 'OPTIONS', 'TRACE'] */
  methods?: readonly string[];
  /** Status codes that are retried. @default [408, 429, 500, 502, 503, 504] */
  statusCodes?: readonly number[];
  /** Also retry an attempt that timed out. @default false */
  onTimeout?: boolean;
  /** First backoff in ms; doubles each retry, with jitter (0.5 to 1 times the value). @default 300 */
  delay?: number;
  /** Cap on one backoff, in ms. @default 10000 */
  backoffLimit?: number;
  /**
   * Longest `Retry-After` honoured, in ms; a longer one ends retrying and returns the response.
   * @default 60000
   */
  maxRetryAfter?: number;
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
  for (const name of ['delay', 'backoffLimit', 'maxRetryAfter'] as const) {
    if (typeof policy[name] !== 'number' || !(policy[name] >= 0)) {
      throw new RangeError(
        `retry.${name} must be a number of milliseconds >= 0, got ${String(policy[name])}`,
      );
    }
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
 * The backoff before retry number `retry` (1-based): `Retry-After` when given and short enough,
 * else capped exponential backoff with jitter. `undefined` means: do not retry.
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
    if (wait !== undefined) return wait > policy.maxRetryAfter ? undefined : wait;
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

// A pooled connection the server had already closed fails before any byte of the response; httplib2
// retried such a request once, whatever its retry settings.
const droppedConnectionCodes = new Set(['ECONNRESET', 'EPIPE', 'UND_ERR_SOCKET', 'ECONNABORTED']);

/** Whether `error` looks like a kept-alive connection that the server dropped. */
export function isDroppedConnection(error: unknown): boolean {
  if (!(error instanceof ConnectionError) || final.has(error)) return false;
  for (let cause: unknown = error.cause, depth = 0; cause !== undefined && depth < 4; depth++) {
    const code = (cause as { code?: unknown }).code;
    if (typeof code === 'string' && droppedConnectionCodes.has(code)) return true;
    if (/socket hang up|other side closed/i.test(String((cause as Error).message))) return true;
    cause = (cause as { cause?: unknown }).cause;
  }
  return false;
}
