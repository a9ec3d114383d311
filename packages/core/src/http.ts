import PQueue from 'p-queue';
import type { Adapter } from './adapter.js';
import { CacheFront } from './cache/front.js';
import { HttpCache } from './cache/http-cache.js';
import { captureCallSite, formatCallSite } from './call-site.js';
import { type ClientConfig, resolveHttpOptions } from './client-config.js';
import { Credentials } from './credentials.js';
import { CancelledError } from './errors/cancelled-error.js';
import { ClosedError } from './errors/closed-error.js';
import { errorMessage, formatError } from './format-error.js';
import { debugEnabled, type Logger } from './logger.js';
import type { CloseOptions, HttpOptions, RequestOptions } from './options.js';
import { composePipeline, type Pipeline } from './pipeline/index.js';
import { invalidInput, listen, prepareRequest, type RequestDefaults } from './prepare.js';
import type { RequestPromise } from './promise-objects.js';
import { RequestQueue } from './queue.js';
import type { BodyInit, HeadersInit } from './request.js';
import { FULFILLED, type RequestHost, RequestTask } from './request-task.js';
import type { Timers } from './timers.js';
import { checkBoolean, checkCount, checkMaxWorkers, checkTimeout, describe } from './validate.js';
import { runRequest, type WorkerContext } from './worker.js';

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
  /** Options as checked at construction; the settable ones change here. */
  readonly #config: ClientConfig;
  readonly #credentials = new Credentials();
  readonly #worker: WorkerContext;
  readonly #cache: CacheFront | undefined;
  readonly #timers: Timers;
  readonly #host: RequestHost;
  #nextId = 0;
  #closed = false;
  #cancelPending = false;
  #closing: Promise<void> | undefined;

  constructor(options: HttpOptions) {
    const config = resolveHttpOptions(options);
    this.#config = config;
    this.adapter = config.adapter;
    this.logger = config.logger;
    this.#timers = config.timers;
    const pipeline: Pipeline = composePipeline({
      get forced() {
        return config.forceExceptionToStatusCode;
      },
      rules: config,
      adapter: config.adapter,
      interceptors: config.interceptors,
      timers: config.timers,
      logger: config.logger,
      maxResponseBytes: config.maxResponseBytes,
      maxCompressionRatio: config.maxCompressionRatio,
      credentials: this.#credentials,
      cache: config.cache === undefined ? undefined : new HttpCache(config.cache, config.logger),
    });
    this.#worker = {
      pipeline,
      logger: config.logger,
      timers: config.timers,
      get forced() {
        return config.forceExceptionToStatusCode;
      },
      slots: () => `${this.#queue.pending}/${config.maxWorkers}`,
    };
    this.#cache =
      pipeline.offline === undefined
        ? undefined
        : new CacheFront(pipeline.offline, config.logger, (task, priority) => this.#enqueue(task, priority));
    this.#queue = new PQueue({ concurrency: config.maxWorkers });
    // p-queue says when a worker is free; the next waiting request becomes its task.
    this.#queue.on('next', () => this.#pump());
    this.#host = {
      unqueue: (task) => this.#line.take(task),
      settled: (task) => this.#settled(task),
    };
  }

  /** How many requests run at once. Setting it takes effect at once. */
  get maxWorkers(): number {
    return this.#config.maxWorkers;
  }
  set maxWorkers(value: number) {
    this.#config.maxWorkers = checkMaxWorkers(value);
    this.#queue.concurrency = value;
    this.#pump();
  }

  /** Default timeout per attempt, in ms. */
  get timeout(): number {
    return this.#config.timeout;
  }
  set timeout(value: number) {
    this.#config.timeout = checkTimeout(value);
  }

  /** Whether redirects are followed (httplib2's `follow_redirects`). */
  get followRedirects(): boolean {
    return this.#config.followRedirects;
  }
  set followRedirects(value: boolean) {
    this.#config.followRedirects = checkBoolean(value, 'followRedirects');
  }

  /** Whether redirects of unsafe methods are followed too (httplib2's `follow_all_redirects`). */
  get followAllRedirects(): boolean {
    return this.#config.followAllRedirects;
  }
  set followAllRedirects(value: boolean) {
    this.#config.followAllRedirects = checkBoolean(value, 'followAllRedirects');
  }

  /** Default redirect limit per request. */
  get redirections(): number {
    return this.#config.redirections;
  }
  set redirections(value: number) {
    this.#config.redirections = checkCount(value, 'redirections');
  }

  /** Whether failures become synthetic responses (httplib2's `force_exception_to_status_code`). */
  get forceExceptionToStatusCode(): boolean {
    return this.#config.forceExceptionToStatusCode;
  }
  set forceExceptionToStatusCode(value: boolean) {
    this.#config.forceExceptionToStatusCode = checkBoolean(value, 'forceExceptionToStatusCode');
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
    const lookups = this.#cache?.lookups;
    while (
      (lookups !== undefined && lookups.size > 0) ||
      this.#line.size > 0 ||
      this.#queue.size > 0 ||
      this.#queue.pending > 0
    ) {
      if (lookups !== undefined && lookups.size > 0) await Promise.all(lookups);
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
      this.#config.captureCallSite ? captureCallSite() : undefined,
    );
    const log = debugEnabled(this.logger);
    const defaults: RequestDefaults = this.#config;
    let priority: number | undefined;
    try {
      if (typeof optionsOrMethod === 'string' || body !== undefined || headers !== undefined) {
        const options = { method: optionsOrMethod as string | undefined, body, headers };
        priority = prepareRequest(task, uri, options, false, defaults);
      } else {
        priority = prepareRequest(task, uri, optionsOrMethod, true, defaults);
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
    if (this.#cache !== undefined && (task.method === 'GET' || task.method === 'HEAD')) {
      this.#cache.route(task, priority);
    } else {
      this.#enqueue(task, priority);
    }
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

  #enqueue(task: RequestTask<any>, priority: number | undefined): void {
    // A request still in its cache lookup when close({ cancelPending }) came is cancelled like the queued.
    if (this.#cancelPending) {
      task.cancel(new CancelledError('Cancelled by close({ cancelPending: true })'));
      return;
    }
    const queue = this.#queue;
    if (this.#line.size === 0 && queue.pending + queue.size < this.#config.maxWorkers) this.#start(task);
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
      runRequest(task, this.#worker).then(release, (error: unknown) => {
        task.fail(error);
        release();
      });
    });
  }

  /** Hands waiting requests to free workers. */
  #pump(): void {
    const queue = this.#queue;
    while (this.#line.size > 0 && queue.pending + queue.size < this.#config.maxWorkers) {
      this.#start(this.#line.dequeue()!);
    }
  }

  #settled(task: RequestTask<unknown>): void {
    const { release } = task;
    if (release !== undefined) {
      task.release = undefined;
      release();
    }
    this.#cache?.settled(task);
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
