import type { Content } from './content.js';
import { InvalidRequestError } from './errors/invalid-request-error.js';
import { RedirectLimitError, RedirectMissingLocationError } from './errors/redirect-errors.js';
import type { Hop } from './pipeline/hop.js';
import { checkUserinfo } from './request.js';
import type { Response } from './response.js';
import { refuseResend } from './upload.js';

/** httplib2's redirect codes. */
const redirectCodes = new Set([300, 301, 302, 303, 307, 308]);
/** httplib2's safe methods: followed without `followAllRedirects`. */
const safeMethods = new Set(['GET', 'HEAD', 'OPTIONS', 'TRACE']);

/** The redirect rules of one client (settable properties of `Http`). */
export interface RedirectRules {
  followRedirects: boolean;
  followAllRedirects: boolean;
}

/** Whether `status` is a redirect httplib2 would follow for `method` under `rules`. */
export function shouldFollow(status: number, method: string, rules: RedirectRules): boolean {
  if (!redirectCodes.has(status) || !rules.followRedirects) return false;
  return rules.followAllRedirects || safeMethods.has(method) || status === 303 || status === 308;
}

/** Headers that carry the caller's credentials: never sent to another origin (scheme, host or port). */
const credentialHeaders = new Set(['authorization', 'proxy-authorization', 'cookie']);
/** Headers that describe the request body besides `content-*`: gone with the body. */
const bodyHeaders = new Set(['transfer-encoding', 'trailer', 'expect']);

/**
 * The hop after `response`, by httplib2's rules: relative `Location` resolved against the request URL;
 * 302/303 become GET without body (HEAD stays HEAD) and lose every header about that body; 301/307/308
 * keep method and body. `authorization` is dropped on every hop; `proxy-authorization` and a caller's
 * `cookie` never go to another origin (a scheme change counts). A `Location` without a fragment keeps
 * the request's (RFC 9110 §10.2.2). Returns undefined for a 300 without Location (returned as it is).
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
  const url = resolveLocation(location, hop.url);
  if (url === undefined) {
    throw new InvalidRequestError(`Redirect to an invalid Location ${JSON.stringify(location)}`);
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
  refuseResend(body, hop, `a ${response.status} redirect to ${url.href}`);
  const sameOrigin = url.origin === hop.url.origin;
  const headers = hop.headers.filter(([name]) => {
    if (name === 'authorization') return false;
    if (!sameOrigin && credentialHeaders.has(name)) return false;
    // RFC 9110 §15.4.3/§15.4.4: the body is gone, so is every field about it.
    if (rewrite && (name.startsWith('content-') || bodyHeaders.has(name))) return false;
    // Conditional and cache headers belong to the first resource, not the target.
    if (name === 'if-match' || name === 'if-none-match' || name === 'if-modified-since') return false;
    return true;
  });
  return { url, method, headers, body };
}

/**
 * A `Location` value resolved against the request URL, or undefined when it is no URL. A Location sent
 * as raw UTF-8 arrives as Latin-1 text (each byte one character) from every HTTP parser; it is read as
 * the UTF-8 it is, as browsers do, so `/café` goes to `/caf%C3%A9`, not `/caf%C3%83%C2%A9`. A fragment-less
 * Location inherits the request's fragment (RFC 9110 §10.2.2).
 */
export function resolveLocation(location: string, base: URL): URL | undefined {
  let url: URL;
  try {
    url = new URL(latin1AsUtf8(location), base);
  } catch {
    return undefined;
  }
  if (url.hash === '' && base.hash !== '' && !location.includes('#')) url.hash = base.hash;
  return url;
}

const strictUtf8 = new TextDecoder('utf-8', { fatal: true });

/**
 * `value` re-read as UTF-8 when it is Latin-1 text (every character below U+0100) holding non-ASCII
 * bytes that form valid UTF-8; otherwise `value` as it is (real Latin-1, or already decoded text).
 */
export function latin1AsUtf8(value: string): string {
  let nonAscii = false;
  for (let i = 0; i < value.length; i++) {
    const code = value.charCodeAt(i);
    if (code > 0xff) return value;
    if (code > 0x7f) nonAscii = true;
  }
  if (!nonAscii) return value;
  const bytes = new Uint8Array(value.length);
  for (let i = 0; i < value.length; i++) bytes[i] = value.charCodeAt(i);
  try {
    return strictUtf8.decode(bytes);
  } catch {
    return value;
  }
}
