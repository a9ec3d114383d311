import { attachCallSite, type CallSite } from './call-site.js';
import type { Content } from './content.js';
import { AsyncHttpError } from './errors/async-http-error.js';
import { CancelledError } from './errors/cancelled-error.js';
import { NotReadyError } from './errors/not-ready-error.js';
import { formatError } from './format-error.js';
import type { Queued } from './queue.js';
import type { HeaderPairs } from './request.js';
import type { Response } from './response.js';
import type { RetryPolicy } from './retry.js';

/** What `await http.request(url)` gives: the settled response, content and callback data. */
export interface RequestResult<T> {
  response: Response;
  content: Content;
  data: T;
}

/**
 * The response promise object: await it for the `Response`, or read its fields directly once it has
 * settled. While pending, a field read throws `NotReadyError`; if the request failed, it throws the
 * request's error.
 */
export interface ResponsePromise extends PromiseLike<Response> {
  then<R1 = Response, R2 = never>(
    onfulfilled?: ((value: Response) => R1 | PromiseLike<R1>) | null,
    onrejected?: ((reason: any) => R2 | PromiseLike<R2>) | null,
  ): Promise<R1 | R2>;
  /** True once the request has settled (either way). Never throws. */
  done(): boolean;
  readonly status: number;
  readonly reason: string;
  readonly version: string;
  readonly headers: Readonly<Record<string, string>>;
  readonly rawHeaders: ReadonlyArray<readonly [string, string]>;
  readonly url: string;
  readonly previous: Response | undefined;
  readonly fromCache: boolean;
  readonly attempts: number;
  get(name: string): string | undefined;
}

/**
 * The content promise object: await it for the `Content`, or use `text()`, `json()`, `bytes()`.
 * `toString()` gives the text once settled, throws the error if the request failed, and throws
 * `NotReadyError` while pending.
 */
export interface ContentPromise extends PromiseLike<Content> {
  then<R1 = Content, R2 = never>(
    onfulfilled?: ((value: Content) => R1 | PromiseLike<R1>) | null,
    onrejected?: ((reason: any) => R2 | PromiseLike<R2>) | null,
  ): Promise<R1 | R2>;
  done(): boolean;
  text(): Promise<string>;
  json<J = unknown>(): Promise<J>;
  bytes(): Promise<Uint8Array>;
  /** Body size in bytes once settled; throws like every sync getter otherwise. */
  readonly byteLength: number;
  toString(): string;
}

/** The data promise object: what the callback returned (`undefined` without a callback). */
export interface DataPromise<T> extends PromiseLike<T> {
  then<R1 = T, R2 = never>(
    onfulfilled?: ((value: T) => R1 | PromiseLike<R1>) | null,
    onrejected?: ((reason: any) => R2 | PromiseLike<R2>) | null,
  ): Promise<R1 | R2>;
  done(): boolean;
}

/**
 * What `http.request()` returns at once. Destructure it (`const [response, content] = ...`), await it
 * (`const { response, content, data } = await ...`), or use its promise objects.
 */
export interface RequestPromise<T = undefined> extends PromiseLike<RequestResult<T>> {
  then<R1 = RequestResult<T>, R2 = never>(
    onfulfilled?: ((value: RequestResult<T>) => R1 | PromiseLike<R1>) | null,
    onrejected?: ((reason: any) => R2 | PromiseLike<R2>) | null,
  ): Promise<R1 | R2>;
  /** A number unique within its `Http`, used in the log. */
  readonly id: number;
  readonly response: ResponsePromise;
  readonly content: ContentPromise;
  readonly data: DataPromise<T>;
  readonly 0: ResponsePromise;
  readonly 1: ContentPromise;
  readonly 2: DataPromise<T>;
  [Symbol.iterator](): Iterator<ResponsePromise | ContentPromise | DataPromise<T>>;
  /** True once settled (either way). Never throws. */
  done(): boolean;
  /** Settles when the request does; never rejects. */
  wait(): Promise<void>;
  /**
   * Cancels the request, queued or running: its promise objects reject with `CancelledError` (whose
   * `cause` is `reason`). Returns false when it had already settled.
   */
  cancel(reason?: unknown): boolean;
}

/** What a request's callback receives. */
export interface CallbackInput {
  response: Response;
  content: Content;
}

/** Runs in the worker after the exchange; its result becomes `data`. */
export type Callback<T> = (input: CallbackInput) => T | PromiseLike<T>;

/** What a request needs from the `Http` that runs it. */
export interface RequestHost {
  /** Takes a waiting request out of the queue; false when it is not waiting. */
  unqueue(task: RequestTask<any>): boolean;
  /** Called once when a request settles. */
  settled(task: RequestTask<any>): void;
}

export const QUEUED = 0;
export const RUNNING = 1;
export const FULFILLED = 2;
export const REJECTED = 3;

const inspect = Symbol.for('nodejs.util.inspect.custom');
const noop = (): void => {};

type Deferred<T> = {
  promise: Promise<RequestResult<T>>;
  resolve: (value: RequestResult<T>) => void;
  reject: (reason: unknown) => void;
};

/**
 * One request, from `request()` to settled. It is the `RequestPromise`, the queue item and the state
 * in one object; its three promise objects and any native promise are made only when asked for.
 */
export class RequestTask<T> implements RequestPromise<T>, Queued {
  readonly id: number;
  state = QUEUED;
  waiting = false;
  method = 'GET';
  url = '';
  headers: HeaderPairs = [];
  body: Uint8Array | undefined = undefined;
  callback: Callback<T> | undefined = undefined;
  timeout = 0;
  redirections = 5;
  retry!: RetryPolicy;
  signal: AbortSignal | undefined = undefined;
  /** Key under which this request leads identical in-flight GETs (with a cache). */
  coalesceKey: string | undefined = undefined;
  /** Ends a retry backoff early (set while the request sleeps between attempts). */
  wake: (() => void) | undefined = undefined;
  /** Exchanges sent for the current hop (`Response.attempts`), counted by the pipeline. */
  attempts = 0;
  /** Ends the worker's p-queue task: called when the request settles (set while it holds a slot). */
  release: (() => void) | undefined = undefined;
  /** Aborts the running attempt. */
  controller: { abort(reason: unknown): void } | undefined = undefined;
  /** When the request was queued, in `Timers.now()` ms; only kept while debug logging is on. */
  queuedAt = 0;
  result: Response | undefined = undefined;
  resultContent: Content | undefined = undefined;
  resultData: T | undefined = undefined;
  error: unknown = undefined;
  readonly #host: RequestHost;
  readonly site: CallSite | undefined;
  #deferred: Deferred<T> | undefined = undefined;
  #response: ResponsePromiseImpl | undefined = undefined;
  #content: ContentPromiseImpl | undefined = undefined;
  #data: DataPromiseImpl<T> | undefined = undefined;

  constructor(id: number, host: RequestHost, site: CallSite | undefined) {
    this.id = id;
    this.#host = host;
    this.site = site;
  }

  // --- RequestPromise

  get response(): ResponsePromise {
    if (this.#response === undefined) this.#response = new ResponsePromiseImpl(this);
    return this.#response;
  }

  get content(): ContentPromise {
    if (this.#content === undefined) this.#content = new ContentPromiseImpl(this);
    return this.#content;
  }

  get data(): DataPromise<T> {
    if (this.#data === undefined) this.#data = new DataPromiseImpl(this);
    return this.#data;
  }

  get 0(): ResponsePromise {
    return this.response;
  }

  get 1(): ContentPromise {
    return this.content;
  }

  get 2(): DataPromise<T> {
    return this.data;
  }

  [Symbol.iterator](): Iterator<ResponsePromise | ContentPromise | DataPromise<T>> {
    return [this.response, this.content, this.data][Symbol.iterator]();
  }

  then<R1 = RequestResult<T>, R2 = never>(
    onfulfilled?: ((value: RequestResult<T>) => R1 | PromiseLike<R1>) | null,
    onrejected?: ((reason: any) => R2 | PromiseLike<R2>) | null,
  ): Promise<R1 | R2> {
    return this.promise().then(onfulfilled, onrejected);
  }

  done(): boolean {
    return this.state >= FULFILLED;
  }

  wait(): Promise<void> {
    return this.promise().then(noop, noop);
  }

  cancel(reason?: unknown): boolean {
    if (this.state >= FULFILLED) return false;
    const error =
      reason instanceof CancelledError
        ? reason
        : new CancelledError(`Request cancelled: ${this.method} ${this.url}`, {
            cause: reason,
            request: { method: this.method, url: this.url },
          });
    if (this.state === QUEUED) this.#host.unqueue(this);
    else this.controller?.abort(error);
    this.fail(error);
    return true;
  }

  /** `signal`'s abort listener (an object listener, so no closure per request). */
  handleEvent(): void {
    let reason: unknown;
    try {
      reason = this.signal?.reason;
    } catch (error) {
      reason = error;
    }
    this.cancel(reason);
  }

  // --- settling (used by Http)

  /** The one native promise behind every `then`, made on first use. */
  promise(): Promise<RequestResult<T>> {
    if (this.#deferred !== undefined) return this.#deferred.promise;
    let deferred: Deferred<T>;
    if (this.state === FULFILLED) {
      const promise = Promise.resolve(this.#result());
      deferred = { promise, resolve: noop, reject: noop };
    } else if (this.state === REJECTED) {
      // Made only inside a `then` that attaches handlers, so it is never an unhandled rejection.
      const promise = Promise.reject(this.error);
      deferred = { promise, resolve: noop, reject: noop };
    } else {
      deferred = withResolvers<RequestResult<T>>();
    }
    this.#deferred = deferred;
    return deferred.promise;
  }

  fulfill(response: Response, content: Content, data: T): void {
    if (this.state >= FULFILLED) return;
    this.state = FULFILLED;
    this.result = response;
    this.resultContent = content;
    this.resultData = data;
    this.#finish();
    this.#deferred?.resolve(this.#result());
  }

  fail(error: unknown): void {
    if (this.state >= FULFILLED) {
      // The same error again once the adapter gave up (a timeout or cancel settled it first): its
      // library may have rewritten the stack in between, so the call site is checked again.
      if (error === this.error) {
        try {
          attachCallSite(error, this.site);
        } catch {
          // A foreign value that throws when inspected is passed on as it is.
        }
      }
      return;
    }
    // Rejected is a state, whatever the error is: `undefined`, a null-prototype object, a Proxy.
    this.state = REJECTED;
    try {
      if (error instanceof AsyncHttpError && error.request === undefined) {
        error.request = { method: this.method, url: this.url };
      }
      attachCallSite(error, this.site);
    } catch {
      // A foreign value that throws when inspected is passed on as it is.
    }
    this.error = error;
    this.wake?.();
    this.#finish();
    this.#deferred?.reject(error);
  }

  /** The settled response, or the error thrown, or `NotReadyError`. */
  settled(what: string): Response {
    if (this.state === FULFILLED) return this.result!;
    if (this.state === REJECTED) throw this.error;
    throw new NotReadyError(
      `The ${what} of request #${this.id} (${this.method} ${this.url}) is not ready yet: await it first ` +
        `(for example \`const response = await http.request(url).response\`)`,
      { request: { method: this.method, url: this.url } },
    );
  }

  describe(): string {
    const state = ['queued', 'running', 'fulfilled', 'rejected'][this.state];
    return `#${this.id} ${this.method} ${this.url} <${state}>`;
  }

  [inspect](): string {
    return `RequestPromise ${this.describe()}`;
  }

  #result(): RequestResult<T> {
    return { response: this.result!, content: this.resultContent!, data: this.resultData as T };
  }

  #finish(): void {
    if (this.signal !== undefined) {
      try {
        this.signal.removeEventListener('abort', this);
      } catch {
        // A signal-like object that throws here must not keep the request from settling.
      }
    }
    this.#host.settled(this);
  }
}

// Promise.withResolvers arrives with Node 22.
function withResolvers<V>(): { promise: Promise<V>; resolve: (v: V) => void; reject: (r: unknown) => void } {
  let resolve!: (v: V) => void;
  let reject!: (r: unknown) => void;
  const promise = new Promise<V>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

function describeSettled(task: RequestTask<any>, kind: string, value: () => string): string {
  if (task.state === FULFILLED) return `${kind} ${value()}`;
  if (task.state === REJECTED) {
    return `${kind} <rejected> ${formatError(task.error)}`;
  }
  return `${kind} <pending> ${task.describe()}`;
}

class ResponsePromiseImpl implements ResponsePromise {
  readonly #task: RequestTask<any>;

  constructor(task: RequestTask<any>) {
    this.#task = task;
  }

  then<R1 = Response, R2 = never>(
    onfulfilled?: ((value: Response) => R1 | PromiseLike<R1>) | null,
    onrejected?: ((reason: any) => R2 | PromiseLike<R2>) | null,
  ): Promise<R1 | R2> {
    return this.#task
      .promise()
      .then((result) => (onfulfilled ? onfulfilled(result.response) : (result.response as R1)), onrejected);
  }

  done(): boolean {
    return this.#task.done();
  }

  get status(): number {
    return this.#task.settled('response status').status;
  }
  get reason(): string {
    return this.#task.settled('response reason').reason;
  }
  get version(): string {
    return this.#task.settled('response version').version;
  }
  get headers(): Readonly<Record<string, string>> {
    return this.#task.settled('response headers').headers;
  }
  get rawHeaders(): ReadonlyArray<readonly [string, string]> {
    return this.#task.settled('response rawHeaders').rawHeaders;
  }
  get url(): string {
    return this.#task.settled('response url').url;
  }
  get previous(): Response | undefined {
    return this.#task.settled('response previous').previous;
  }
  get fromCache(): boolean {
    return this.#task.settled('response fromCache').fromCache;
  }
  get attempts(): number {
    return this.#task.settled('response attempts').attempts;
  }
  get(name: string): string | undefined {
    return this.#task.settled('response headers').get(name);
  }

  [inspect](): string {
    return describeSettled(this.#task, 'ResponsePromise', () => this.#task.result!.toString());
  }
}

class ContentPromiseImpl implements ContentPromise {
  readonly #task: RequestTask<any>;

  constructor(task: RequestTask<any>) {
    this.#task = task;
  }

  then<R1 = Content, R2 = never>(
    onfulfilled?: ((value: Content) => R1 | PromiseLike<R1>) | null,
    onrejected?: ((reason: any) => R2 | PromiseLike<R2>) | null,
  ): Promise<R1 | R2> {
    return this.#task
      .promise()
      .then((result) => (onfulfilled ? onfulfilled(result.content) : (result.content as R1)), onrejected);
  }

  done(): boolean {
    return this.#task.done();
  }

  text(): Promise<string> {
    return this.then((content) => content.text());
  }

  json<J = unknown>(): Promise<J> {
    return this.then((content) => content.json<J>());
  }

  bytes(): Promise<Uint8Array> {
    return this.then((content) => content.bytes());
  }

  get byteLength(): number {
    this.#task.settled('content');
    return this.#task.resultContent!.byteLength;
  }

  toString(): string {
    this.#task.settled('content');
    return this.#task.resultContent!.text();
  }

  [inspect](): string {
    return describeSettled(
      this.#task,
      'ContentPromise',
      () => `(${this.#task.resultContent!.byteLength} bytes)`,
    );
  }
}

class DataPromiseImpl<T> implements DataPromise<T> {
  readonly #task: RequestTask<T>;

  constructor(task: RequestTask<T>) {
    this.#task = task;
  }

  then<R1 = T, R2 = never>(
    onfulfilled?: ((value: T) => R1 | PromiseLike<R1>) | null,
    onrejected?: ((reason: any) => R2 | PromiseLike<R2>) | null,
  ): Promise<R1 | R2> {
    return this.#task
      .promise()
      .then(
        (result) => (onfulfilled ? onfulfilled(result.data) : (result.data as unknown as R1)),
        onrejected,
      );
  }

  done(): boolean {
    return this.#task.done();
  }

  [inspect](): string {
    return describeSettled(this.#task as RequestTask<any>, 'DataPromise', () => {
      const data = this.#task.resultData as unknown;
      if (typeof data !== 'object' || data === null) return formatError(data);
      try {
        return `(${data.constructor?.name ?? 'object'})`;
      } catch {
        return '(object)';
      }
    });
  }
}
