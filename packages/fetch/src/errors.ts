import {
  type AdapterRequest,
  abortTarget,
  CancelledError,
  ConnectionError,
  DecompressionError,
  failureReason,
  isAsyncHttpError,
  TimeoutError,
} from '@asynchttp/core';
import { isStaleConnection } from './stale.js';

// Node's fetch (undici) puts the socket's error code on `cause`; these mean the network gave up waiting.
const timeoutCodes = new Set([
  'UND_ERR_CONNECT_TIMEOUT',
  'UND_ERR_HEADERS_TIMEOUT',
  'UND_ERR_BODY_TIMEOUT',
  'ETIMEDOUT',
]);

// zlib (`Z_DATA_ERROR`, ...) and brotli (`ERR__ERROR_FORMAT_...`) codes: the runtime's decoding failed.
const decompressionCode = /^(?:Z_|ERR__ERROR_|ERR_BROTLI|ERR_ZSTD|ERR_ZLIB)/;

/**
 * Turns what `fetch()` or the body reader rejected with into core's error, the original as `cause`.
 * An aborted request wins: its `reason` is the error core expects (fetch itself saw only a signal of
 * the adapter's own, and rejected with an `AbortError`).
 */
export function toCoreError(error: unknown, request: AdapterRequest): unknown {
  const info = { method: request.method, url: request.url.href };
  const signal = abortTarget(request);
  if (signal.aborted) {
    return isAsyncHttpError(signal.reason)
      ? signal.reason
      : new CancelledError(`Request cancelled: ${info.method} ${info.url}`, { cause: error, request: info });
  }
  if (isAsyncHttpError(error)) return error;
  // Fetch says only `fetch failed`; the reason (`connect ECONNREFUSED ...`) is at the root of `cause`.
  const message = `${failureReason(error)}: ${info.method} ${info.url}`;
  if (error instanceof Error && error.name === 'AbortError') {
    return new CancelledError(message, { cause: error, request: info });
  }
  const code = causeCode(error);
  if (code !== undefined && timeoutCodes.has(code)) {
    return new TimeoutError(message, { cause: error, request: info });
  }
  // Fetch decodes the body itself, so corrupt compressed data surfaces here as a read failure.
  if (code !== undefined && decompressionCode.test(code)) {
    return new DecompressionError(`Could not decode the response body: ${message}`, {
      cause: error,
      request: info,
    });
  }
  // Fetch reports every network failure (refused, reset, DNS, TLS) as a TypeError, with or without a cause.
  if (error instanceof TypeError) {
    return new ConnectionError(message, {
      cause: error,
      request: info,
      staleConnection: isStaleConnection(error),
    });
  }
  // Anything else came from an injected fetch; core wraps it in ConnectionError itself.
  return error;
}

/** The `code` on the error or on its `cause` (undici nests the socket error one level down). */
function causeCode(error: unknown): string | undefined {
  let current: unknown = error;
  for (let depth = 0; depth < 3 && typeof current === 'object' && current !== null; depth++) {
    const { code } = current as { code?: unknown };
    if (typeof code === 'string') return code;
    current = (current as { cause?: unknown }).cause;
  }
  return undefined;
}
