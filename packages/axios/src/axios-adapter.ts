import * as http from 'node:http';
import * as https from 'node:https';
import { Readable } from 'node:stream';
import type { ReadableStream as WebReadableStream } from 'node:stream/web';
import {
  type AbortTarget,
  type Adapter,
  type AdapterRequest,
  type AdapterResponse,
  abortTarget,
} from '@asynchttp/core';
import axios, {
  type AxiosInstance,
  type AxiosProxyConfig,
  type AxiosRequestConfig,
  type AxiosResponse,
} from 'axios';
import { toCoreError } from './errors.js';
import { responseHeaders, toAxiosHeaders } from './headers.js';

/** Options of `axiosAdapter()`. */
export interface AxiosAdapterOptions {
  /**
   * A user's axios instance. Its interceptors and defaults still apply, except the settings the adapter
   * must own per request (redirects, status validation, response type, decompression, transforms, limits,
   * timeout). Its own `httpAgent` / `httpsAgent`, if any, are used and never destroyed by `close()`.
   * @default axios.create()
   */
  instance?: AxiosInstance | undefined;
  /**
   * Certificate authorities (PEM) to trust for HTTPS; like `tls.connect`, they replace Node's bundled roots.
   * @default Node's bundled roots
   */
  ca?: string | Buffer | Array<string | Buffer> | undefined;
  /** Client certificate chain (PEM), for mutual TLS. */
  cert?: string | Buffer | Array<string | Buffer> | undefined;
  /** Private key of `cert` (PEM). */
  key?: string | Buffer | Array<string | Buffer> | undefined;
  /** Set to `false` to accept certificates that do not verify. Only for tests. @default true */
  rejectUnauthorized?: boolean | undefined;
  /**
   * Settings of the keep-alive agents the adapter creates (one `http.Agent`, one `https.Agent` per
   * adapter, destroyed by `close()`).
   * @default { keepAlive: true }
   */
  agent?: http.AgentOptions | undefined;
  /**
   * A proxy for every request. Without it the adapter sends directly, ignoring `HTTP_PROXY` and friends,
   * unless the instance's defaults name a proxy.
   * @default false
   */
  proxy?: AxiosProxyConfig | false | undefined;
}

/**
 * An asynchttp adapter on axios: one exchange per `send()` through `instance.request()`, so a user's
 * interceptors still run. Redirects are never followed, statuses never throw, bodies stay encoded
 * (core decodes them) and the body is cut off past `maxResponseBytes`.
 *
 * @example
 * ```ts
 * import { Http } from '@asynchttp/core';
 * import { axiosAdapter } from '@asynchttp/axios';
 *
 * const http = new Http({ adapter: axiosAdapter({ instance: myAxios }), maxWorkers: 8 });
 * ```
 */
export function axiosAdapter(options: AxiosAdapterOptions = {}): Adapter {
  if (typeof options !== 'object' || options === null) {
    throw new TypeError('axiosAdapter(options) takes an options object');
  }
  return new AxiosAdapter(options);
}

function passThrough(data: unknown): unknown {
  return data;
}

function acceptEveryStatus(): boolean {
  return true;
}

// Shared by every request: axios reads these arrays, it never mutates them.
const passThroughTransforms = [passThrough];

class AxiosAdapter implements Adapter {
  readonly name = 'axios';
  readonly #instance: AxiosInstance;
  readonly #httpAgent: http.Agent;
  readonly #httpsAgent: https.Agent;
  readonly #owned: http.Agent[] = [];
  readonly #proxy: AxiosProxyConfig | false;

  constructor(options: AxiosAdapterOptions) {
    const { instance, ca, cert, key, rejectUnauthorized } = options;
    if (instance === undefined) {
      this.#instance = axios.create();
      // axios's global default Accept would ride on every request; with our own instance, send core's headers only.
      delete this.#instance.defaults.headers.common.Accept;
    } else {
      if (typeof instance?.request !== 'function') {
        throw new TypeError('axiosAdapter({ instance }) takes an axios instance, such as axios.create()');
      }
      this.#instance = instance;
    }
    const defaults = this.#instance.defaults;
    const agentOptions = { keepAlive: true, ...options.agent };
    this.#httpAgent = defaults.httpAgent ?? this.#own(new http.Agent(agentOptions));
    const tls =
      ca !== undefined || cert !== undefined || key !== undefined || rejectUnauthorized !== undefined;
    // TLS options given to the adapter win over the instance's agent, which cannot carry them.
    this.#httpsAgent =
      !tls && defaults.httpsAgent !== undefined
        ? defaults.httpsAgent
        : this.#own(new https.Agent({ ...agentOptions, ca, cert, key, rejectUnauthorized }));
    this.#proxy = options.proxy ?? defaults.proxy ?? false;
  }

  async send(request: AdapterRequest): Promise<AdapterResponse> {
    const { url, body, maxResponseBytes, stream } = request;
    const secure = url.protocol === 'https:';
    // axios takes any EventTarget-like signal; core's light target spares an AbortController.
    let signal: AbortTarget | AbortSignal = abortTarget(request);
    let data: Buffer | Readable | undefined;
    if (body instanceof Uint8Array) data = Buffer.from(body.buffer, body.byteOffset, body.byteLength);
    else if (body !== undefined) {
      data = Readable.fromWeb(body as WebReadableStream<Uint8Array>);
      // axios pipes a stream body without watching it: a failing one must end the exchange itself.
      signal = uploadSignal(signal, data);
    }
    // One literal with the same shape every time; the adapter owns every field that could change the exchange.
    const config: AxiosRequestConfig = {
      url: url.href,
      method: request.method,
      headers: toAxiosHeaders(request.headers),
      data,
      signal: signal as AbortSignal,
      maxRedirects: 0,
      // A user instance's `transport` (such as follow-redirects) would otherwise follow redirects anyway.
      transport: secure ? https : http,
      validateStatus: acceptEveryStatus,
      responseType: stream ? 'stream' : 'arraybuffer',
      decompress: false,
      transformRequest: passThroughTransforms,
      transformResponse: passThroughTransforms,
      maxContentLength: stream ? -1 : (maxResponseBytes ?? -1),
      maxBodyLength: Number.POSITIVE_INFINITY,
      // Core owns the timeout; 0 also overrides one in a user instance's defaults.
      timeout: 0,
      allowAbsoluteUrls: true,
      proxy: this.#proxy,
      httpAgent: this.#httpAgent,
      httpsAgent: this.#httpsAgent,
    };
    let response: AxiosResponse<unknown>;
    try {
      response = await this.#instance.request(config);
    } catch (error) {
      throw toCoreError(error, request);
    }
    const { status } = response;
    return {
      status,
      reason: response.statusText || http.STATUS_CODES[status] || '',
      version: response.request?.res?.httpVersion ?? '1.1',
      headers: responseHeaders(response),
      body: stream ? toWebStream(response.data as Readable, request) : toBytes(response.data),
      decoded: false,
    };
  }

  async close(): Promise<void> {
    for (const agent of this.#owned) agent.destroy();
  }

  #own<T extends http.Agent>(agent: T): T {
    this.#owned.push(agent);
    return agent;
  }
}

/**
 * The unread response (`responseType: 'stream'`) as a web stream, read only as the caller reads: the
 * response flows for one chunk per pull and is paused again. Cancelling it destroys the response, which
 * closes the connection; a connection closed before the end is a failure, not an end.
 */
function toWebStream(data: Readable, request: AdapterRequest): ReadableStream<Uint8Array> {
  let ended = false;
  const fail = (controller: ReadableStreamDefaultController<Uint8Array>, error: unknown) => {
    if (ended) return;
    ended = true;
    controller.error(toCoreError(error, request));
  };
  return new ReadableStream<Uint8Array>(
    {
      start(controller) {
        data.pause();
        data.on('data', (chunk: Buffer) => {
          if (ended) return;
          controller.enqueue(new Uint8Array(chunk.buffer, chunk.byteOffset, chunk.byteLength));
          if ((controller.desiredSize ?? 0) <= 0) data.pause();
        });
        data.once('end', () => {
          if (ended) return;
          ended = true;
          controller.close();
        });
        data.once('error', (error) => fail(controller, error));
        data.once('close', () => fail(controller, new Error('The connection closed before the body ended')));
      },
      pull() {
        data.resume();
      },
      cancel() {
        ended = true;
        data.destroy();
      },
    },
    { highWaterMark: 0 },
  );
}

/** A signal that aborts with core's `target`, or when the upload `data` fails (core reports that failure). */
function uploadSignal(target: AbortTarget, data: Readable): AbortSignal {
  const controller = new AbortController();
  if (target.aborted) controller.abort(target.reason);
  else target.addEventListener('abort', () => controller.abort(target.reason), { once: true });
  data.once('error', (error) => controller.abort(error));
  return controller.signal;
}

/** The body as a plain `Uint8Array` view (no copy), whatever axios adapter produced it. */
function toBytes(data: unknown): Uint8Array {
  if (data instanceof Uint8Array) return new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
  if (data instanceof ArrayBuffer) return new Uint8Array(data);
  if (ArrayBuffer.isView(data)) return new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
  if (typeof data === 'string') return new TextEncoder().encode(data);
  return new Uint8Array(0);
}
