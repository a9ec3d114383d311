import type { AxiosResponse } from 'axios';

/** A request header value as axios takes it; `false` tells axios not to add its own default. */
export type AxiosHeaderValue = string | string[] | false;

/**
 * Core's header pairs as an axios headers object. Repeated names become arrays, so Node writes one
 * line per value. `content-type` and `accept-encoding` are set to `false` when core sent none, because
 * axios would otherwise add its own (form-urlencoded for POST, its accept-encoding list) and core owns
 * both bodies and compression.
 */
export function toAxiosHeaders(
  pairs: readonly (readonly [string, string])[],
): Record<string, AxiosHeaderValue> {
  // A null prototype keeps a header named `__proto__` (a valid token) an ordinary key.
  const headers: Record<string, AxiosHeaderValue> = Object.create(null);
  headers['content-type'] = false;
  headers['accept-encoding'] = false;
  for (const [name, value] of pairs) {
    const previous = headers[name];
    if (typeof previous === 'string') headers[name] = [previous, value];
    else if (Array.isArray(previous)) previous.push(value);
    else headers[name] = value;
  }
  return headers;
}

/**
 * Response header pairs as received: Node's `rawHeaders` when the http adapter ran (repeated fields
 * kept apart, original case), else axios's parsed headers flattened (arrays become separate pairs).
 */
export function responseHeaders(response: AxiosResponse): [string, string][] {
  const raw: unknown = response.request?.res?.rawHeaders;
  if (Array.isArray(raw)) {
    const pairs: [string, string][] = new Array(raw.length >> 1);
    for (let i = 0; i < raw.length; i += 2) pairs[i >> 1] = [raw[i], raw[i + 1]];
    return pairs;
  }
  const pairs: [string, string][] = [];
  const headers = response.headers as { toJSON?: () => Record<string, unknown> } & Record<string, unknown>;
  const plain = typeof headers.toJSON === 'function' ? headers.toJSON() : headers;
  for (const name of Object.keys(plain)) {
    const value = plain[name];
    if (Array.isArray(value)) for (const item of value) pairs.push([name, String(item)]);
    else if (value !== undefined && value !== null && value !== false) pairs.push([name, String(value)]);
  }
  return pairs;
}
