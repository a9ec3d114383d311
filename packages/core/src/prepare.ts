import { acceptEncoding } from './compression.js';
import { AsyncHttpError } from './errors/async-http-error.js';
import { InvalidRequestError } from './errors/invalid-request-error.js';
import { errorMessage, formatError } from './format-error.js';
import { type RequestOptions, unknownRequestOption } from './options.js';
import {
  checkUrl,
  encodeBody,
  type HeaderPairs,
  hasHeader,
  mergeHeaders,
  normalizeHeaders,
  normalizeMethod,
} from './request.js';
import type { RequestTask } from './request-task.js';
import { type RetryPolicy, retryPolicy } from './retry.js';
import { checkCount, checkTimeout, describe } from './validate.js';

/** What a request takes from its client unless its options say otherwise (read live: settable). */
export interface RequestDefaults {
  readonly timeout: number;
  readonly redirections: number;
  readonly retry: RetryPolicy;
  readonly headers: HeaderPairs;
  /** `headers` with `accept-encoding`, made once. */
  readonly sentHeaders: HeaderPairs;
}

/**
 * Reads and checks the caller's input into `task`; returns the priority. Throws whatever the input
 * throws (its getters, `toString`, iterators): `request()` turns that into `InvalidRequestError` with
 * `invalidInput()`. `checkNames` is off for httplib2's positional form, whose options core made.
 */
export function prepareRequest<T>(
  task: RequestTask<T>,
  uri: unknown,
  options: RequestOptions<T> | undefined,
  checkNames: boolean,
  defaults: RequestDefaults,
): number | undefined {
  task.url = checkUrl(uri);
  task.timeout = defaults.timeout;
  task.redirections = defaults.redirections;
  task.retry = defaults.retry;
  if (options === undefined) {
    task.headers = defaults.sentHeaders;
    return undefined;
  }
  if (typeof options !== 'object' || options === null) {
    throw new InvalidRequestError(`Request options must be an object, got ${describe(options)}`);
  }
  if (checkNames) {
    const unknown = unknownRequestOption(options);
    if (unknown !== undefined) throw new InvalidRequestError(unknown);
  }
  task.method = normalizeMethod(options.method);
  const own = normalizeHeaders(options.headers);
  let headers =
    own.length === 0 ? defaults.sentHeaders : withAcceptEncoding(mergeHeaders(defaults.headers, own));
  const encoded = encodeBody(options.body, options.json, 'json' in options && options.json !== undefined);
  if (encoded !== undefined) {
    task.body = encoded.bytes;
    if (encoded.contentType !== undefined && !hasHeader(headers, 'content-type')) {
      headers = [...headers, ['content-type', encoded.contentType]];
    }
    if (encoded.contentLength !== undefined && !hasHeader(headers, 'content-length')) {
      headers = [...headers, ['content-length', String(encoded.contentLength)]];
    }
  }
  task.headers = headers;
  const { callback, signal, priority, timeout, redirections, retry, stream } = options;
  if (stream !== undefined && typeof stream !== 'boolean') {
    throw new InvalidRequestError(`stream must be a boolean, got ${describe(stream)}`);
  }
  task.stream = stream === true;
  if (callback !== undefined && typeof callback !== 'function') {
    throw new InvalidRequestError(`callback must be a function, got ${describe(callback)}`);
  }
  task.callback = callback;
  if (signal !== undefined && !isAbortSignal(signal)) {
    throw new InvalidRequestError('signal must be an AbortSignal');
  }
  task.signal = signal;
  if (priority !== undefined && !Number.isFinite(priority)) {
    throw new InvalidRequestError(`priority must be a finite number, got ${describe(priority)}`);
  }
  try {
    if (timeout !== undefined) task.timeout = checkTimeout(timeout);
    if (redirections !== undefined) task.redirections = checkCount(redirections, 'redirections');
    if (retry !== undefined) task.retry = retryPolicy(retry);
  } catch (error) {
    throw new InvalidRequestError(errorMessage(error), { cause: error });
  }
  return priority;
}

/** `accept-encoding` added unless the caller set one (httplib2), or asked for a range. */
export function withAcceptEncoding(headers: HeaderPairs): HeaderPairs {
  // A range of an encoded body is a range of the encoding: leave such requests as the caller made them.
  if (hasHeader(headers, 'accept-encoding') || hasHeader(headers, 'range')) return headers;
  return [...headers, ['accept-encoding', acceptEncoding]];
}

/**
 * What the caller's input threw while read, as the request's failure: core's own errors as they are,
 * anything else (a getter, `toString` or iterator of the caller's objects) as `InvalidRequestError`.
 */
export function invalidInput(error: unknown): unknown {
  if (isOwnError(error)) return error;
  return new InvalidRequestError(`Reading the request's input threw: ${formatError(error)}`, {
    cause: error,
  });
}

/**
 * Listens to the caller's `signal`; false when the request is already settled by it. A signal-like
 * object that throws fails the request instead of escaping `request()`.
 */
export function listen(task: RequestTask<any>, signal: AbortSignal): boolean {
  try {
    if (signal.aborted) {
      task.cancel(signal.reason);
      return false;
    }
    signal.addEventListener('abort', task, { once: true });
    return true;
  } catch (error) {
    task.fail(new InvalidRequestError(`signal threw when used: ${formatError(error)}`, { cause: error }));
    return false;
  }
}

/** `instanceof AsyncHttpError`, false for a value (a Proxy) that throws when asked. */
function isOwnError(error: unknown): boolean {
  try {
    return error instanceof AsyncHttpError;
  } catch {
    return false;
  }
}

function isAbortSignal(value: unknown): value is AbortSignal {
  return (
    typeof value === 'object' &&
    value !== null &&
    typeof (value as AbortSignal).aborted === 'boolean' &&
    typeof (value as AbortSignal).addEventListener === 'function'
  );
}
