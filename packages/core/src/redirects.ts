import type { Content } from './content.js';
import { InvalidRequestError } from './errors/invalid-request-error.js';
import { RedirectLimitError, RedirectMissingLocationError } from './errors/redirect-errors.js';
import { checkUserinfo, type HeaderPairs } from './request.js';
import type { Response } from './response.js';

/** httplib2's redirect codes. */
const redirectCodes = new Set([300, 301, 302, 303, 307, 308]);
/** httplib2's safe methods: followed without `followAllRedirects`. */
const safeMethods = new Set(['GET', 'HEAD', 'OPTIONS', 'TRACE']);

/** The redirect rules of one client (settable properties of `Http`). */
export interface RedirectRules {
  followRedirects: boolean;
  followAllRedirects: boolean;
}

/** The next hop of a request. */
export interface Hop {
  url: URL;
  method: string;
  headers: HeaderPairs;
  body: Uint8Array | undefined;
}

/** Whether `status` is a redirect httplib2 would follow for `method` under `rules`. */
export function shouldFollow(status: number, method: string, rules: RedirectRules): boolean {
  if (!redirectCodes.has(status) || !rules.followRedirects) return false;
  return rules.followAllRedirects || safeMethods.has(method) || status === 303 || status === 308;
}

/**
 * The hop after `response`, by httplib2's rules: relative `Location` resolved against the request URL;
 * 302/303 become GET without body (HEAD stays HEAD); 301/307/308 keep method and body. `authorization`
 * is dropped on every hop; a caller's `cookie` never goes to another origin. Returns undefined for a
 * 300 without Location (returned as it is).
 */
export function nextHop(
  hop: Hop,
  response: Response,
  content: Content,
  redirectsLeft: number,
): Hop | undefined {
  const location = response.get('location');
  if (location === undefined || location === '') {
    if (response.status === 300) return undefined;
    throw new RedirectMissingLocationError(
      `Redirect ${response.status} ${response.reason} without a Location header: ${hop.method} ${hop.url.href}`,
      { response, content },
    );
  }
  if (redirectsLeft <= 0) {
    throw new RedirectLimitError(
      `Redirected more times than allowed (redirections): ${hop.method} ${hop.url.href} → ${location}`,
      { response, content },
    );
  }
  let url: URL;
  try {
    url = new URL(location, hop.url);
  } catch (cause) {
    throw new InvalidRequestError(`Redirect to an invalid Location ${JSON.stringify(location)}`, { cause });
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new InvalidRequestError(
      `Refusing a redirect to ${url.protocol} (only http and https): ${url.href}`,
    );
  }
  // A Location carrying user:password@ is refused like such a request URL: whatever each adapter would
  // do with it (drop, send as Basic, fail), core decides, and a server cannot plant credentials.
  checkUserinfo(url, url.href, 'The redirect Location');
  const rewrite = (response.status === 302 || response.status === 303) && hop.method !== 'HEAD';
  const method = rewrite ? 'GET' : hop.method;
  const body = rewrite ? undefined : hop.body;
  const sameOrigin = url.origin === hop.url.origin;
  const headers = hop.headers.filter(([name]) => {
    if (name === 'authorization') return false;
    if (name === 'cookie' && !sameOrigin) return false;
    if (rewrite && (name === 'content-type' || name === 'content-length')) return false;
    // Conditional and cache headers belong to the first resource, not the target.
    if (name === 'if-match' || name === 'if-none-match' || name === 'if-modified-since') return false;
    return true;
  });
  return { url, method, headers, body };
}
