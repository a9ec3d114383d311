import { AsyncHttpError } from './async-http-error.js';

/** A synchronous getter was read before the request settled: await the promise object first. */
export class NotReadyError extends AsyncHttpError {
  override name = 'NotReadyError';
  override readonly code: string = 'ERR_ASYNCHTTP_NOT_READY';
}
