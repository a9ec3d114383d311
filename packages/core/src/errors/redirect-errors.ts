import { AsyncHttpErrorWithResponse, type ErrorWithResponseOptions } from './with-response.js';

/** Options of the redirect errors: the last response and its content. */
export type RedirectErrorOptions = ErrorWithResponseOptions;

/** More redirects than `redirections` allows. Carries the last redirect response and its content. */
export class RedirectLimitError extends AsyncHttpErrorWithResponse {
  override name = 'RedirectLimitError';
  override readonly code: string = 'ERR_ASYNCHTTP_REDIRECT_LIMIT';
}

/** A 301, 302, 303, 307 or 308 without a `Location` header. Carries that response and its content. */
export class RedirectMissingLocationError extends AsyncHttpErrorWithResponse {
  override name = 'RedirectMissingLocationError';
  override readonly code: string = 'ERR_ASYNCHTTP_REDIRECT_MISSING_LOCATION';
}
