import { cacheLayer, offline } from './cache.js';
import { credentialsLayer } from './credentials.js';
import { decodingLayer } from './decoding.js';
import { limitsLayer } from './limits.js';
import { redirectLayer } from './redirects.js';
import { retryLayer } from './retry.js';
import { transport } from './transport.js';
import type { Exchanged, Handler, PipelineContext } from './types.js';

/** The two ways through the pipeline: `online` for a request in its worker slot, `offline` for a cache probe. */
export interface Pipeline {
  /** Every layer down to the adapter. */
  readonly online: Handler<Exchanged>;
  /**
   * Redirects and the cache only: answers from fresh entries and remembered redirects, and rejects
   * with `needsNetwork` as soon as a hop would need the network. Fresh hits are served this way,
   * before the queue, without taking a worker slot. Absent without a cache.
   */
  readonly offline: Handler<Exchanged> | undefined;
}

/**
 * Composes core's layers, in this one place and in this order, outermost first:
 *
 * 1. redirects: a followed redirect becomes a new hop down the rest (httplib2's rules)
 * 2. cache: fresh hits answer here; stale entries go down with validators (only with a cache)
 * 3. decoding: the raw response becomes a `Response` and a decoded `Content`
 * 4. retry: failed attempts and retryable statuses go down again after a backoff
 * 5. credentials: 401 challenges answered, earned authorizations sent up front
 * 6. limits: each exchange waits for room in the rate windows; `Retry-After` pauses its origin
 * 7. transport: one attempt under the timeout, through the user's interceptors, to the adapter
 *
 * A request goes down and its response comes back up; no layer calls the one above it. Decoding sits
 * above the retries so a retried attempt is decoded once, and the cache above decoding so it stores
 * what the user reads; interceptors sit at the bottom so they see every exchange on the wire.
 */
export function composePipeline(context: PipelineContext): Pipeline {
  const redirects = redirectLayer(context);
  const sent = limitsLayer(context)(transport(context));
  const decoded = decodingLayer(context)(retryLayer(context)(credentialsLayer(context)(sent)));
  const { cache } = context;
  if (cache === undefined) return { online: redirects(decoded), offline: undefined };
  const cached = cacheLayer(context, cache);
  return { online: redirects(cached(decoded)), offline: redirects(cached(offline)) };
}

export { needsNetwork } from './cache.js';
export type { Exchanged, Handler, Hop, Interceptor, PipelineContext, Send } from './types.js';
