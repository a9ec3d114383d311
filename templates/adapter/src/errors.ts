import {
  type AdapterRequest,
  ConnectionError,
  failureReason,
  isAsyncHttpError,
  TimeoutError,
} from '@asynchttp/core';

// Timeouts raised by the operating system or Node itself; core's own timeout arrives through the signal.
// TODO(__NAME__): add the codes __NAME__ uses for its timeouts, if it has any.
const TIMEOUT_CODES = new Set(['ETIMEDOUT', 'ESOCKETTIMEDOUT', 'ERR_SOCKET_CONNECTION_TIMEOUT']);

/**
 * Maps a transport failure to core's errors, keeping the original as `cause`. Every other failure the
 * transport reports (refused, reset, DNS, TLS, a malformed response) is a `ConnectionError`.
 */
export function toCoreError(error: unknown, request: AdapterRequest): Error {
  if (isAsyncHttpError(error)) return error;
  const info = { method: request.method, url: request.url.href };
  const code = (error as { code?: unknown } | null)?.code;
  // The root of the cause chain too: runtimes often wrap the useful part (`connect ECONNREFUSED ...`).
  const detail = failureReason(error);
  if (typeof code === 'string' && TIMEOUT_CODES.has(code)) {
    return new TimeoutError(`Connection timed out (${detail}): ${info.method} ${info.url}`, {
      cause: error,
      request: info,
    });
  }
  return new ConnectionError(`Connection failed (${detail}): ${info.method} ${info.url}`, {
    cause: error,
    request: info,
  });
}
