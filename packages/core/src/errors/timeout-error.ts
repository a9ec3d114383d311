import { AsyncHttpError } from './async-http-error.js';

/** An attempt took longer than `timeout` ms, counted from the moment a worker took the request. */
export class TimeoutError extends AsyncHttpError {
  override name = 'TimeoutError';
  override readonly code: string = 'ERR_ASYNCHTTP_TIMEOUT';
}
