import type { HttpCache } from '../cache/http-cache.js';
import { Content } from '../content.js';
import { Response } from '../response.js';
import type { Exchanged, Hop, Layer, PipelineContext } from './types.js';
import { trace, withHeader } from './types.js';

/** Thrown by the offline pipeline when a hop would need the network: the request then takes a worker. */
export const needsNetwork: unique symbol = Symbol('asynchttp.needsNetwork');

/**
 * The HTTP cache (RFC 9111, httplib2's rules), above decoding so it stores and serves decoded bodies,
 * and below redirects so every hop (and a remembered permanent redirect) is looked up on its own.
 * A fresh hit or a remembered redirect answers without going further down; a stale entry goes down
 * with its validators and a 304 comes back up merged. Freshness rules are in `../cache/http-cache.ts`.
 */
export function cacheLayer(context: PipelineContext, cache: HttpCache): Layer<Exchanged> {
  const { logger } = context;
  return (next) => async (hop, task) => {
    const lookup = await cache.lookup(hop, hop.previous);
    if (lookup.kind === 'fresh' || lookup.kind === 'redirect') {
      const what = lookup.kind === 'fresh' ? 'fresh' : 'permanent redirect';
      trace(task, logger, `${what} from cache: ${hop.url.href}`);
      return { response: lookup.response, content: lookup.content };
    }
    if (lookup.kind === 'miss' && lookup.onlyIfCached) return gatewayTimeout(hop);
    let sent = hop;
    if (hop.method !== 'GET' && hop.method !== 'HEAD') {
      sent = await guardUpdate(cache, hop);
      await cache.invalidate(hop.url);
    } else if (lookup.kind === 'stale') {
      sent = { ...hop, headers: lookup.headers };
    }
    const { response, content } = await next(sent, task);
    // A streamed body goes to its caller only, never stored; a 304 (empty) is merged as ever.
    if (content.streamed) {
      if (response.status !== 304 || lookup.kind !== 'stale') return { response, content };
      await content.load();
    }
    return cache.update(hop, lookup, response, content);
  };
}

/** The bottom of the offline pipeline: fresh hits and remembered redirects only, no network. */
export const offline = (): Promise<never> => Promise.reject(needsNetwork);

/** httplib2's lost-update guard: PUT and PATCH carry `If-Match` with the stored ETag. */
async function guardUpdate(cache: HttpCache, hop: Hop): Promise<Hop> {
  if (hop.method !== 'PUT' && hop.method !== 'PATCH') return hop;
  if (hop.headers.some(([name]) => name === 'if-match')) return hop;
  const etag = await cache.etag(hop.url);
  return etag === undefined ? hop : { ...hop, headers: withHeader(hop.headers, 'if-match', etag) };
}

/** `only-if-cached` with nothing usable stored: a 504 made here, without a network call (RFC 9111 §5.2.1.7). */
function gatewayTimeout(hop: Hop): Exchanged {
  const body = new TextEncoder().encode('Gateway Timeout: nothing usable in the cache (only-if-cached)');
  return {
    response: new Response({
      status: 504,
      reason: 'Gateway Timeout',
      rawHeaders: [['content-type', 'text/plain']],
      url: hop.url.href,
      previous: hop.previous,
    }),
    content: new Content(body, 'text/plain'),
  };
}
