import PQueue from 'p-queue';
import type { Adapter } from './adapter.js';
import { HttpCache } from './cache/http-cache.js';
import type { CacheStore } from './cache/store.js';
import { captureCallSite, formatCallSite } from './call-site.js';
import { acceptEncoding } from './compression.js';
import { Content } from './content.js';
import { Credentials } from './credentials.js';
import { AsyncHttpError } from './errors/async-http-error.js';
import { CancelledError } from './errors/cancelled-error.js';
import { ClosedError } from './errors/closed-error.js';
import { InvalidRequestError } from './errors/invalid-request-error.js';
import { TimeoutError } from './errors/timeout-error.js';
import { AsyncHttpErrorWithResponse } from './errors/with-response.js';
import { errorMessage, formatError } from './format-error.js';
import { debugEnabled, debugLogger, guardLogger, type Logger, silentLogger } from './logger.js';
import {
  type CloseOptions,
  defaults,
  type HttpOptions,
  type RequestOptions,
  unknownHttpOption,
  unknownRequestOption,
} from './options.js';
import { composePipeline, type Exchanged, type Hop, needsNetwork, type Pipeline } from './pipeline/index.js';
import { checkInterceptors } from './pipeline/interceptors.js';
import {
  FULFILLED,
  QUEUED,
  type RequestHost,
  type RequestPromise,
  RequestTask,
  RUNNING,
} from './promise-objects.js';
import { RequestQueue } from './queue.js';
import type { RedirectRules } from './redirects.js';
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
import { type RetryPolicy, retryPolicy } from './retry.js';
import { defaultTimers, type Timers } from './timers.js';
import {
  checkBoolean,
  checkCount,
  checkMaxWorkers,
  checkPositiveInteger,
  checkTimeout,
  describe,
} from './validate.js';

const adapterPackages =
  '@asynchttp/undici (undiciAdapter), @asynchttp/axios (axiosAdapter) or @asynchttp/fetch (fetchAdapter)';
const encoder = new TextEncoder();

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
  /** The workers: every running request is a p-queue task. */
  readonly #queue: PQueue;
  /** The requests waiting for a worker, in front of p-queue. */
  readonly #line = new RequestQueue<RequestTask<any>>();
  #maxWorkers: number;
  #timeout: number;
  #redirections: number;
  #forceExceptionToStatusCode: boolean;
  #retry: RetryPolicy;
  readonly #rules: RedirectRules;
  readonly #credentials = new Credentials();
  /** Default headers, and the same with `accept-encoding`, made once. */
  readonly #headers: HeaderPairs;
  readonly #sentHeaders: HeaderPairs;
  readonly #pipeline: Pipeline;
  readonly #cached: boolean;
  readonly #timers: Timers;
  readonly #host: RequestHost;
  readonly #captureCallSite: boolean;
  /** Identical GETs in flight, by method, URL and headers: later ones wait for the first (cache only). */
  readonly #inflight = new Map<string, RequestTask<any>>();
  /** Cache lookups not yet decided; `close()` waits for them before it waits for the queue. */
  readonly #lookups = new Set<Promise<void>>();
  #nextId = 0;
  #closed = false;
  #cancelPending = false;
  #closing: Promise<void> | undefined;

  constructor(options: HttpOptions) {
    if (typeof options !== 'object' || options === null) {
      throw new TypeError(
        `new Http(options) takes an options object with an adapter, got ${describe(options)}`,
      );
    }
    const unknown = unknownHttpOption(options);
    if (unknown !== undefined) throw new TypeError(unknown);
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
    this.#maxWorkers = checkMaxWorkers(option(options.maxWorkers, defaults.maxWorkers));
    this.#timeout = checkTimeout(option(options.timeout, defaults.timeout));
    this.#redirections = checkCount(option(options.redirections, defaults.redirections), 'redirections');
    this.#forceExceptionToStatusCode = checkBoolean(
      option(options.forceExceptionToStatusCode, false),
      'forceExceptionToStatusCode',
    );
    this.#rules = {
      followRedirects: checkBoolean(option(options.followRedirects, true), 'followRedirects'),
      followAllRedirects: checkBoolean(option(options.followAllRedirects, false), 'followAllRedirects'),
    };
    this.#retry = retryPolicy(options.retry);
    const maxResponseBytes = checkPositiveInteger(
      option(options.maxResponseBytes, defaults.maxResponseBytes),
      'maxResponseBytes',
    );
    const maxCompressionRatio = checkPositiveInteger(
      option(options.maxCompressionRatio, defaults.maxCompressionRatio),
      'maxCompressionRatio',
    );
    try {
      this.#headers = normalizeHeaders(options.headers);
    } catch (error) {
      throw new TypeError(`Invalid default headers: ${errorMessage(error)}`, { cause: error });
    }
    this.#sentHeaders = withAcceptEncoding(this.#headers);
    const { logger } = options;
    if (logger !== undefined && logger !== false && !isLogger(logger)) {
      throw new TypeError('logger must be an object with debug, info, warn and error methods, or false');
    }
    this.logger = logger === false ? silentLogger : logger === undefined ? debugLogger : guardLogger(logger);
    this.#timers = options.timers ?? defaultTimers;
    this.#captureCallSite = options.captureCallSite !== false;
    const { cache } = options;
    if (cache !== undefined && !isCacheStore(cache)) {
      throw new TypeError(
        'cache must be a CacheStore (get, set and delete methods): new MemoryCacheStore(), or FileCacheStore from @asynchttp/core/file-cache',
      );
    }
    const interceptors = checkInterceptors(options.interceptors);
    const self = this;
    this.#cached = cache !== undefined;
    this.#pipeline = composePipeline({
      get forced() {
        return self.#forceExceptionToStatusCode;
      },
      adapter,
      interceptors,
      timers: this.#timers,
      maxResponseBytes,
      maxCompressionRatio,
      rules: this.#rules,
      credentials: this.#credentials,
      logger: this.logger,
      cache: cache === undefined ? undefined : new HttpCache(cache, this.logger),
    });

    this.#queue = new PQueue({ concurrency: this.#maxWorkers });
    // p-queue says when a worker is free; the next waiting request becomes its task.
    this.#queue.on('next', () => this.#pump());
    this.#host = {
      unqueue: (task) => this.#line.take(task),
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
    this.#pump();
  }

  /** Default timeout per attempt, in ms. */
  get timeout(): number {
    return this.#timeout;
  }
  set timeout(value: number) {
    this.#timeout = checkTimeout(value);
  }

  /** Whether redirects are followed (httplib2's `follow_redirects`). */
  get followRedirects(): boolean {
    return this.#rules.followRedirects;
  }
  set followRedirects(value: boolean) {
    this.#rules.followRedirects = checkBoolean(value, 'followRedirects');
  }

  /** Whether redirects of unsafe methods are followed too (httplib2's `follow_all_redirects`). */
  get followAllRedirects(): boolean {
    return this.#rules.followAllRedirects;
  }
  set followAllRedirects(value: boolean) {
    this.#rules.followAllRedirects = checkBoolean(value, 'followAllRedirects');
  }

  /** Default redirect limit per request. */
  get redirections(): number {
    return this.#redirections;
  }
  set redirections(value: number) {
    this.#redirections = checkCount(value, 'redirections');
  }

  /** Whether failures become synthetic responses (httplib2's `force_exception_to_status_code`). */
  get forceExceptionToStatusCode(): boolean {
    return this.#forceExceptionToStatusCode;
  }
  set forceExceptionToStatusCode(value: boolean) {
    this.#forceExceptionToStatusCode = checkBoolean(value, 'forceExceptionToStatusCode');
  }

  /** Requests waiting for a worker (not started). */
  get size(): number {
    return this.#line.size + this.#queue.size;
  }

  /** Requests running now. */
  get pending(): number {
    return this.#queue.pending;
  }

  /** Settles when nothing is waiting or running. */
  async onIdle(): Promise<void> {
    while (this.#lookups.size > 0 || this.#line.size > 0 || this.#queue.size > 0 || this.#queue.pending > 0) {
      if (this.#lookups.size > 0) await Promise.all(this.#lookups);
      this.#pump();
      await this.#queue.onIdle();
    }
  }

  /**
   * Adds credentials answered to 401 challenges (Basic and Digest), for every host or only `domain`
   * (a host name, or `host:port`).
   */
  addCredentials(name: string, password: string, domain?: string): void {
    if (typeof name !== 'string' || typeof password !== 'string') {
      throw new TypeError('addCredentials(name, password, domain?) takes strings');
    }
    if (domain !== undefined && (typeof domain !== 'string' || domain === '')) {
      throw new TypeError('addCredentials: domain must be a non-empty host name when given');
    }
    this.#credentials.add(name, password, domain);
  }

  /** Forgets every credential and every authorization earned with them. */
  clearCredentials(): void {
    this.#credentials.clear();
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
      this.#captureCallSite ? captureCallSite() : undefined,
    );
    const log = debugEnabled(this.logger);
    let priority: number | undefined;
    try {
      if (typeof optionsOrMethod === 'string' || body !== undefined || headers !== undefined) {
        const options = { method: optionsOrMethod as string | undefined, body, headers };
        priority = this.#prepare(task, uri, options, false);
      } else {
        priority = this.#prepare(task, uri, optionsOrMethod, true);
      }
    } catch (error) {
      const failure = invalidInput(error);
      if (log) this.logger.debug(`#${task.id} rejected before queueing: ${errorMessage(failure)}`);
      task.fail(failure);
      return task;
    }
    if (this.#closed) {
      task.fail(new ClosedError(`This Http is closed; no new requests: ${task.method} ${task.url}`));
      return task;
    }
    if (task.signal !== undefined && !listen(task, task.signal)) return task;
    if (log) {
      task.queuedAt = this.#timers.now();
      this.logger.debug(`#${task.id} queued ${task.method} ${task.url} (${this.size} waiting)`);
    }
    if (this.#cached && (task.method === 'GET' || task.method === 'HEAD')) {
      const lookup = this.#viaCache(task, priority)
        .catch((error: unknown) => task.fail(error))
        .finally(() => this.#lookups.delete(lookup));
      this.#lookups.add(lookup);
    } else {
      this.#enqueue(task, priority);
    }
    return task;
  }

  #enqueue(task: RequestTask<any>, priority: number | undefined): void {
    // A request still in its cache lookup when close({ cancelPending }) came is cancelled like the queued.
    if (this.#cancelPending) {
      task.cancel(new CancelledError('Cancelled by close({ cancelPending: true })'));
      return;
    }
    if (this.#line.size === 0 && this.#queue.pending + this.#queue.size < this.#maxWorkers) this.#start(task);
    else this.#line.enqueue(task, priority);
  }

  #start(task: RequestTask<any>): void {
    this.#queue.add(() => this.#work(task));
  }

  /**
   * A worker's p-queue task: it ends when the request settles, not when its adapter call or callback
   * does, so a request cancelled or timed out while stuck (an adapter that ignores the signal, a
   * callback that never settles) frees its slot at once; whatever it produces later is ignored, since
   * a settled request settles only once.
   */
  #work(task: RequestTask<any>): Promise<void> {
    return new Promise<void>((release) => {
      task.release = release;
      this.#run(task).then(release, (error: unknown) => {
        task.fail(error);
        release();
      });
    });
  }

  /** Hands waiting requests to free workers. */
  #pump(): void {
    const queue = this.#queue;
    while (this.#line.size > 0 && queue.pending + queue.size < this.#maxWorkers) {
      this.#start(this.#line.dequeue()!);
    }
  }

  /**
   * With a cache, a fresh hit is served here, without a worker slot; an identical GET already in flight
   * is waited for instead of sent again; anything else is queued.
   */
  async #viaCache(task: RequestTask<any>, priority: number | undefined): Promise<void> {
    let hit: Exchanged | undefined;
    try {
      hit = await this.#pipeline.offline!(firstHop(task), task);
    } catch (error) {
      if (error !== needsNetwork) {
        task.fail(error);
        return;
      }
    }
    if (task.state !== QUEUED) return;
    if (hit !== undefined) {
      task.state = RUNNING;
      await this.#complete(task, hit);
      return;
    }
    const key =
      task.body === undefined ? `${task.method} ${task.url}\n${task.headers.join('\n')}` : undefined;
    const leader = key === undefined ? undefined : this.#inflight.get(key);
    if (leader === undefined) {
      if (key !== undefined) {
        this.#inflight.set(key, task);
        task.coalesceKey = key;
      }
      this.#enqueue(task, priority);
      return;
    }
    await leader.wait();
    if (task.state !== QUEUED) return;
    if (leader.state === FULFILLED) {
      if (task.queuedAt !== 0) this.logger.debug(`#${task.id} shares the response of #${leader.id}`);
      task.state = RUNNING;
      await this.#complete(task, { response: leader.result!, content: leader.resultContent! });
    } else {
      this.#enqueue(task, priority);
    }
  }

  /**
   * Stops taking requests (new ones fail with `ClosedError`), lets the queued ones run (or cancels them
   * with `cancelPending`), waits for the running ones, then closes the adapter's connections.
   */
  close(options?: CloseOptions): Promise<void> {
    if (options !== undefined && (typeof options !== 'object' || options === null)) {
      return Promise.reject(new TypeError(`close(options) takes an object, got ${describe(options)}`));
    }
    let cancelPending: unknown;
    try {
      cancelPending = options?.cancelPending;
    } catch (error) {
      return Promise.reject(
        new TypeError(`close(options) threw when read: ${formatError(error)}`, { cause: error }),
      );
    }
    this.#closed = true;
    if (cancelPending) {
      this.#cancelPending = true;
      for (const task of this.#line.drain()) {
        task.cancel(new CancelledError('Cancelled by close({ cancelPending: true })'));
      }
    }
    if (this.#closing === undefined) {
      this.#closing = (async () => {
        await this.onIdle();
        this.logger.debug('closing the adapter');
        await this.adapter.close?.();
      })();
    }
    return this.#closing;
  }

  /**
   * Reads and checks the caller's input into `task`; returns the priority. Throws whatever the input
   * throws (its getters, `toString`, iterators): `request()` turns that into `InvalidRequestError`.
   */
  #prepare<T>(
    task: RequestTask<T>,
    uri: unknown,
    options: RequestOptions<T> | undefined,
    checkNames: boolean,
  ): number | undefined {
    task.url = checkUrl(uri);
    task.timeout = this.#timeout;
    task.redirections = this.#redirections;
    task.retry = this.#retry;
    if (options === undefined) {
      task.headers = this.#sentHeaders;
      return undefined;
    }
    if (typeof options !== 'object' || options === null) {
      throw new InvalidRequestError(`Request options must be an object, got ${describe(options)}`);
    }
    if (checkNames) {
      const unknown = unknownRequestOption(options);
      if (unknown !== undefined) throw new InvalidRequestError(unknown);
    }
    task.method = normalizeMethod(options.method);
    const own = normalizeHeaders(options.headers);
    let headers = own.length === 0 ? this.#sentHeaders : withAcceptEncoding(mergeHeaders(this.#headers, own));
    const encoded = encodeBody(options.body, options.json, 'json' in options && options.json !== undefined);
    if (encoded !== undefined) {
      task.body = encoded.bytes;
      if (encoded.contentType !== undefined && !hasHeader(headers, 'content-type')) {
        headers = [...headers, ['content-type', encoded.contentType]];
      }
    }
    task.headers = headers;
    const { callback, signal, priority, timeout, redirections, retry } = options;
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
      if (timeout !== undefined) task.timeout = checkTimeout(timeout);
      if (redirections !== undefined) task.redirections = checkCount(redirections, 'redirections');
      if (retry !== undefined) task.retry = retryPolicy(retry);
    } catch (error) {
      throw new InvalidRequestError(errorMessage(error), { cause: error });
    }
    return priority;
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
    let exchanged: Exchanged;
    try {
      exchanged = await this.#pipeline.online(firstHop(task), task);
    } catch (error) {
      const forced =
        this.#forceExceptionToStatusCode && task.state === RUNNING ? forcedResponse(task, error) : undefined;
      if (forced === undefined) {
        task.fail(error);
        return;
      }
      if (log)
        this.logger.debug(`#${task.id} ${formatError(error)}: forced to status ${forced.response.status}`);
      exchanged = forced;
    }
    await this.#complete(task, exchanged);
  }

  /** Runs the callback (in the worker slot when there is one) and settles the request. */
  async #complete<T>(task: RequestTask<T>, exchanged: Exchanged): Promise<void> {
    if (task.state !== RUNNING) return;
    const { response, content } = exchanged;
    let data: T | undefined;
    if (task.callback !== undefined) {
      try {
        data = await task.callback({ response, content });
      } catch (error) {
        // A request cancelled or timed out meanwhile has settled: its callback's late failure is moot.
        if (task.state !== RUNNING) return;
        this.logger.warn(
          `#${task.id} callback failed for ${task.method} ${task.url}: ${formatError(error)}\n` +
            `    request() called from:\n${formatCallSite(task.site ?? {})}`,
        );
        task.fail(error);
        return;
      }
      if (task.queuedAt !== 0) this.logger.debug(`#${task.id} callback done`);
    }
    task.fulfill(response, content, data as T);
  }

  #settled(task: RequestTask<unknown>): void {
    const { release } = task;
    if (release !== undefined) {
      task.release = undefined;
      release();
    }
    if (task.coalesceKey !== undefined && this.#inflight.get(task.coalesceKey) === task) {
      this.#inflight.delete(task.coalesceKey);
    }
    if (task.queuedAt === 0) return;
    const ms = (this.#timers.now() - task.queuedAt).toFixed(1);
    // The state says how it ended: a callback may fail with `undefined`, so the error cannot.
    if (task.state === FULFILLED) {
      const { result } = task;
      this.logger.debug(
        `#${task.id} done ${result!.status} ${result!.reason} in ${ms} ms, ${task.resultContent!.byteLength} bytes`,
      );
    } else {
      this.logger.debug(
        `#${task.id} failed after ${ms} ms: ${formatError(task.error)}\n` +
          `    request() called from:\n${formatCallSite(task.site ?? {})}`,
      );
    }
  }
}

/** The first hop of a request, as it goes down the pipeline. */
function firstHop(task: RequestTask<any>): Hop {
  return { url: parseUrl(task.url), method: task.method, headers: task.headers, body: task.body };
}

/**
 * What the caller's input threw while read, as the request's failure: core's own errors as they are,
 * anything else (a getter, `toString` or iterator of the caller's objects) as `InvalidRequestError`.
 */
function invalidInput(error: unknown): unknown {
  if (isOwnError(error)) return error;
  return new InvalidRequestError(`Reading the request's input threw: ${formatError(error)}`, {
    cause: error,
  });
}

/** `instanceof AsyncHttpError`, false for a value (a Proxy) that throws when asked. */
function isOwnError(error: unknown): boolean {
  try {
    return error instanceof AsyncHttpError;
  } catch {
    return false;
  }
}

/**
 * Listens to the caller's `signal`; false when the request is already settled by it. A signal-like
 * object that throws fails the request instead of escaping `request()`.
 */
function listen(task: RequestTask<any>, signal: AbortSignal): boolean {
  try {
    if (signal.aborted) {
      task.cancel(signal.reason);
      return false;
    }
    signal.addEventListener('abort', task, { once: true });
    return true;
  } catch (error) {
    task.fail(new InvalidRequestError(`signal threw when used: ${formatError(error)}`, { cause: error }));
    return false;
  }
}

/** A default of `undefined` only: `null` and other wrong values reach the checks. */
function option<T>(value: T | undefined, fallback: T): T {
  return value === undefined ? fallback : value;
}

function withAcceptEncoding(headers: HeaderPairs): HeaderPairs {
  // A range of an encoded body is a range of the encoding: leave such requests as the caller made them.
  if (hasHeader(headers, 'accept-encoding') || hasHeader(headers, 'range')) return headers;
  return [...headers, ['accept-encoding', acceptEncoding]];
}

/**
 * httplib2's `force_exception_to_status_code`: a timeout is a 408, an error with a response a 500 whose
 * reason is the message, anything else a 400 with the message as a text/plain body. Cancellation and
 * closing still reject: the caller asked for them.
 */
function forcedResponse(task: RequestTask<any>, error: unknown): Exchanged | undefined {
  if (error instanceof CancelledError || error instanceof ClosedError) return undefined;
  const message = errorMessage(error);
  if (error instanceof AsyncHttpErrorWithResponse && error.response !== undefined) {
    const { response } = error;
    return {
      response: new Response({
        status: 500,
        reason: message,
        version: response.version,
        rawHeaders: response.rawHeaders,
        url: response.url,
        previous: response.previous,
        attempts: response.attempts,
        decodedFrom: response.decodedFrom,
      }),
      content: error.content ?? new Content(new Uint8Array()),
    };
  }
  const timeout = error instanceof TimeoutError;
  const text = timeout ? 'Request Timeout' : message;
  const body = encoder.encode(text);
  return {
    response: new Response({
      status: timeout ? 408 : 400,
      reason: timeout ? 'Request Timeout' : 'Bad Request',
      rawHeaders: [
        ['content-type', 'text/plain'],
        ['content-length', String(body.byteLength)],
      ],
      url: task.url,
    }),
    content: new Content(body, 'text/plain'),
  };
}

function isCacheStore(value: unknown): value is CacheStore {
  if (typeof value !== 'object' || value === null) return false;
  const store = value as Record<string, unknown>;
  return ['get', 'set', 'delete'].every((method) => typeof store[method] === 'function');
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
