import PQueue from 'p-queue';
import type { Adapter, AdapterResponse } from './adapter.js';
import { captureCallSite, formatCallSite } from './call-site.js';
import { Content } from './content.js';
import { AsyncHttpError, isAsyncHttpError } from './errors/async-http-error.js';
import { CancelledError } from './errors/cancelled-error.js';
import { ClosedError } from './errors/closed-error.js';
import { ConnectionError } from './errors/connection-error.js';
import { InvalidRequestError } from './errors/invalid-request-error.js';
import { ResponseTooLargeError } from './errors/response-too-large-error.js';
import { TimeoutError } from './errors/timeout-error.js';
import { debugEnabled, debugLogger, type Logger, silentLogger } from './logger.js';
import {
  type CloseOptions,
  checkMaxWorkers,
  checkPositiveInteger,
  checkTimeout,
  defaults,
  describe,
  type HttpOptions,
  type RequestOptions,
} from './options.js';
import { QUEUED, type RequestHost, type RequestPromise, RequestTask, RUNNING } from './promise-objects.js';
import { RequestQueue } from './queue.js';
import {
  type BodyInit,
  checkUrl,
  encodeBody,
  type HeaderPairs,
  type HeadersInit,
  hasHeader,
  mergeHeaders,
  normalizeHeaders,
  normalizeMethod,
  parseUrl,
} from './request.js';
import { Response } from './response.js';
import { defaultTimers, type Timers } from './timers.js';

const adapterPackages =
  '@asynchttp/undici (undiciAdapter), @asynchttp/axios (axiosAdapter) or @asynchttp/fetch (fetchAdapter)';

/**
 * A queued, concurrency-bounded HTTP client. `request()` returns at once; at most `maxWorkers`
 * requests run at a time; the rest wait in a priority queue.
 *
 * @example
 * ```ts
 * import { Http } from '@asynchttp/core';
 * import { undiciAdapter } from '@asynchttp/undici';
 *
 * const http = new Http({ adapter: undiciAdapter(), maxWorkers: 5 });
 * const [response, content] = http.request('http://127.0.0.1:8080/agencies.json');
 * console.log((await response).status, await content.text());
 * await http.close();
 * ```
 */
export class Http {
  /** The transport in use. */
  readonly adapter: Adapter;
  /** Where the log goes. */
  readonly logger: Logger;
  readonly #queue: PQueue;
  #waiting!: RequestQueue;
  #maxWorkers: number;
  #timeout: number;
  readonly #headers: HeaderPairs;
  readonly #maxResponseBytes: number;
  readonly #timers: Timers;
  readonly #host: RequestHost;
  readonly #captureCallSite: boolean;
  #nextId = 0;
  #closed = false;
  #closing: Promise<void> | undefined;

  constructor(options: HttpOptions) {
    if (typeof options !== 'object' || options === null) {
      throw new TypeError(
        `new Http(options) takes an options object with an adapter, got ${describe(options)}`,
      );
    }
    const { adapter } = options;
    if (adapter === undefined || adapter === null) {
      throw new TypeError(
        `new Http() needs an adapter: install one of ${adapterPackages} and pass it as { adapter: undiciAdapter() }`,
      );
    }
    if (typeof adapter !== 'object' || typeof adapter.send !== 'function') {
      throw new TypeError(
        `The adapter must be an object with a send(request) method, such as undiciAdapter() from ${adapterPackages}`,
      );
    }
    this.adapter = adapter;
    this.#maxWorkers = checkMaxWorkers(
      options.maxWorkers === undefined ? defaults.maxWorkers : options.maxWorkers,
    );
    this.#timeout = checkTimeout(options.timeout === undefined ? defaults.timeout : options.timeout);
    this.#maxResponseBytes = checkPositiveInteger(
      options.maxResponseBytes === undefined ? defaults.maxResponseBytes : options.maxResponseBytes,
      'maxResponseBytes',
    );
    try {
      this.#headers = normalizeHeaders(options.headers);
    } catch (error) {
      throw new TypeError(`Invalid default headers: ${(error as Error).message}`, { cause: error });
    }
    const { logger } = options;
    if (logger !== undefined && logger !== false && !isLogger(logger)) {
      throw new TypeError('logger must be an object with debug, info, warn and error methods, or false');
    }
    this.logger = logger === false ? silentLogger : (logger ?? debugLogger);
    this.#timers = options.timers ?? defaultTimers;
    this.#captureCallSite = options.captureCallSite !== false;

    const self = this;
    // p-queue makes its own queue instance; this subclass hands it back so requests can leave the line.
    class WaitingLine extends RequestQueue {
      constructor() {
        super();
        self.#waiting = this;
      }
    }
    this.#queue = new PQueue({ concurrency: this.#maxWorkers, queueClass: WaitingLine });
    this.#host = {
      unqueue: (task) => this.#waiting.take(task),
      settled: (task) => this.#settled(task),
    };
  }

  /** How many requests run at once. Setting it takes effect at once. */
  get maxWorkers(): number {
    return this.#maxWorkers;
  }
  set maxWorkers(value: number) {
    this.#maxWorkers = checkMaxWorkers(value);
    this.#queue.concurrency = value;
  }

  /** Default timeout per attempt, in ms. */
  get timeout(): number {
    return this.#timeout;
  }
  set timeout(value: number) {
    this.#timeout = checkTimeout(value);
  }

  /** Requests waiting for a worker (not started). */
  get size(): number {
    return this.#queue.size;
  }

  /** Requests running now. */
  get pending(): number {
    return this.#queue.pending;
  }

  /** Settles when nothing is waiting or running. */
  onIdle(): Promise<void> {
    return this.#queue.onIdle();
  }

  /**
   * Queues a request and returns its promise objects at once. Never throws: every failure, bad input
   * included, is raised where a promise object is used.
   *
   * @example
   * ```ts
   * const [response, content] = http.request(url);
   * const { data } = await http.request(url, { callback: ({ content }) => content.json() });
   * ```
   */
  request<T = undefined>(uri: string | URL, options?: RequestOptions<T>): RequestPromise<T>;
  /** httplib2's positional form. */
  request(
    uri: string | URL,
    method?: string,
    body?: BodyInit,
    headers?: HeadersInit,
  ): RequestPromise<undefined>;
  request<T>(
    uri: string | URL,
    optionsOrMethod?: RequestOptions<T> | string,
    body?: BodyInit,
    headers?: HeadersInit,
  ): RequestPromise<T> {
    const task = new RequestTask<T>(
      ++this.#nextId,
      this.#host,
      this.#captureCallSite ? captureCallSite(this.request) : undefined,
    );
    const log = debugEnabled(this.logger);
    let options: RequestOptions<T> | undefined;
    try {
      if (typeof optionsOrMethod === 'string' || body !== undefined || headers !== undefined) {
        options = { method: optionsOrMethod as string | undefined, body, headers };
      } else {
        options = optionsOrMethod;
      }
      this.#prepare(task, uri, options);
    } catch (error) {
      if (log) this.logger.debug(`#${task.id} rejected before queueing: ${(error as Error).message}`);
      task.fail(error);
      return task;
    }
    if (this.#closed) {
      task.fail(new ClosedError(`This Http is closed; no new requests: ${task.method} ${task.url}`));
      return task;
    }
    const { signal } = task;
    if (signal !== undefined) {
      if (signal.aborted) {
        task.cancel(signal.reason);
        return task;
      }
      signal.addEventListener('abort', task, { once: true });
    }
    if (log) {
      task.queuedAt = this.#timers.now();
      this.logger.debug(`#${task.id} queued ${task.method} ${task.url} (${this.#queue.size} waiting)`);
    }
    const priority = options?.priority;
    this.#queue.add(() => this.#run(task), {
      priority,
      id: task as unknown as string,
    });
    return task;
  }

  /**
   * Stops taking requests (new ones fail with `ClosedError`), lets the queued ones run (or cancels them
   * with `cancelPending`), waits for the running ones, then closes the adapter's connections.
   */
  close(options?: CloseOptions): Promise<void> {
    if (options !== undefined && (typeof options !== 'object' || options === null)) {
      return Promise.reject(new TypeError(`close(options) takes an object, got ${describe(options)}`));
    }
    this.#closed = true;
    if (options?.cancelPending) {
      for (const task of this.#waiting.drain() as RequestTask<any>[]) {
        task.cancel(new CancelledError('Cancelled by close({ cancelPending: true })'));
      }
    }
    if (this.#closing === undefined) {
      this.#closing = (async () => {
        await this.#queue.onIdle();
        this.logger.debug('closing the adapter');
        await this.adapter.close?.();
      })();
    }
    return this.#closing;
  }

  #prepare<T>(task: RequestTask<T>, uri: unknown, options: RequestOptions<T> | undefined): void {
    task.url = checkUrl(uri);
    if (options === undefined) {
      task.headers = this.#headers;
      task.timeout = this.#timeout;
      return;
    }
    if (typeof options !== 'object' || options === null) {
      throw new InvalidRequestError(`Request options must be an object, got ${describe(options)}`);
    }
    task.method = normalizeMethod(options.method);
    let headers = mergeHeaders(this.#headers, normalizeHeaders(options.headers));
    const encoded = encodeBody(options.body, options.json, 'json' in options && options.json !== undefined);
    if (encoded !== undefined) {
      task.body = encoded.bytes;
      if (encoded.contentType !== undefined && !hasHeader(headers, 'content-type')) {
        headers = [...headers, ['content-type', encoded.contentType]];
      }
    }
    task.headers = headers;
    const { callback, signal, priority, timeout } = options;
    if (callback !== undefined && typeof callback !== 'function') {
      throw new InvalidRequestError(`callback must be a function, got ${describe(callback)}`);
    }
    task.callback = callback;
    if (signal !== undefined && !isAbortSignal(signal)) {
      throw new InvalidRequestError('signal must be an AbortSignal');
    }
    task.signal = signal;
    if (priority !== undefined && !Number.isFinite(priority)) {
      throw new InvalidRequestError(`priority must be a finite number, got ${describe(priority)}`);
    }
    try {
      task.timeout = timeout === undefined ? this.#timeout : checkTimeout(timeout);
    } catch (error) {
      throw new InvalidRequestError((error as Error).message);
    }
  }

  async #run<T>(task: RequestTask<T>): Promise<void> {
    if (task.state !== QUEUED) return;
    task.state = RUNNING;
    const log = task.queuedAt !== 0;
    if (log) {
      const waited = this.#timers.now() - task.queuedAt;
      this.logger.debug(
        `#${task.id} started ${task.method} ${task.url}: worker ${this.#queue.pending}/${this.#maxWorkers}, ` +
          `waited ${waited.toFixed(1)} ms`,
      );
      task.queuedAt = this.#timers.now();
    }
    let response: Response;
    let content: Content;
    try {
      ({ response, content } = await this.#exchange(task));
    } catch (error) {
      task.fail(error);
      return;
    }
    if (task.state !== RUNNING) return;
    let data: T | undefined;
    if (task.callback !== undefined) {
      try {
        data = await task.callback({ response, content });
      } catch (error) {
        this.logger.warn(
          `#${task.id} callback failed for ${task.method} ${task.url}: ${String(error)}\n` +
            `    request() called from:\n${formatCallSite(task.site ?? {})}`,
        );
        task.fail(error);
        return;
      }
      if (log) this.logger.debug(`#${task.id} callback done`);
    }
    task.fulfill(response, content, data as T);
  }

  /** One attempt through the adapter, bounded by the request's timeout. */
  async #exchange(task: RequestTask<any>): Promise<{ response: Response; content: Content }> {
    const url = parseUrl(task.url);
    const controller = new AbortController();
    task.controller = controller;
    const timers = this.#timers;
    const timer = Number.isFinite(task.timeout)
      ? timers.setTimeout(() => this.#timedOut(task, controller), task.timeout)
      : undefined;
    let result: AdapterResponse;
    try {
      result = await this.adapter.send({
        url,
        method: task.method,
        headers: task.headers,
        body: task.body,
        signal: controller.signal,
        maxResponseBytes: this.#maxResponseBytes,
      });
    } catch (error) {
      throw adapterFailure(error, controller.signal, this.adapter.name);
    } finally {
      if (timer !== undefined) timers.clearTimeout(timer);
      task.controller = undefined;
    }
    checkAdapterResponse(result, this.adapter.name);
    if (result.body.byteLength > this.#maxResponseBytes) {
      throw new ResponseTooLargeError(
        `Response body of ${result.body.byteLength} bytes exceeds maxResponseBytes (${this.#maxResponseBytes})`,
        { limit: this.#maxResponseBytes },
      );
    }
    const response = new Response({
      status: result.status,
      reason: result.reason,
      version: result.version,
      rawHeaders: result.headers,
      url: url.href,
    });
    return { response, content: new Content(result.body, findHeader(result.headers, 'content-type')) };
  }

  #timedOut(task: RequestTask<any>, controller: AbortController): void {
    const error = new TimeoutError(`Request timed out after ${task.timeout} ms: ${task.method} ${task.url}`, {
      request: { method: task.method, url: task.url },
    });
    controller.abort(error);
    task.fail(error);
  }

  #settled(task: RequestTask<any>): void {
    if (task.queuedAt === 0) return;
    const ms = (this.#timers.now() - task.queuedAt).toFixed(1);
    if (task.error === undefined) {
      const { result } = task;
      this.logger.debug(
        `#${task.id} done ${result!.status} ${result!.reason} in ${ms} ms, ${task.resultContent!.byteLength} bytes`,
      );
    } else {
      const error = task.error as Error;
      this.logger.debug(
        `#${task.id} failed after ${ms} ms: ${error?.name ?? 'Error'}: ${error?.message ?? String(error)}\n` +
          `    request() called from:\n${formatCallSite(task.site ?? {})}`,
      );
    }
  }
}

function isLogger(value: unknown): value is Logger {
  if (typeof value !== 'object' || value === null) return false;
  const logger = value as Record<string, unknown>;
  return ['debug', 'info', 'warn', 'error'].every((level) => typeof logger[level] === 'function');
}

function isAbortSignal(value: unknown): value is AbortSignal {
  return (
    typeof value === 'object' &&
    value !== null &&
    typeof (value as AbortSignal).aborted === 'boolean' &&
    typeof (value as AbortSignal).addEventListener === 'function'
  );
}

function findHeader(pairs: ReadonlyArray<readonly [string, string]>, name: string): string | undefined {
  for (const [key, value] of pairs)
    if (key.length === name.length && key.toLowerCase() === name) return value;
  return undefined;
}

/** Core's error for whatever the adapter threw: the abort reason wins, foreign errors are wrapped. */
function adapterFailure(error: unknown, signal: AbortSignal, adapter: string): unknown {
  if (signal.aborted && signal.reason instanceof AsyncHttpError) return signal.reason;
  if (isAsyncHttpError(error)) return error;
  const message = error instanceof Error ? error.message : String(error);
  return new ConnectionError(`The ${adapter} adapter failed: ${message}`, { cause: error });
}

function checkAdapterResponse(result: AdapterResponse, adapter: string): void {
  if (
    typeof result !== 'object' ||
    result === null ||
    !Number.isInteger(result.status) ||
    result.status < 100 ||
    result.status > 999 ||
    !Array.isArray(result.headers) ||
    !(result.body instanceof Uint8Array)
  ) {
    throw new ConnectionError(
      `The ${adapter} adapter returned an invalid response (needs an integer status, header pairs and a Uint8Array body)`,
    );
  }
}
