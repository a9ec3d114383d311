/** The request an error belongs to. */
export interface RequestInfo {
  method: string;
  url: string;
}

/** Options every asynchttp error takes, the ES2022 way: `new TimeoutError(message, { cause, request })`. */
export interface AsyncHttpErrorOptions {
  cause?: unknown;
  request?: RequestInfo | undefined;
}

/**
 * Base class of every error asynchttp raises. Carries `code`, the `request` it belongs to (filled in by
 * core when the raiser did not know it) and the original `cause`.
 */
export class AsyncHttpError extends Error {
  override name = 'AsyncHttpError';
  /** Stable machine-readable code, such as `'ERR_ASYNCHTTP_TIMEOUT'`. */
  readonly code: string = 'ERR_ASYNCHTTP';
  /** `{ method, url }` of the request that failed. */
  request: RequestInfo | undefined;

  constructor(message: string, options?: AsyncHttpErrorOptions) {
    super(message, options && 'cause' in options ? { cause: options.cause } : undefined);
    this.request = options?.request;
  }
}

/**
 * True for any asynchttp error, also one from another copy of the library or another realm
 * (the check falls back on `name` and `code`).
 */
export function isAsyncHttpError(value: unknown): value is AsyncHttpError {
  if (value instanceof AsyncHttpError) return true;
  if (typeof value !== 'object' || value === null) return false;
  const { name, code } = value as { name?: unknown; code?: unknown };
  return typeof name === 'string' && typeof code === 'string' && code.startsWith('ERR_ASYNCHTTP');
}
