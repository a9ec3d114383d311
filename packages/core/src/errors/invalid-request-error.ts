import { AsyncHttpError } from './async-http-error.js';

/** The request cannot be sent: not an absolute http(s) URL, a bad method token, CR/LF in a header, an unusable body or option. Never reaches the adapter. */
export class InvalidRequestError extends AsyncHttpError {
  override name = 'InvalidRequestError';
  override readonly code: string = 'ERR_ASYNCHTTP_INVALID_REQUEST';
}
