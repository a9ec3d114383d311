import { AsyncHttpError } from './async-http-error.js';

/** The request was cancelled with `cancel()`, its `signal`, or `close({ cancelPending: true })`. */
export class CancelledError extends AsyncHttpError {
  override name = 'CancelledError';
  override readonly code: string = 'ERR_ASYNCHTTP_CANCELLED';
}
