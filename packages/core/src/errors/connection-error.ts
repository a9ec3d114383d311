import { AsyncHttpError, type AsyncHttpErrorOptions } from './async-http-error.js';

/** Options of `new ConnectionError(message, options)`. */
export interface ConnectionErrorOptions extends AsyncHttpErrorOptions {
  /**
   * Set by an adapter that knows the attempt ran on a kept-alive connection reused from an earlier
   * exchange, and that the connection closed before any byte of this response arrived. That is the one
   * failure core retries once whatever the retry settings; leave it unset when unsure.
   * @default false
   */
  staleConnection?: boolean;
}

/** The connection failed: refused, reset, DNS, TLS, or closed before the response was complete. */
export class ConnectionError extends AsyncHttpError {
  override name = 'ConnectionError';
  override readonly code: string = 'ERR_ASYNCHTTP_CONNECTION';
  /**
   * `true` when the adapter reported a reused kept-alive connection that the server had closed before
   * any response byte arrived (the request never reached the server's application, so it is safe to
   * send again). `false` when it did not, or could not tell.
   */
  readonly staleConnection: boolean;

  constructor(message: string, options?: ConnectionErrorOptions) {
    super(message, options);
    this.staleConnection = options?.staleConnection === true;
  }
}
