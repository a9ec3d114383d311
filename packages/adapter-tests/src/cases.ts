/**
 * Every case of the conformance suite, by id. Pass an id as a key of `skip` to declare a capability
 * an adapter cannot have.
 */
export const adapterCases = [
  /** Every method, a custom token (PROPFIND) included, arrives as sent. */
  'methods',
  /** 1 MiB of random bytes arrives byte-exact, as request body and as response body. */
  'binary-bodies',
  /** Percent-encoded paths and query strings arrive unchanged. */
  'url-encoding',
  /** A 20 MiB response body arrives whole. */
  'large-response',
  /** Request headers arrive, repeated ones included. */
  'request-headers',
  /** Repeated response headers stay apart in `rawHeaders` and are joined in `headers`. */
  'repeated-response-headers',
  /** 204, 304 and HEAD have empty bodies. */
  'empty-bodies',
  /** 404 and 500 are responses, not errors. */
  'error-statuses',
  /** The adapter returns a 302 with its location instead of following it. */
  'redirect-not-followed',
  /** A gzip body is passed raw, or decoded and flagged `decoded: true`. */
  'content-encoding',
  /** A gzip, deflate or br body cut short fails with `DecompressionError` (src/parity.ts). */
  'truncated-encoding',
  /** Timeout, cancel and refused errors carry the `request()` call site (src/parity.ts). */
  'call-site',
  /** A refused connection's message names the root reason (src/parity.ts). */
  'failure-reason',
  /** Aborting while waiting for headers rejects with `CancelledError`. */
  'abort-before-headers',
  /** Aborting while the body is read rejects with `CancelledError`. */
  'abort-during-body',
  /** A server that never answers plus a short timeout gives `TimeoutError`. */
  'timeout',
  /** A refused connection gives `ConnectionError`. */
  'connection-refused',
  /** A socket destroyed mid-body gives `ConnectionError`. */
  'connection-reset',
  /** After failures and `close()`, the server sees no open connection. */
  'no-socket-leak',
  /** `adapter.send` stops past `maxResponseBytes` with `ResponseTooLargeError`. */
  'response-too-large',
  /** Through `Http`, `maxResponseBytes` gives `ResponseTooLargeError`. */
  'response-too-large-http',
  /**
   * A 256 MiB chunked body and a 1 MiB limit: the adapter stops reading and closes the connection
   * once past the limit, so the server writes little more than the limit plus socket buffers.
   */
  'response-too-large-stops-reading',
  /**
   * `adapter.send` with `stream: true`: resolves at the headers with the body unread as a
   * `ReadableStream` (no `maxResponseBytes` applies), byte-exact when read, cancellable mid-body (the
   * connection closes), aborted by the signal mid-body; and a `ReadableStream` request body is sent.
   */
  'stream-response',
  /** 100 sequential requests reuse a few connections. */
  'keep-alive',
  /** 16 concurrent requests run on parallel connections. */
  'parallel-connections',
  /** HTTPS works with a custom CA (`create({ tls: { ca } })`). */
  'https-custom-ca',
  /** An untrusted certificate fails with `ConnectionError`. */
  'https-untrusted',
] as const;

/** The id of one case (or group of cases) of the conformance suite. */
export type AdapterCase = (typeof adapterCases)[number];
