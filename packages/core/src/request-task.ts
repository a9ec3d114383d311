import type { OpenBody } from './body-stream.js';
import { attachCallSite, type CallSite } from './call-site.js';
import type { Content } from './content.js';
import { AsyncHttpError } from './errors/async-http-error.js';
import { CancelledError } from './errors/cancelled-error.js';
import { NotReadyError } from './errors/not-ready-error.js';
import {
  type Callback,
  type ContentPromise,
  ContentPromiseImpl,
  type DataPromise,
  DataPromiseImpl,
  FULFILLED,
  QUEUED,
  REJECTED,
  type RequestPromise,
  type RequestResult,
  type ResponsePromise,
  ResponsePromiseImpl,
  RUNNING,
  type SettledSource,
} from './promise-objects.js';
import type { Queued } from './queue.js';
import type { HeaderPairs } from './request.js';
import type { Response } from './response.js';
import type { RetryPolicy } from './retry.js';
import type { OriginState } from './scheduler/origin-state.js';
import type { Timers } from './timers.js';
import type { UploadBody } from './upload.js';

export { FULFILLED, QUEUED, REJECTED, RUNNING } from './promise-objects.js';

const inspect = Symbol.for('nodejs.util.inspect.custom');
const noop = (): void => {};

/** What a request needs from the `Http` that runs it. */
export interface RequestHost {
  /** Takes a waiting request out of the queue; false when it is not waiting. */
  unqueue(task: RequestTask<any>): boolean;
  /** Called once when a request settles. */
  settled(task: RequestTask<any>): void;
  /** Called once when a settled request's streamed body ends: its worker slot is free. */
  bodyEnded(task: RequestTask<any>): void;
}

type Deferred<T> = {
  promise: Promise<RequestResult<T>>;
  resolve: (value: RequestResult<T>) => void;
  reject: (reason: unknown) => void;
};

/**
 * One request, from `request()` to settled. It is the `RequestPromise`, the queue item and the state
 * in one object; its three promise objects and any native promise are made only when asked for.
 */
export class RequestTask<T> implements RequestPromise<T>, SettledSource<T>, Queued {
  readonly id: number;
  state = QUEUED;
  waiting = false;
  method = 'GET';
  url = '';
  headers: HeaderPairs = [];
  body: Uint8Array | UploadBody | undefined = undefined;
  /** `stream: true`: the final response's body is handed over unread. */
  stream = false;
  /** The response body still streaming, if any: the worker slot is held until it ends. */
  openBody: OpenBody | undefined = undefined;
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
  /** Higher starts first among waiting requests. @default 0 */
  priority = 0;
  /** Its origin's state in the scheduler (the origin of its first hop), once queued. */
  scheduled: OriginState | undefined = undefined;
  /** The first hop's URL until its first exchange, which was admitted under the rate windows at start. */
  firstUrl: URL | undefined = undefined;
  /** Whether its start holds reserved room in rate windows that its first exchange has not used yet. */
  reservation = false;
  /** `Timers.now()` at `request()` and at start, for the `started` and `completed` events. */
  enqueuedAt = 0;
  startedAt = 0;
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
  /** Whether the host was told the request settled. */
  #reported = false;
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
    if (this.state >= FULFILLED && this.openBody === undefined) return false;
    const error =
      reason instanceof CancelledError
        ? reason
        : new CancelledError(`Request cancelled: ${this.method} ${this.url}`, {
            cause: reason,
            request: { method: this.method, url: this.url },
          });
    if (this.state >= FULFILLED) {
      // Settled at the headers, body still streaming: the stream fails and the slot is freed.
      this.openBody!.abort(error);
      return true;
    }
    if (this.state === QUEUED) this.#host.unqueue(this);
    else this.controller?.abort(error);
    this.fail(error);
    return true;
  }

  /** The streamed body `open` ended, failed or was cancelled: a settled request frees its slot now. */
  bodyEnded(open: OpenBody): void {
    if (this.openBody !== open) return;
    this.openBody = undefined;
    if (!this.#reported) return;
    this.#unlisten();
    this.#host.bodyEnded(this);
  }

  /**
   * Waits `ms` inside the worker slot (a retry's backoff, a rate window); a cancel, timeout or close
   * wakes it at once and it rejects with the request's error.
   */
  sleep(timers: Timers, ms: number): Promise<void> {
    return new Promise<void>((resolve) => {
      const handle = timers.setTimeout(() => {
        this.wake = undefined;
        resolve();
      }, ms);
      this.wake = () => {
        timers.clearTimeout(handle);
        this.wake = undefined;
        resolve();
      };
    }).then(() => {
      if (this.state !== RUNNING) throw this.error;
    });
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
    // A body still streaming when the request fails (its callback threw) goes with it.
    this.openBody?.abort(error);
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
    // A streamed body keeps listening to `signal`: aborting it still cancels the transfer.
    if (this.openBody === undefined) this.#unlisten();
    this.#host.settled(this);
    this.#reported = true;
  }

  #unlisten(): void {
    if (this.signal !== undefined) {
      try {
        this.signal.removeEventListener('abort', this);
      } catch {
        // A signal-like object that throws here must not keep the request from settling.
      }
    }
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
