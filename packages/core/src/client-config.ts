import type { Adapter } from './adapter.js';
import type { CacheStore } from './cache/store.js';
import { errorMessage } from './format-error.js';
import { debugLogger, guardLogger, type Logger, silentLogger } from './logger.js';
import { defaults, type HttpOptions, unknownHttpOption } from './options.js';
import { checkInterceptors } from './pipeline/interceptors.js';
import type { Interceptor } from './pipeline/types.js';
import { withAcceptEncoding } from './prepare.js';
import { type HeaderPairs, normalizeHeaders } from './request.js';
import { type RetryPolicy, retryPolicy } from './retry.js';
import { defaultTimers, type Timers } from './timers.js';
import {
  checkBoolean,
  checkCount,
  checkMaxWorkers,
  checkPositiveInteger,
  checkTimeout,
  describe,
} from './validate.js';

const adapterPackages =
  '@asynchttp/undici (undiciAdapter), @asynchttp/axios (axiosAdapter) or @asynchttp/fetch (fetchAdapter)';

/** `new Http(options)` checked and with every default filled in, once (ky's `validateAndMerge`). */
export interface ClientConfig {
  adapter: Adapter;
  maxWorkers: number;
  timeout: number;
  redirections: number;
  forceExceptionToStatusCode: boolean;
  followRedirects: boolean;
  followAllRedirects: boolean;
  retry: RetryPolicy;
  maxResponseBytes: number;
  maxCompressionRatio: number;
  /** Default headers, and the same with `accept-encoding`, made once. */
  headers: HeaderPairs;
  sentHeaders: HeaderPairs;
  logger: Logger;
  timers: Timers;
  captureCallSite: boolean;
  cache: CacheStore | undefined;
  interceptors: readonly Interceptor[];
  pauseOnRetryAfter: boolean;
}

/** Checks `new Http(options)`: a `TypeError` or `RangeError` that names the option, else the config. */
export function resolveHttpOptions(options: HttpOptions): ClientConfig {
  if (typeof options !== 'object' || options === null) {
    throw new TypeError(
      `new Http(options) takes an options object with an adapter, got ${describe(options)}`,
    );
  }
  const unknown = unknownHttpOption(options);
  if (unknown !== undefined) throw new TypeError(unknown);
  const { adapter } = options;
  if (adapter === undefined || adapter === null) {
    throw new TypeError(
      `new Http() needs an adapter: install one of ${adapterPackages} and pass it as { adapter: undiciAdapter() }`,
    );
  }
  if (typeof adapter !== 'object' || typeof adapter.send !== 'function') {
    throw new TypeError(
      `The adapter must be an object with a send(request) method, such as undiciAdapter() from ${adapterPackages}`,
    );
  }
  let headers: HeaderPairs;
  try {
    headers = normalizeHeaders(options.headers);
  } catch (error) {
    throw new TypeError(`Invalid default headers: ${errorMessage(error)}`, { cause: error });
  }
  const { logger, cache } = options;
  if (logger !== undefined && logger !== false && !hasMethods(logger, ['debug', 'info', 'warn', 'error'])) {
    throw new TypeError('logger must be an object with debug, info, warn and error methods, or false');
  }
  if (cache !== undefined && !hasMethods(cache, ['get', 'set', 'delete'])) {
    throw new TypeError(
      'cache must be a CacheStore (get, set and delete methods): new MemoryCacheStore(), or FileCacheStore from @asynchttp/core/file-cache',
    );
  }
  return {
    adapter,
    maxWorkers: checkMaxWorkers(option(options.maxWorkers, defaults.maxWorkers)),
    timeout: checkTimeout(option(options.timeout, defaults.timeout)),
    redirections: checkCount(option(options.redirections, defaults.redirections), 'redirections'),
    forceExceptionToStatusCode: checkBoolean(
      option(options.forceExceptionToStatusCode, false),
      'forceExceptionToStatusCode',
    ),
    followRedirects: checkBoolean(option(options.followRedirects, true), 'followRedirects'),
    followAllRedirects: checkBoolean(option(options.followAllRedirects, false), 'followAllRedirects'),
    retry: retryPolicy(options.retry),
    maxResponseBytes: checkPositiveInteger(
      option(options.maxResponseBytes, defaults.maxResponseBytes),
      'maxResponseBytes',
    ),
    maxCompressionRatio: checkPositiveInteger(
      option(options.maxCompressionRatio, defaults.maxCompressionRatio),
      'maxCompressionRatio',
    ),
    headers,
    sentHeaders: withAcceptEncoding(headers),
    logger: logger === false ? silentLogger : logger === undefined ? debugLogger : guardLogger(logger),
    timers: options.timers ?? defaultTimers,
    captureCallSite: options.captureCallSite !== false,
    cache,
    interceptors: checkInterceptors(options.interceptors),
    pauseOnRetryAfter: checkBoolean(option(options.pauseOnRetryAfter, true), 'pauseOnRetryAfter'),
  };
}

/** A default of `undefined` only: `null` and other wrong values reach the checks. */
function option<T>(value: T | undefined, fallback: T): T {
  return value === undefined ? fallback : value;
}

function hasMethods(value: unknown, methods: readonly string[]): boolean {
  if (typeof value !== 'object' || value === null) return false;
  return methods.every((method) => typeof (value as Record<string, unknown>)[method] === 'function');
}
