import {
  type AbortTarget,
  type AdapterRequest,
  abortTarget,
  CancelledError,
  ConnectionError,
  failureReason,
  InvalidRequestError,
  isAsyncHttpError,
  TimeoutError,
} from '@asynchttp/core';
import { isStaleConnection } from './stale.js';

/** The abort reason when core gave one (its `CancelledError` or `TimeoutError`), else a `CancelledError`. */
export function abortError(signal: AbortTarget): unknown {
  const { reason } = signal;
  if (isAsyncHttpError(reason)) return reason;
  return new CancelledError('Request aborted', { cause: reason });
}

/** Maps what undici (or Node's sockets under it) threw to core's errors, the original as `cause`. */
export function toCoreError(error: unknown, request: AdapterRequest): unknown {
  const target = abortTarget(request);
  if (target.aborted) return abortError(target);
  if (isAsyncHttpError(error)) return error;
  const code = (error as { code?: unknown } | null)?.code;
  // The reason may sit deeper than the error undici rejected with (a TLS or socket error as `cause`).
  const reason = failureReason(error);
  const detail = `${reason}${typeof code === 'string' ? ` (${code})` : ''}: ${request.method} ${request.url.href}`;
  const options = { cause: error, request: { method: request.method, url: request.url.href } };
  switch (code) {
    case 'UND_ERR_HEADERS_TIMEOUT':
    case 'UND_ERR_BODY_TIMEOUT':
    case 'UND_ERR_CONNECT_TIMEOUT':
    case 'ETIMEDOUT':
      return new TimeoutError(`undici timed out: ${detail}`, options);
    case 'UND_ERR_ABORTED':
      return new CancelledError(`undici aborted the request: ${detail}`, options);
    case 'UND_ERR_INVALID_ARG':
    case 'UND_ERR_NOT_SUPPORTED':
      return new InvalidRequestError(`undici refused the request: ${detail}`, options);
    default:
      // UND_ERR_SOCKET, UND_ERR_CLOSED, ECONNREFUSED, ECONNRESET, EPIPE, ENOTFOUND, TLS and certificate
      // errors, a body shorter than its content-length: the connection did not deliver.
      return new ConnectionError(`undici connection failed: ${detail}`, {
        ...options,
        staleConnection: isStaleConnection(error),
      });
  }
}
