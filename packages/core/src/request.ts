import { InvalidRequestError } from './errors/invalid-request-error.js';
import { isAsyncIterable, isBlob, isReadableStream, UploadBody } from './upload.js';
import { describe } from './validate.js';

/** A request body: text (sent as UTF-8), bytes, or form fields. */
export type BodyInit =
  | string
  | Uint8Array
  | ArrayBuffer
  | ArrayBufferView
  | URLSearchParams
  | Blob
  | ReadableStream<Uint8Array>
  | AsyncIterable<Uint8Array>;

/**
 * Request headers: an object (`undefined` values skipped, arrays sent as repeated fields), an array of
 * pairs, or any iterable of pairs such as a `Headers` or a `Map`.
 */
export type HeadersInit =
  | Readonly<Record<string, string | number | readonly string[] | undefined>>
  | Iterable<readonly [string, string]>;

/** Header pairs with lower-case names. */
export type HeaderPairs = [string, string][];

// RFC 9110 token: method names and field names.
const tokenPattern = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;
// RFC 9110 §5.5: a field value is VCHAR, obs-text (0x80-0xFF), SP and HTAB. Anything else (CR, LF and
// NUL above all: request smuggling, header injection; other controls, DEL, characters outside Latin-1)
// is refused by core, because each adapter would otherwise drop, mangle or reject it its own way.
const invalidValuePattern = /[^\t\x20-\x7e\x80-\xff]/;
// Optional whitespace around a value is not part of it (RFC 9110 §5.5).
const owsPattern = /^[\t ]|[\t ]$/;
const owsTrimPattern = /^[\t ]+|[\t ]+$/g;
const standardMethodPattern = /^(?:get|head|post|put|delete|options|patch|trace|connect)$/i;
const httpUrlPattern = /^https?:\/\//i;
const encoder = new TextEncoder();

/** Throws `InvalidRequestError` unless `method` is a token; upper-cases the standard methods. */
export function normalizeMethod(method: unknown): string {
  if (method === undefined) return 'GET';
  if (typeof method !== 'string' || !tokenPattern.test(method)) {
    throw new InvalidRequestError(
      `Invalid method ${describe(method)}: a method is a token such as GET, POST or PROPFIND`,
    );
  }
  return standardMethodPattern.test(method) ? method.toUpperCase() : method;
}

// The last URL parsed. Repeated requests to one URL (polling, paging, fan-out to one endpoint) skip
// both the validity check and the parse; the cached URL's own href is compared, so a mutated one is
// never reused.
let lastHref = '';
let lastUrl: URL | undefined;

/**
 * Throws `InvalidRequestError` unless `uri` is an absolute http(s) URL without `user:password@`;
 * returns its text.
 */
export function checkUrl(uri: unknown): string {
  if (uri === lastHref && lastUrl?.href === lastHref) return uri;
  if (uri instanceof URL) {
    if (uri.protocol === 'http:' || uri.protocol === 'https:') return checkUserinfo(uri, uri.href);
  } else if (typeof uri === 'string' && httpUrlPattern.test(uri) && URL.canParse(uri)) {
    // Only a URL with an "@" can carry userinfo; the others skip the second parse.
    return uri.includes('@') ? checkUserinfo(new URL(uri), uri) : uri;
  }
  throw new InvalidRequestError(
    `Invalid URL ${uri instanceof URL ? JSON.stringify(uri.href) : describe(uri)}: asynchttp needs an absolute http:// or https:// URL`,
  );
}

/**
 * Credentials in a URL are refused: undici drops them, axios sends them as Basic, fetch refuses the
 * request, so core decides, the same for every adapter, and points to `addCredentials` (which answers
 * the server's challenge, Basic or Digest, and is never sent unasked). Redirect Locations are refused
 * the same way (redirects.ts).
 */
export function checkUserinfo(url: URL, text: string, what = 'The URL'): string {
  if (url.username === '' && url.password === '') return text;
  throw new InvalidRequestError(
    `${what} ${url.protocol}//***@${url.host}${url.pathname} carries credentials (user:password@), which ` +
      'asynchttp never sends from a URL: use http.addCredentials(name, password, domain?) instead',
  );
}

let lastOriginOf: URL | undefined;
let lastOrigin = '';

/**
 * `new URL(url).origin` of a URL that `checkUrl` accepted. The origin of the last URL parsed is kept, so
 * a fan-out to one endpoint does not build the same string for every request.
 */
export function originOf(url: string): string {
  const parsed = parseUrl(url);
  if (parsed !== lastOriginOf) {
    lastOriginOf = parsed;
    lastOrigin = parsed.origin;
  }
  return lastOrigin;
}

/** Parses a URL that `checkUrl` accepted. */
export function parseUrl(url: string): URL {
  if (url === lastHref && lastUrl?.href === url) return lastUrl;
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch (cause) {
    throw new InvalidRequestError(`Invalid URL ${JSON.stringify(url)}`, { cause });
  }
  // Only a URL that prints back as given is cached, so the comparison above stays exact.
  if (parsed.href === url) {
    lastHref = url;
    lastUrl = parsed;
  }
  return parsed;
}

function checkHeader(name: unknown, value: unknown, into: HeaderPairs): void {
  if (typeof name !== 'string' || !tokenPattern.test(name)) {
    throw new InvalidRequestError(
      `Invalid header name ${describe(name)}: it must be a token (RFC 9110 §5.1)`,
    );
  }
  if (value === undefined) return;
  if (Array.isArray(value)) {
    for (const each of value) checkHeader(name, each, into);
    return;
  }
  if (typeof value === 'number' && Number.isFinite(value)) value = String(value);
  if (typeof value !== 'string') {
    throw new InvalidRequestError(
      `Invalid value for header "${name}": expected a string, got ${typeof value}`,
    );
  }
  if (invalidValuePattern.test(value)) {
    const code = (value as string).charCodeAt((value as string).search(invalidValuePattern));
    throw new InvalidRequestError(
      `Invalid value for header "${name}": U+${code.toString(16).toUpperCase().padStart(4, '0')} is not allowed ` +
        '(RFC 9110 §5.5: visible ASCII, Latin-1, space and tab; no control characters such as CR, LF or NUL)',
    );
  }
  if (owsPattern.test(value)) value = (value as string).replace(owsTrimPattern, '');
  into.push([name.toLowerCase(), value as string]);
}

/** Validates headers and lower-cases their names. Throws `InvalidRequestError`. */
export function normalizeHeaders(input: unknown): HeaderPairs {
  const pairs: HeaderPairs = [];
  if (input === undefined || input === null) return pairs;
  if (typeof input !== 'object') {
    throw new InvalidRequestError(`Invalid headers: expected an object or pairs, got ${typeof input}`);
  }
  if (Symbol.iterator in input) {
    for (const pair of input as Iterable<unknown>) {
      if (!Array.isArray(pair) || pair.length !== 2) {
        throw new InvalidRequestError('Invalid headers: each entry must be a [name, value] pair');
      }
      checkHeader(pair[0], pair[1], pairs);
    }
  } else {
    for (const name of Object.keys(input)) checkHeader(name, (input as Record<string, unknown>)[name], pairs);
  }
  return pairs;
}

/** Request headers over the defaults: a name the request sets replaces the default's. */
export function mergeHeaders(defaults: HeaderPairs, own: HeaderPairs): HeaderPairs {
  if (own.length === 0) return defaults;
  if (defaults.length === 0) return own;
  const names = new Set(own.map(([name]) => name));
  return [...defaults.filter(([name]) => !names.has(name)), ...own];
}

/** Whether `headers` holds a field called `name` (lower-case). */
export function hasHeader(headers: HeaderPairs, name: string): boolean {
  for (const pair of headers) if (pair[0] === name) return true;
  return false;
}

/** A body encoded to bytes, and the content-type it implies when the caller set none. */
export interface EncodedBody {
  bytes: Uint8Array | UploadBody;
  contentType?: string | undefined;
  /** The length to declare, when known without reading (a Blob's size). */
  contentLength?: number | undefined;
}

/** Encodes `body` or `json` (not both). Throws `InvalidRequestError` for anything unusable. */
export function encodeBody(body: unknown, json: unknown, hasJson: boolean): EncodedBody | undefined {
  if (hasJson) {
    if (body !== undefined) throw new InvalidRequestError('Pass either body or json, not both');
    let text: string | undefined;
    try {
      text = JSON.stringify(json);
    } catch (cause) {
      throw new InvalidRequestError(`Invalid json body: ${(cause as Error).message}`, { cause });
    }
    if (text === undefined) throw new InvalidRequestError(`Invalid json body: ${typeof json} is not JSON`);
    return { bytes: encoder.encode(text), contentType: 'application/json' };
  }
  if (body === undefined || body === null) return undefined;
  if (typeof body === 'string')
    return { bytes: encoder.encode(body), contentType: 'text/plain;charset=UTF-8' };
  if (body instanceof Uint8Array) return { bytes: body };
  if (body instanceof ArrayBuffer) return { bytes: new Uint8Array(body) };
  if (ArrayBuffer.isView(body))
    return { bytes: new Uint8Array(body.buffer, body.byteOffset, body.byteLength) };
  if (body instanceof URLSearchParams) {
    return {
      bytes: encoder.encode(body.toString()),
      contentType: 'application/x-www-form-urlencoded;charset=UTF-8',
    };
  }
  if (isBlob(body)) {
    return { bytes: new UploadBody(body), contentType: body.type || undefined, contentLength: body.size };
  }
  if (isReadableStream(body) || isAsyncIterable(body)) return { bytes: new UploadBody(body) };
  const kind = typeof body === 'object' ? (body.constructor?.name ?? 'object') : typeof body;
  throw new InvalidRequestError(
    `Unusable body (${kind}): pass a string, Uint8Array, ArrayBuffer, URLSearchParams, Blob, ` +
      'ReadableStream<Uint8Array>, an async iterable of Uint8Array, or use the json option',
  );
}
