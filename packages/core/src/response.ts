/** What `Response` is built from. */
export interface ResponseInit {
  status: number;
  reason: string;
  version?: string | undefined;
  rawHeaders: ReadonlyArray<readonly [string, string]>;
  url: string;
  previous?: Response | undefined;
  fromCache?: boolean | undefined;
  attempts?: number | undefined;
  /** The content-encoding core (or the adapter) removed from the body, if any. */
  decodedFrom?: string | undefined;
}

/**
 * An HTTP response, as httplib2 gave it: status codes never throw, redirects leave a `previous` chain.
 *
 * @example
 * ```ts
 * const response = await http.request(url).response;
 * if (response.status === 200) console.log(response.get('content-type'));
 * ```
 */
export class Response {
  /** Status code, such as `200`. */
  readonly status: number;
  /** Reason phrase, such as `'OK'`. */
  readonly reason: string;
  /** HTTP version, `'1.1'` unless the transport says otherwise. */
  readonly version: string;
  /** Header pairs as received, repeated fields kept apart. */
  readonly rawHeaders: ReadonlyArray<readonly [string, string]>;
  /** The final URL, after redirects. */
  readonly url: string;
  /** The response that redirected here, if any (a chain back to the first). */
  readonly previous: Response | undefined;
  /** True when the response was served from the cache. */
  readonly fromCache: boolean;
  /** How many times this hop was sent (1 unless retried or answered with credentials). */
  readonly attempts: number;
  /**
   * The content-encoding removed from the body (such as `'gzip'`), or undefined. After decoding,
   * `headers` has no `content-encoding` (nor the encoded `content-length`) but `-content-encoding`
   * as httplib2 had; `rawHeaders` keeps the fields as received.
   */
  readonly decodedFrom: string | undefined;
  #headers: Record<string, string> | undefined;

  constructor(init: ResponseInit) {
    this.status = init.status;
    this.reason = init.reason;
    this.version = init.version ?? '1.1';
    this.rawHeaders = init.rawHeaders;
    this.url = init.url;
    this.previous = init.previous;
    this.fromCache = init.fromCache ?? false;
    this.attempts = init.attempts ?? 1;
    this.decodedFrom = init.decodedFrom;
  }

  /** Headers with lower-case names; repeated fields joined with `', '`. Built on first use. */
  get headers(): Readonly<Record<string, string>> {
    if (this.#headers === undefined) {
      const headers = joinHeaders(this.rawHeaders);
      if (this.decodedFrom !== undefined) {
        delete headers['content-encoding'];
        delete headers['content-length'];
        headers['-content-encoding'] = this.decodedFrom;
      }
      this.#headers = headers;
    }
    return this.#headers;
  }

  /** A header's value by case-insensitive name (repeated fields joined with `', '`), or `undefined`. */
  get(name: string): string | undefined {
    return this.headers[name.toLowerCase()];
  }

  /** `'200 OK http://…'`, for logs. */
  toString(): string {
    return `${this.status} ${this.reason} ${this.url}`;
  }

  [Symbol.for('nodejs.util.inspect.custom')](): object {
    return {
      status: this.status,
      reason: this.reason,
      url: this.url,
      headers: this.headers,
      fromCache: this.fromCache,
      previous: this.previous === undefined ? undefined : this.previous.toString(),
    };
  }
}

/** Lower-cases names and joins repeated fields with `', '`. */
export function joinHeaders(pairs: ReadonlyArray<readonly [string, string]>): Record<string, string> {
  const headers: Record<string, string> = Object.create(null);
  for (const [name, value] of pairs) {
    const key = name.toLowerCase();
    const seen = headers[key];
    headers[key] = seen === undefined ? value : `${seen}, ${value}`;
  }
  return headers;
}
