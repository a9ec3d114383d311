import { AsyncHttpErrorWithResponse } from './with-response.js';

/** The body could not be decoded with its content-encoding. Carries the response and raw content when known. */
export class DecompressionError extends AsyncHttpErrorWithResponse {
  override name = 'DecompressionError';
  override readonly code: string = 'ERR_ASYNCHTTP_DECOMPRESSION';
}
