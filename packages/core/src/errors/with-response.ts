import type { Content } from '../content.js';
import type { Response } from '../response.js';
import { AsyncHttpError, type AsyncHttpErrorOptions } from './async-http-error.js';

/** Options of the errors that carry the response that caused them. */
export interface ErrorWithResponseOptions extends AsyncHttpErrorOptions {
  response?: Response | undefined;
  content?: Content | undefined;
}

/**
 * Base of the errors raised with a response in hand (httplib2's `HttpLib2ErrorWithResponse`):
 * `forceExceptionToStatusCode` turns them into a 500 response whose reason is the message.
 */
export abstract class AsyncHttpErrorWithResponse extends AsyncHttpError {
  /** The last response received. */
  readonly response: Response | undefined;
  /** The content of `response`. */
  readonly content: Content | undefined;

  constructor(message: string, options?: ErrorWithResponseOptions) {
    super(message, options);
    this.response = options?.response;
    this.content = options?.content;
  }
}
