import type { AdapterRequest, AdapterResponse } from '../adapter.js';
import { isAsyncHttpError } from '../errors/async-http-error.js';
import { ConnectionError } from '../errors/connection-error.js';
import { failureReason } from '../errors/failure-reason.js';
import { neverRetried } from '../retry.js';
import { isReadableStream } from '../upload.js';
import { describe } from '../validate.js';
import type { Interceptor, Send } from './types.js';

/**
 * The user's interceptors composed over the adapter's `send`, in array order (the first sees the
 * request first and the response last), once per client. Each level gets a fresh plain request with
 * its own `headers` array, so a change never leaks into another attempt or level; each level's answer
 * is checked like an adapter's, and a foreign error becomes a `ConnectionError` that names the level.
 */
export function composeInterceptors(interceptors: readonly Interceptor[], send: Send, adapter: string): Send {
  let below: Send = guarded(send, `the ${adapter} adapter`);
  for (let index = interceptors.length - 1; index >= 0; index--) {
    const name = `interceptor ${index}`;
    let made: unknown;
    try {
      made = interceptors[index]!(below);
    } catch (error) {
      made = () => Promise.reject(error);
    }
    below =
      typeof made === 'function'
        ? guarded(made as Send, name)
        : () =>
            Promise.reject(
              neverRetried(
                new ConnectionError(
                  `${capitalize(name)} is not an interceptor: (next) => send must return a function, got ${describe(made)}`,
                ),
              ),
            );
  }
  return below;
}

/** `interceptors` as given to `new Http()`: an array of functions, else a `TypeError` naming the index. */
export function checkInterceptors(value: unknown): readonly Interceptor[] {
  if (value === undefined) return [];
  if (!Array.isArray(value)) {
    throw new TypeError(`interceptors must be an array of functions (next) => send, got ${describe(value)}`);
  }
  value.forEach((each, index) => {
    if (typeof each !== 'function') {
      throw new TypeError(`interceptors[${index}] must be a function (next) => send, got ${describe(each)}`);
    }
  });
  return [...value];
}

function guarded(send: Send, name: string): Send {
  return async (request) => {
    const copy = freshRequest(request, name);
    let result: AdapterResponse;
    try {
      result = await send(copy);
    } catch (error) {
      if (isAsyncHttpError(error)) throw error;
      if (copy.signal.aborted && isAsyncHttpError(copy.signal.reason)) throw copy.signal.reason;
      throw new ConnectionError(`${capitalize(name)} failed: ${failureReason(error)}`, { cause: error });
    }
    checkAdapterResponse(result, name);
    return result;
  };
}

/** A plain copy of what the level above passed on, checked so a broken interceptor is named. */
function freshRequest(request: AdapterRequest, name: string): AdapterRequest {
  if (
    typeof request !== 'object' ||
    request === null ||
    !(request.url instanceof URL) ||
    typeof request.method !== 'string' ||
    !Array.isArray(request.headers)
  ) {
    throw neverRetried(
      new ConnectionError(
        `The request passed to ${name} is not an AdapterRequest (needs url: URL, method and header pairs)`,
      ),
    );
  }
  const copy: AdapterRequest = {
    url: request.url,
    method: request.method,
    headers: request.headers.map(([key, value]) => [key, value]),
    body: request.body,
    signal: request.signal,
    maxResponseBytes: request.maxResponseBytes,
    started: request.started,
    stream: request.stream,
  };
  return copy;
}

/** Throws a `ConnectionError` naming `name` unless `result` has the shape of an `AdapterResponse`. */
export function checkAdapterResponse(result: AdapterResponse, name: string): void {
  if (
    typeof result !== 'object' ||
    result === null ||
    !Number.isInteger(result.status) ||
    result.status < 100 ||
    result.status > 999 ||
    !Array.isArray(result.headers) ||
    !(result.body instanceof Uint8Array || isReadableStream(result.body))
  ) {
    // A broken adapter or interceptor answers the same way every time: retrying would only multiply it.
    throw neverRetried(
      new ConnectionError(
        `${capitalize(name)} returned an invalid response (needs an integer status, header pairs and a Uint8Array or ReadableStream body)`,
      ),
    );
  }
}

function capitalize(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}
