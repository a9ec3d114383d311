import { AsyncHttpError } from './async-http-error.js';

/** The body could not be decoded with its content-encoding. */
export class DecompressionError extends AsyncHttpError {
  override name = 'DecompressionError';
  override readonly code: string = 'ERR_ASYNCHTTP_DECOMPRESSION';
}
