import {
  type AdapterRequest,
  abortTarget,
  CancelledError,
  ConnectionError,
  failureReason,
  InvalidRequestError,
  isAsyncHttpError,
  ResponseTooLargeError,
  TimeoutError,
} from '@asynchttp/core';
import { isAxiosError } from 'axios';

// Codes that mean the request itself could not be built or sent as given, not that the network failed.
const invalidRequestCodes = new Set([
  'ERR_BAD_OPTION',
  'ERR_BAD_OPTION_VALUE',
  'ERR_BAD_REQUEST',
  'ERR_INVALID_URL',
  'ERR_NOT_SUPPORT',
  'ERR_INVALID_HTTP_TOKEN',
  'ERR_INVALID_CHAR',
  'ERR_HTTP_INVALID_HEADER_VALUE',
  'ERR_UNESCAPED_CHARACTERS',
]);

/**
 * Turns what `instance.request()` rejected with into core's error, the original as `cause`.
 * An aborted signal wins, because core put the error it expects (timeout or cancel) in `signal.reason`.
 */
export function toCoreError(error: unknown, request: AdapterRequest): unknown {
  const signal = abortTarget(request);
  const info = { method: request.method, url: request.url.href };
  if (signal.aborted) {
    return isAsyncHttpError(signal.reason)
      ? signal.reason
      : new CancelledError(`Request cancelled: ${info.method} ${info.url}`, { cause: error, request: info });
  }
  // An interceptor's own error (or one already mapped) is the user's; core wraps foreign ones itself.
  if (!isAxiosError(error)) return error;
  const code = error.code ?? '';
  // Axios may leave its message empty (an AggregateError from Node's happy eyeballs) or generic.
  const message = `${failureReason(error)}: ${info.method} ${info.url}`;
  if (code === 'ERR_CANCELED')
    return new CancelledError(`Request cancelled by axios: ${message}`, { cause: error, request: info });
  if (code === 'ECONNABORTED' || code === 'ETIMEDOUT')
    return new TimeoutError(message, { cause: error, request: info });
  if (code === 'ERR_BAD_RESPONSE' && error.message.includes('maxContentLength')) {
    return new ResponseTooLargeError(
      `Response body exceeds maxResponseBytes (${request.maxResponseBytes}): ${info.method} ${info.url}`,
      { cause: error, request: info, limit: request.maxResponseBytes },
    );
  }
  if (invalidRequestCodes.has(code)) return new InvalidRequestError(message, { cause: error, request: info });
  // ECONNREFUSED, ECONNRESET, EPIPE, ENOTFOUND, ERR_NETWORK, TLS and certificate codes, a body cut short...
  return new ConnectionError(message, {
    cause: error,
    request: info,
    staleConnection: isStaleConnection(error.request),
  });
}

/**
 * Whether Node's `ClientRequest` under axios ran on a reused keep-alive socket (`reusedSocket`, Node's
 * documented hint for exactly this retry) and failed before its response head was parsed (`res` unset).
 * Anything else (a browser XHR, a custom adapter) is not known to be stale.
 */
function isStaleConnection(request: unknown): boolean {
  if (typeof request !== 'object' || request === null) return false;
  const { reusedSocket, res } = request as { reusedSocket?: unknown; res?: unknown };
  return reusedSocket === true && (res === undefined || res === null);
}
