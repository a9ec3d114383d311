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
import type { BodyInit, HeadersInit } from './request.js';
import { originOf } from './request.js';
import { FULFILLED, type RequestHost, RequestTask } from './request-task.js';
import { Emitter, type HttpEventName, type HttpListener } from './scheduler/events.js';
import type { OriginLimits } from './scheduler/limits.js';
import { checkPauseOptions, parseOrigin } from './scheduler/pauses.js';
import type { RateLimit } from './scheduler/rate-window.js';
import { type OriginStats, Scheduler } from './scheduler/scheduler.js';
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
  /** Which waiting request starts next: limits, pauses, priorities (in front of p-queue). */
  readonly #scheduler: Scheduler;
  readonly #events: Emitter;
  readonly #idle: (() => void)[] = [];
  /** Settled at their headers, bodies still streaming: `close({ cancelPending })` cancels them. */
  readonly #openBodies = new Set<RequestTask<any>>();
  #completed = 0;
  #failed = 0;
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
    const events = new Emitter(config.logger);
    this.#events = events;
    const scheduler = new Scheduler(
      {
        maxWorkers: config.maxWorkers,
        rateLimit: options.rateLimit,
        perOrigin: options.perOrigin,
        origins: options.origins,
      },
      config.timers,
      events,
      (task) => this.#start(task),
    );
    this.#scheduler = scheduler;
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
      scheduler,
      emitter: events,
      get pauseOnRetryAfter() {
        return config.pauseOnRetryAfter;
      },
    });
    this.#worker = {
      pipeline,
      logger: config.logger,
      timers: config.timers,
      get forced() {
        return config.forceExceptionToStatusCode;
      },
      slots: () => `${scheduler.running}/${config.maxWorkers}`,
    };
    this.#cache =
      pipeline.offline === undefined
        ? undefined
        : new CacheFront(
            pipeline.offline,
            config.logger,
            (task, priority) => this.#enqueue(task, priority),
            () => this.#checkIdle(),
          );
    this.#queue = new PQueue({ concurrency: config.maxWorkers });
    this.#host = {
      unqueue: (task) => this.#scheduler.take(task),
      settled: (task) => this.#settled(task),
      bodyEnded: (task) => this.#free(task),
    };
  }

  /** How many requests run at once. Setting it takes effect at once. */
  get maxWorkers(): number {
    return this.#config.maxWorkers;
  }
  set maxWorkers(value: number) {
    this.#config.maxWorkers = checkMaxWorkers(value);
    this.#queue.concurrency = value;
    this.#scheduler.maxWorkers = value;
  }

  /** The client's rate limits (see `HttpOptions.rateLimit`). Setting it takes effect at once. */
  get rateLimit(): readonly RateLimit[] {
    return this.#scheduler.rateLimit;
  }
  set rateLimit(value: RateLimit | readonly RateLimit[] | undefined) {
    this.#scheduler.setRateLimit(value);
  }

  /** The limits of each origin (see `HttpOptions.perOrigin`). Setting it takes effect at once. */
  get perOrigin(): OriginLimits | undefined {
    return this.#scheduler.perOrigin;
  }
  set perOrigin(value: OriginLimits | undefined) {
    this.#scheduler.setPerOrigin(value);
  }

  /** The limits of named origins (see `HttpOptions.origins`). Setting it takes effect at once. */
  get origins(): Readonly<Record<string, OriginLimits>> | undefined {
    return this.#scheduler.origins as Readonly<Record<string, OriginLimits>> | undefined;
  }
  set origins(value: Readonly<Record<string, OriginLimits>> | undefined) {
    this.#scheduler.setOrigins(value);
  }

  /** Whether a 429/503 with `Retry-After` pauses its origin (see `HttpOptions.pauseOnRetryAfter`). */
  get pauseOnRetryAfter(): boolean {
    return this.#config.pauseOnRetryAfter;
  }
  set pauseOnRetryAfter(value: boolean) {
    this.#config.pauseOnRetryAfter = checkBoolean(value, 'pauseOnRetryAfter');
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
    return this.#scheduler.waiting;
  }

  /** Requests running now (holding a worker slot). */
  get pending(): number {
    return this.#scheduler.running;
  }

  /** Settles when nothing is waiting or running (a paused client with waiting requests is not idle). */
  onIdle(): Promise<void> {
    if (this.#isIdle()) return Promise.resolve();
    return new Promise<void>((resolve) => this.#idle.push(resolve));
  }

  /**
   * Stops new starts, for the whole client or for one `origin`, for `for` ms or until `resume()`;
   * running requests go on. A second pause replaces the first. Emits `paused`.
   * Throws `TypeError`/`RangeError` for an origin that is not an absolute http(s) URL or a bad `for`.
   */
  pause(options?: { origin?: string | URL; for?: number }): void {
    const { origin, ms } = checkPauseOptions(options, 'pause');
    this.#scheduler.pauses.pause(origin, ms);
  }

  /** Ends a pause of the whole client, or of one `origin` (emits `resumed`; nothing if not paused). */
  resume(options?: { origin?: string | URL }): void {
    this.#scheduler.resume(checkPauseOptions(options, 'resume').origin);
  }

  /** Whether the whole client is paused, or (with `origin`) whether that origin is, by its own pause or the client's. */
  isPaused(origin?: string | URL): boolean {
    return this.#scheduler.isPaused(
      origin === undefined ? undefined : parseOrigin(origin, 'isPaused(origin)'),
    );
  }

  /** Counts, for dashboards and progress bars: waiting, running, settled, and per origin. */
  stats(): {
    queued: number;
    running: number;
    completed: number;
    failed: number;
    origins: Record<string, OriginStats>;
  } {
    const scheduler = this.#scheduler;
    return {
      queued: scheduler.waiting,
      running: scheduler.running,
      completed: this.#completed,
      failed: this.#failed,
      origins: scheduler.originStats(),
    };
  }

  /**
   * Listens to an event (`queued`, `started`, `retrying`, `completed`, `failed`, `paused`, `resumed`,
   * `idle`); an unknown name is a `TypeError` that lists them. A listener that throws is logged.
   */
  on<E extends HttpEventName>(event: E, listener: HttpListener<E>): this {
    this.#events.on(event, listener);
    return this;
  }

  /** Like `on()`, for one call. */
  once<E extends HttpEventName>(event: E, listener: HttpListener<E>): this {
    this.#events.on(event, listener, true);
    return this;
  }

  /** Removes a listener added with `on()` or `once()`. */
  off<E extends HttpEventName>(event: E, listener: HttpListener<E>): this {
    this.#events.off(event, listener);
    return this;
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
    task.enqueuedAt = this.#timers.now();
    task.priority = priority ?? 0;
    if (this.#events.has('queued')) {
      const { id, method, url } = task;
      this.#events.emit('queued', { id, method, url, origin: originOf(url), priority: task.priority });
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
      for (const task of this.#scheduler.drain()) {
        task.cancel(new CancelledError('Cancelled by close({ cancelPending: true })'));
      }
      // A streamed body nobody reads would hold its slot, and close(), for ever: it is cancelled too.
      for (const task of [...this.#openBodies]) {
        task.cancel(
          new CancelledError('Cancelled by close({ cancelPending: true }) while its body streamed'),
        );
      }
    }
    if (this.#closing === undefined) {
      this.#closing = (async () => {
        await this.onIdle();
        this.#scheduler.dispose();
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
    task.priority = priority ?? 0;
    this.#scheduler.enqueue(task, originOf(task.url));
  }

  /** The scheduler picked `task`: it becomes a p-queue task, a worker. */
  #start(task: RequestTask<any>): void {
    const now = this.#timers.now();
    task.startedAt = now;
    if (this.#events.has('started')) {
      const { id, method, url } = task;
      const origin = task.scheduled!.origin;
      this.#events.emit('started', { id, method, url, origin, waited: now - task.enqueuedAt });
    }
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
      // A request settled at its headers with its body still streaming keeps the slot until the body ends.
      runRequest(task, this.#worker).then(
        () => {
          if (task.openBody === undefined) release();
        },
        (error: unknown) => {
          task.fail(error);
          release();
        },
      );
    });
  }

  #settled(task: RequestTask<unknown>): void {
    this.#cache?.settled(task);
    // Its outcome is reported before its slot goes to the next request, so `completed` or `failed`
    // always comes before the `started` of the request that takes the slot.
    this.#report(task);
    // A body still streaming holds the slot until it ends (then `#free` comes from the task).
    if (task.openBody === undefined) this.#free(task);
    else this.#openBodies.add(task);
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

  /** A settled request gives its worker slot back (at once, or when its streamed body ends). */
  #free(task: RequestTask<unknown>): void {
    this.#openBodies.delete(task);
    const { release } = task;
    if (release !== undefined) {
      task.release = undefined;
      release();
    }
    // A request the scheduler started gives its slots back now, even if its adapter or callback is stuck.
    if (task.startedAt !== 0 && task.scheduled !== undefined) this.#scheduler.finished(task);
    this.#checkIdle();
  }

  /** Counts and events of a settled request. */
  #report(task: RequestTask<unknown>): void {
    const events = this.#events;
    if (task.state === FULFILLED) {
      this.#completed++;
      if (events.has('completed')) {
        const { id, method, url } = task;
        const response = task.result!;
        const started = task.startedAt === 0 ? task.enqueuedAt : task.startedAt;
        const duration = this.#timers.now() - started;
        events.emit('completed', {
          id,
          method,
          url,
          status: response.status,
          duration,
          fromCache: response.fromCache,
        });
      }
    } else {
      this.#failed++;
      if (events.has('failed'))
        events.emit('failed', { id: task.id, method: task.method, url: task.url, error: task.error });
    }
  }

  #isIdle(): boolean {
    const lookups = this.#cache?.lookups.size ?? 0;
    return lookups === 0 && this.#scheduler.waiting === 0 && this.#scheduler.running === 0;
  }

  /** After a request settles or a cache lookup ends: `idle` and `onIdle()` when nothing is left. */
  #checkIdle(): void {
    if (!this.#isIdle()) return;
    if (this.#events.has('idle')) this.#events.emit('idle', {});
    const waiters = this.#idle.splice(0);
    for (const resolve of waiters) resolve();
  }
}
