import type { AdapterRequest, AdapterResponse } from './adapter.js';

// The public face of the pipeline's bottom, in a file of its own: the pipeline's internal types
// (which name the cache and its library) never reach a user's declaration files.

/** One exchange with the transport, as adapters and interceptors see it. */
export type Send = (request: AdapterRequest) => Promise<AdapterResponse>;

/**
 * A user's layer around every exchange with the adapter (each attempt, redirect hop and credential
 * round trip), below core's rules: it sees the request as it goes on the wire and the response before
 * decoding. The first interceptor of the array sees the request first and the response last.
 *
 * @example
 * ```ts
 * const timing: Interceptor = (next) => async (request) => {
 *   const started = performance.now();
 *   try {
 *     return await next(request);
 *   } finally {
 *     console.log(request.method, request.url.href, performance.now() - started, 'ms');
 *   }
 * };
 * ```
 */
export type Interceptor = (next: Send) => Send;
