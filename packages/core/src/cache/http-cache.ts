import CachePolicy from 'http-cache-semantics';
import { Content } from '../content.js';
import { formatError } from '../format-error.js';
import type { Logger } from '../logger.js';
import type { Hop } from '../pipeline/hop.js';
import { resolveLocation } from '../redirects.js';
import type { HeaderPairs } from '../request.js';
import { joinHeaders, Response } from '../response.js';
import type { CacheEntry, CacheStore } from './store.js';

/** What the cache says about one hop before any network call. */
export type CacheLookup =
  /** A fresh stored response: no network call. */
  | { kind: 'fresh'; response: Response; content: Content }
  /** A remembered permanent redirect: go straight to its target. */
  | { kind: 'redirect'; response: Response; content: Content }
  /** A stored response to revalidate with these (conditional) headers. */
  | { kind: 'stale'; entry: CacheEntry; policy: CachePolicy; headers: HeaderPairs }
  /** Nothing usable stored. */
  | { kind: 'miss'; onlyIfCached: boolean }
  /** The request may not use the cache (method, Range, no-store). */
  | { kind: 'bypass' };

/** httplib2 stores these; 301 and 308 are kept as permanent redirects. */
const storedStatuses = new Set([200, 203]);
const permanentRedirects = new Set([301, 308]);
// Fields of a 304 that must not replace the stored ones: they describe the 304's own (empty) body.
const keepOnMerge = new Set(['content-length', 'content-encoding', 'transfer-encoding', 'content-range']);

/**
 * The comma-separated members of a directive list (Cache-Control, Pragma), split outside quoted
 * strings, each with its name lower-cased and its argument kept as sent: names are case-insensitive
 * (RFC 9111 §5.2) but `http-cache-semantics` compares them as written.
 */
function directiveList(value: string): string[] {
  const members: string[] = [];
  for (const match of value.matchAll(/(?:[^,"]|"(?:[^"\\]|\\.)*"?)+/g)) {
    const member = match[0].trim();
    if (member === '') continue;
    const equals = member.indexOf('=');
    members.push(
      equals === -1
        ? member.toLowerCase()
        : `${member.slice(0, equals).trim().toLowerCase()}=${member.slice(equals + 1).trim()}`,
    );
  }
  return members;
}

function cacheControl(value: string | undefined): Map<string, string | true> {
  const directives = new Map<string, string | true>();
  if (value === undefined) return directives;
  for (const member of directiveList(value)) {
    const equals = member.indexOf('=');
    if (equals === -1) directives.set(member, true);
    else if (equals > 0)
      directives.set(member.slice(0, equals), member.slice(equals + 1).replace(/^"|"$/g, ''));
  }
  return directives;
}

/**
 * httplib2's cache above the adapters, on `http-cache-semantics` (RFC 9111 freshness, validators, Vary).
 * Store failures are logged and treated as misses: a cache never fails a request.
 */
export class HttpCache {
  readonly store: CacheStore;
  readonly #logger: Logger;

  constructor(store: CacheStore, logger: Logger) {
    this.store = store;
    this.#logger = logger;
  }

  /** The key of a URL: the URL without its fragment. */
  static key(url: URL): string {
    const { hash, href } = url;
    return hash === '' ? href : href.slice(0, -hash.length);
  }

  async lookup(hop: Hop, previous: Response | undefined): Promise<CacheLookup> {
    if (hop.method !== 'GET' && hop.method !== 'HEAD') return { kind: 'bypass' };
    const headers = joinHeaders(hop.headers);
    // A range of a stored body would need range arithmetic; such requests go to the network.
    if (headers.range !== undefined) return { kind: 'bypass' };
    const directives = cacheControl(headers['cache-control']);
    const key = HttpCache.key(hop.url);
    if (directives.has('no-store')) {
      await this.#delete(key);
      return { kind: 'bypass' };
    }
    const onlyIfCached = directives.has('only-if-cached');
    const entry = await this.#get(key);
    if (entry === undefined) return { kind: 'miss', onlyIfCached };
    if (entry.location !== undefined) {
      return { kind: 'redirect', ...this.#served(entry, entry.rawHeaders, previous, false) };
    }
    let policy: CachePolicy;
    try {
      policy = CachePolicy.fromObject(entry.policy as CachePolicy.CachePolicyObject);
    } catch {
      await this.#delete(key);
      return { kind: 'miss', onlyIfCached };
    }
    // HEAD is answered from a stored GET, so it is judged as the GET it stands for.
    const request = policyRequest(hop.url, 'GET', headers);
    let { revalidation } = policy.evaluateRequest(request);
    // `max-age=0` asks for a response no older than now: a stored one always needs revalidating, even
    // one stored in this same second (whose age rounds to 0).
    if (revalidation === undefined && Number(directives.get('max-age')) === 0) {
      revalidation = { headers: policy.revalidationHeaders(request), synchronous: true };
    }
    if (revalidation === undefined) {
      const age = String(Math.floor(policy.age()));
      const rawHeaders: [string, string][] = entry.rawHeaders.filter(
        ([name]) => name.toLowerCase() !== 'age',
      );
      rawHeaders.push(['age', age]);
      return { kind: 'fresh', ...this.#served(entry, rawHeaders, previous, hop.method === 'HEAD') };
    }
    if (onlyIfCached) return { kind: 'miss', onlyIfCached };
    const conditional = hop.headers.filter(
      ([name]) => name !== 'if-none-match' && name !== 'if-modified-since',
    );
    for (const name of ['if-none-match', 'if-modified-since']) {
      const value = revalidation.headers[name];
      if (typeof value === 'string') conditional.push([name, value]);
    }
    return { kind: 'stale', entry, policy, headers: conditional };
  }

  /**
   * Stores, merges or drops after a network response. A 304 to a revalidation becomes the stored
   * response with the 304's fields (`fromCache: true`); any other answer to a revalidation but 200
   * drops the entry.
   */
  async update(
    hop: Hop,
    lookup: CacheLookup | undefined,
    response: Response,
    content: Content,
  ): Promise<{ response: Response; content: Content }> {
    const key = HttpCache.key(hop.url);
    const requestHeaders = joinHeaders(hop.headers);
    const request = policyRequest(hop.url, 'GET', requestHeaders);
    if (lookup?.kind === 'stale') {
      if (response.status === 304) {
        const { policy, modified } = lookup.policy.revalidatedPolicy(
          request,
          policyResponse(304, response.headers, Date.now()),
        );
        if (!modified) {
          const rawHeaders = merge(lookup.entry.rawHeaders, response.rawHeaders);
          const entry: CacheEntry = { ...lookup.entry, policy: policy.toObject(), rawHeaders };
          await this.#set(key, entry);
          const served = this.#served(entry, rawHeaders, response.previous, hop.method === 'HEAD');
          return served;
        }
      }
      if (response.status !== 200) {
        await this.#delete(key);
        return { response, content };
      }
    }
    if (hop.method !== 'GET') return { response, content };
    const responseDirectives = cacheControl(response.headers['cache-control']);
    const requestDirectives = cacheControl(requestHeaders['cache-control']);
    if (responseDirectives.has('no-store') || requestDirectives.has('no-store')) {
      await this.#delete(key);
      return { response, content };
    }
    const isRedirect = permanentRedirects.has(response.status);
    if (!storedStatuses.has(response.status) && !isRedirect) return { response, content };
    const policy = new CachePolicy(request, policyResponse(response.status, response.headers, Date.now()), {
      shared: false,
    });
    if (!isRedirect && !policy.storable()) return { response, content };
    let location: string | undefined;
    if (isRedirect) {
      const target = response.get('location');
      if (target === undefined) return { response, content };
      location = resolveLocation(target, hop.url)?.href;
      if (location === undefined) return { response, content };
    }
    await this.#set(key, {
      policy: policy.toObject(),
      status: response.status,
      reason: response.reason,
      version: response.version,
      rawHeaders: response.rawHeaders.map(([name, value]) => [name, value]),
      url: response.url,
      body: content.bytes(),
      decodedFrom: response.decodedFrom,
      location,
    });
    return { response, content };
  }

  /** An unsafe method invalidates what is stored for its URL. */
  invalidate(url: URL): Promise<void> {
    return this.#delete(HttpCache.key(url));
  }

  /** The stored ETag of a URL, for the lost-update guard of PUT and PATCH. */
  async etag(url: URL): Promise<string | undefined> {
    const entry = await this.#get(HttpCache.key(url));
    if (entry === undefined || entry.location !== undefined) return undefined;
    for (const [name, value] of entry.rawHeaders) if (name.toLowerCase() === 'etag') return value;
    return undefined;
  }

  #served(
    entry: CacheEntry,
    rawHeaders: [string, string][],
    previous: Response | undefined,
    head: boolean,
  ): { response: Response; content: Content } {
    const response = new Response({
      status: entry.status,
      reason: entry.reason,
      version: entry.version,
      rawHeaders,
      url: entry.url,
      previous,
      fromCache: true,
      decodedFrom: entry.decodedFrom,
    });
    const contentType = response.get('content-type');
    return { response, content: new Content(head ? new Uint8Array() : entry.body, contentType) };
  }

  async #get(key: string): Promise<CacheEntry | undefined> {
    try {
      return await this.store.get(key);
    } catch (error) {
      this.#logger.warn(`cache store failed to read ${key}: ${formatError(error)}`);
      return undefined;
    }
  }

  async #set(key: string, entry: CacheEntry): Promise<void> {
    try {
      await this.store.set(key, entry);
    } catch (error) {
      this.#logger.warn(`cache store failed to write ${key}: ${formatError(error)}`);
    }
  }

  async #delete(key: string): Promise<void> {
    try {
      await this.store.delete(key);
    } catch (error) {
      this.#logger.warn(`cache store failed to delete ${key}: ${formatError(error)}`);
    }
  }
}

function policyRequest(url: URL, method: string, headers: Record<string, string>): CachePolicy.Request {
  return { url: url.href, method, headers: { ...policyHeaders(headers), host: url.host } };
}

/** Header fields as `http-cache-semantics` reads them: directive names lower-cased (RFC 9111 §5.2, §5.4). */
function policyHeaders(headers: Readonly<Record<string, string>>): Record<string, string> {
  const copy: Record<string, string> = { ...headers };
  for (const name of ['cache-control', 'pragma']) {
    const value = copy[name];
    if (value !== undefined) copy[name] = directiveList(value).join(', ');
  }
  return copy;
}

/**
 * A response as the policy should judge it, received at `now`. `http-cache-semantics` ignores `Date`
 * when it ages a response, so its `age` is raised to the corrected initial age of RFC 9111 §4.2.3:
 * max(apparent_age, Age), apparent_age = max(0, now - Date). A `Date` in the future (clock skew) gives
 * an apparent age of 0; a missing or invalid one is taken as `now` (RFC 9110 §6.6.1), which also
 * anchors `Expires` (freshness lifetime = Expires - Date, §4.2.1).
 */
function policyResponse(
  status: number,
  headers: Readonly<Record<string, string>>,
  now: number,
): CachePolicy.Response {
  const fields = policyHeaders(headers);
  const date = fields.date === undefined ? Number.NaN : Date.parse(fields.date);
  const apparentAge = Number.isFinite(date) ? Math.max(0, Math.floor((now - date) / 1000)) : 0;
  if (!Number.isFinite(date)) fields.date = new Date(now).toUTCString();
  // An Age that is not a non-negative integer counts as absent (RFC 9111 §5.1).
  const age = fields.age !== undefined && /^\s*\d+\s*$/.test(fields.age) ? Number(fields.age) : 0;
  // Always set, even to 0: on a 304 only fields the stored response has are replaced.
  fields.age = String(Math.max(apparentAge, age));
  return { status, headers: fields };
}

/** The stored fields, with those a 304 sent replaced (its own body's fields excepted). */
function merge(
  stored: ReadonlyArray<readonly [string, string]>,
  fresh: ReadonlyArray<readonly [string, string]>,
): [string, string][] {
  const replaced = new Set<string>();
  for (const [name] of fresh) {
    const lower = name.toLowerCase();
    if (!keepOnMerge.has(lower)) replaced.add(lower);
  }
  const merged: [string, string][] = stored
    .filter(([name]) => !replaced.has(name.toLowerCase()))
    .map(([name, value]) => [name, value]);
  for (const [name, value] of fresh) if (replaced.has(name.toLowerCase())) merged.push([name, value]);
  return merged;
}
