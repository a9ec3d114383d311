import type { Content } from '../content.js';
import type { Response } from '../response.js';
import { AsyncHttpError, type AsyncHttpErrorOptions } from './async-http-error.js';

/** Options of the redirect errors: the last response and its content. */
export interface RedirectErrorOptions extends AsyncHttpErrorOptions {
  response?: Response;
  content?: Content;
}

/** Base of the errors that carry the response that caused them. */
abstract class ResponseCarryingError extends AsyncHttpError {
  /** The last response received. */
  readonly response: Response | undefined;
  /** The content of `response`. */
  readonly content: Content | undefined;

  constructor(message: string, options?: RedirectErrorOptions) {
    super(message, options);
    this.response = options?.response;
    this.content = options?.content;
  }
}

/** More redirects than `redirections` allows. */
export class RedirectLimitError extends ResponseCarryingError {
  override name = 'RedirectLimitError';
  override readonly code: string = 'ERR_ASYNCHTTP_REDIRECT_LIMIT';
}

/** A 301, 302, 303, 307 or 308 without a `Location` header. */
export class RedirectMissingLocationError extends ResponseCarryingError {
  override name = 'RedirectMissingLocationError';
  override readonly code: string = 'ERR_ASYNCHTTP_REDIRECT_MISSING_LOCATION';
}
