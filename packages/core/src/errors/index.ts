export {
  AsyncHttpError,
  type AsyncHttpErrorOptions,
  isAsyncHttpError,
  type RequestInfo,
} from './async-http-error.js';
export { CancelledError } from './cancelled-error.js';
export { ClosedError } from './closed-error.js';
export { ConnectionError, type ConnectionErrorOptions } from './connection-error.js';
export { DecompressionError } from './decompression-error.js';
export { failureReason } from './failure-reason.js';
export { InvalidRequestError } from './invalid-request-error.js';
export { NotReadyError } from './not-ready-error.js';
export {
  type RedirectErrorOptions,
  RedirectLimitError,
  RedirectMissingLocationError,
} from './redirect-errors.js';
export { ResponseTooLargeError, type ResponseTooLargeErrorOptions } from './response-too-large-error.js';
export { TimeoutError } from './timeout-error.js';
export { AsyncHttpErrorWithResponse, type ErrorWithResponseOptions } from './with-response.js';
