import { AsyncHttpError } from './async-http-error.js';

/**
 * The request cannot be sent: not an absolute http(s) URL, a URL or redirect `Location` with
 * `user:password@` (use `addCredentials`), a bad method token, a header name that is not a token, a header
 * value with control characters or characters outside Latin-1, an unusable body, an unknown or bad option,
 * or whatever the input's own getters threw (as `cause`). Never reaches the adapter.
 */
export class InvalidRequestError extends AsyncHttpError {
  override name = 'InvalidRequestError';
  override readonly code: string = 'ERR_ASYNCHTTP_INVALID_REQUEST';
}
