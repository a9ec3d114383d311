import { AsyncHttpError } from './async-http-error.js';

/** The request was made after `http.close()`. */
export class ClosedError extends AsyncHttpError {
  override name = 'ClosedError';
  override readonly code: string = 'ERR_ASYNCHTTP_CLOSED';
}
