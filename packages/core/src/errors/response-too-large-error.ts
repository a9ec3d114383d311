import { AsyncHttpError, type AsyncHttpErrorOptions } from './async-http-error.js';

/** Options of `ResponseTooLargeError`. */
export interface ResponseTooLargeErrorOptions extends AsyncHttpErrorOptions {
  /** The limit that was passed, in bytes. */
  limit?: number | undefined;
}

/** The (decoded) body is larger than `maxResponseBytes`, or its compression ratio is implausible. */
export class ResponseTooLargeError extends AsyncHttpError {
  override name = 'ResponseTooLargeError';
  override readonly code: string = 'ERR_ASYNCHTTP_RESPONSE_TOO_LARGE';
  /** The limit that was passed, in bytes. */
  readonly limit: number | undefined;

  constructor(message: string, options?: ResponseTooLargeErrorOptions) {
    super(message, options);
    this.limit = options?.limit;
  }
}
