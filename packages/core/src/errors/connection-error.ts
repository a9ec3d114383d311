import { AsyncHttpError } from './async-http-error.js';

/** The connection failed: refused, reset, DNS, TLS, or closed before the response was complete. */
export class ConnectionError extends AsyncHttpError {
  override name = 'ConnectionError';
  override readonly code: string = 'ERR_ASYNCHTTP_CONNECTION';
}
