import type { Content } from './content.js';
import { formatError } from './format-error.js';
import type { Response } from './response.js';

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
  /** The body as text; a streamed body (`stream: true`) is read whole first, bounded by `maxResponseBytes`. */
  text(): Promise<string>;
  /** The body parsed as JSON; a streamed body is read whole first, like `text()`. */
  json<J = unknown>(): Promise<J>;
  /** The body's bytes; a streamed body is read whole first, like `text()`. */
  bytes(): Promise<Uint8Array>;
  /**
   * The decoded body as a `ReadableStream<Uint8Array>`, at once, even while the request is pending (the
   * stream then waits for it, and fails with its error). Like `Content.stream()`: a streamed body can be
   * taken once, a second call throws.
   */
  stream(): ReadableStream<Uint8Array>;
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

export const QUEUED = 0;
export const RUNNING = 1;
export const FULFILLED = 2;
export const REJECTED = 3;

/**
 * What the promise objects read from their request: its state and settled values, and the one native
 * promise behind every `then`. `RequestTask` is the one implementation.
 */
export interface SettledSource<T> {
  readonly id: number;
  readonly state: number;
  readonly error: unknown;
  readonly resultContent: Content | undefined;
  readonly resultData: T | undefined;
  readonly result: Response | undefined;
  promise(): Promise<RequestResult<T>>;
  settled(what: string): Response;
  describe(): string;
  done(): boolean;
}

const inspect = Symbol.for('nodejs.util.inspect.custom');

function describeSettled(task: SettledSource<any>, kind: string, value: () => string): string {
  if (task.state === FULFILLED) return `${kind} ${value()}`;
  if (task.state === REJECTED) {
    return `${kind} <rejected> ${formatError(task.error)}`;
  }
  return `${kind} <pending> ${task.describe()}`;
}

export class ResponsePromiseImpl implements ResponsePromise {
  readonly #task: SettledSource<any>;

  constructor(task: SettledSource<any>) {
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

export class ContentPromiseImpl implements ContentPromise {
  readonly #task: SettledSource<any>;
  #streamTaken = false;

  constructor(task: SettledSource<any>) {
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
    return this.then((content) => content.load()).then((content) => content.text());
  }

  json<J = unknown>(): Promise<J> {
    return this.then((content) => content.load()).then((content) => content.json<J>());
  }

  bytes(): Promise<Uint8Array> {
    return this.then((content) => content.load()).then((content) => content.bytes());
  }

  stream(): ReadableStream<Uint8Array> {
    const task = this.#task;
    if (task.state === FULFILLED) return task.resultContent!.stream();
    if (task.state !== REJECTED) {
      if (this.#streamTaken)
        throw new TypeError('This content promise already gave its stream(): a body can be read once');
      this.#streamTaken = true;
    }
    let reader: ReadableStreamDefaultReader<Uint8Array> | undefined;
    return new ReadableStream<Uint8Array>(
      {
        async pull(controller) {
          if (reader === undefined) {
            const { content } = await task.promise();
            reader = content.stream().getReader();
          }
          const { done, value } = await reader.read();
          if (done) controller.close();
          else controller.enqueue(value);
        },
        async cancel(reason) {
          if (reader !== undefined) return reader.cancel(reason);
          // Not settled yet: the body is cancelled as soon as it comes, so its slot is not held.
          task.promise().then(
            ({ content }) => content.stream().cancel(reason),
            () => {},
          );
        },
      },
      { highWaterMark: 0 },
    );
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

export class DataPromiseImpl<T> implements DataPromise<T> {
  readonly #task: SettledSource<T>;

  constructor(task: SettledSource<T>) {
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
    return describeSettled(this.#task as SettledSource<any>, 'DataPromise', () => {
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
