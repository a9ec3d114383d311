import type { Dispatcher } from 'undici';

/**
 * Options of `undiciAdapter()`. Without `dispatcher`, the adapter makes its own keep-alive `Agent` from
 * the other options and closes it in `close()`.
 */
export interface UndiciAdapterOptions {
  /**
   * A dispatcher (`Agent`, `Pool`, `ProxyAgent`, ...) to send through instead of the adapter's own.
   * The adapter never closes it: its owner does. Its timeouts stay as configured, so keep them above
   * core's `timeout` (undici's defaults, 300 s, are).
   * @default undefined (the adapter's own Agent)
   */
  dispatcher?: Dispatcher | undefined;
  /**
   * Connections per origin for the adapter's own Agent. Unlimited by default, so `maxWorkers` decides
   * how many requests run at once.
   * @default undefined (unlimited)
   */
  connections?: number | undefined;
  /**
   * How long an idle keep-alive connection stays open, in ms (capped by the server's `keep-alive` hint).
   * @default 4000
   */
  keepAliveTimeout?: number | undefined;
  /**
   * Certificate authorities to trust, PEM. Like `tls.connect`, this replaces Node's default list.
   * @default undefined (Node's default CAs)
   */
  ca?: string | Buffer | Array<string | Buffer> | undefined;
  /**
   * Client certificate chain, PEM, for mutual TLS.
   * @default undefined
   */
  cert?: string | Buffer | Array<string | Buffer> | undefined;
  /**
   * Private key of `cert`, PEM.
   * @default undefined
   */
  key?: string | Buffer | Array<string | Buffer> | undefined;
  /**
   * Reject servers whose certificate is not signed by a trusted CA. Turn off only for tests.
   * @default true
   */
  rejectUnauthorized?: boolean | undefined;
}

// Options that configure the adapter's own Agent, hence meaningless next to `dispatcher`.
export const agentOptionNames = [
  'connections',
  'keepAliveTimeout',
  'ca',
  'cert',
  'key',
  'rejectUnauthorized',
] as const;
