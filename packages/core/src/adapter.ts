/**
 * The contract between `@asynchttp/core` and a transport library.
 *
 * An adapter performs exactly one HTTP exchange per `send()`. Everything above one exchange (the queue,
 * redirects, cache, credentials, compression, retries, limits, logging) belongs to core, so behaviour is
 * the same whichever adapter is plugged in.
 *
 * @example
 * ```ts
 * import type { Adapter } from '@asynchttp/core';
 *
 * export const myAdapter = (): Adapter => ({
 *   name: 'my-adapter',
 *   async send(request) {
 *     // one exchange: no redirects followed, no throwing on status codes, body fully read
 *     return { status: 200, reason: 'OK', headers: [], body: new Uint8Array() };
 *   },
 * });
 * ```
 */
export interface Adapter {
  /** A short name for logs and errors, such as `'undici'`. */
  readonly name: string;
  /**
   * Performs one exchange. Must never follow redirects nor throw on a status code; must consume or
   * cancel the body; must honour `request.signal` by rejecting with `signal.reason`; must map network
   * failures to core's `ConnectionError`, `TimeoutError` or `CancelledError` (original as `cause`).
   */
  send(request: AdapterRequest): Promise<AdapterResponse>;
  /** Closes pooled connections. Called once by `Http.close()`. */
  close?(): Promise<void>;
  /**
   * `true` for a transport whose `send()` may wait in a queue of its own (a job queue, a remote
   * fleet) before the exchange begins. Core then arms the attempt's `timeout` only when the adapter
   * calls `request.started()`, so the wait does not count; such an adapter must call it once the
   * exchange really starts (a `send()` that settles without calling it was never timed).
   * @default false
   */
  readonly queued?: boolean | undefined;
}

/** What core hands to `Adapter.send()`. Adapters must not mutate it. */
export interface AdapterRequest {
  /** Absolute http(s) URL. */
  readonly url: URL;
  /** Method token, already validated (`GET`, `POST`, or a custom token). */
  readonly method: string;
  /** Header pairs with lower-case names, already validated (no CR/LF). Do not mutate. */
  readonly headers: [string, string][];
  /** Request body, if any: bytes, or a stream to send as it comes (chunked unless `content-length` is set). */
  readonly body?: Uint8Array | ReadableStream<Uint8Array> | undefined;
  /** Aborted on cancel or timeout; `signal.reason` is the core error to reject with. */
  readonly signal: AbortSignal;
  /**
   * The largest body core will accept. An adapter that can stop reading early should reject with
   * `ResponseTooLargeError` once the body passes it; core checks again either way.
   */
  readonly maxResponseBytes?: number | undefined;
  /**
   * For `queued` adapters: call when the exchange really starts (it left the adapter's own queue), so
   * the attempt's `timeout` counts from then. Later calls are ignored; absent for other adapters.
   */
  readonly started?: (() => void) | undefined;
  /**
   * `true` when the caller streams the response (`stream: true`): resolve at the headers and hand the
   * body back unread as a `ReadableStream`, cancelled (connection closed) when the stream is cancelled
   * or `signal` aborts. Core wraps a `Uint8Array` returned instead.
   */
  readonly stream?: boolean | undefined;
}

/** What `Adapter.send()` resolves with. */
export interface AdapterResponse {
  status: number;
  /** Reason phrase as received, or the standard one when the transport hides it (HTTP/2, fetch). */
  reason: string;
  /** HTTP version, such as `'1.1'`; defaults to `'1.1'`. */
  version?: string | undefined;
  /** Header pairs as received, repeated fields kept apart, names in any case. */
  headers: [string, string][];
  /** The whole body, or with `request.stream` the body unread. Empty for HEAD, 204 and 304. */
  body: Uint8Array | ReadableStream<Uint8Array>;
  /** `true` when the transport already removed the content-encoding (a browser's fetch does). */
  decoded?: boolean | undefined;
  /**
   * The URL the response came from, when the transport followed redirects itself (an adapter option
   * such as `fetchAdapter({ redirect: 'follow' })`); core then reports it as `Response.url`.
   * @default the request's URL
   */
  url?: string | undefined;
}

/** The shape of an adapter package's factory: `undiciAdapter(options?)`. */
export type AdapterFactory<Options = undefined> = (options?: Options) => Adapter;
