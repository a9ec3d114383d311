import { availableParallelism } from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { deserialize } from 'node:v8';
import { Piscina } from 'piscina';
// The main entry itself (in dist, the file '@asynchttp/core' resolves to), so the pool rejects with the
// very ClosedError class a user imports from '@asynchttp/core'.
import { type Callback, type CallbackInput, ClosedError, type Content } from '../index.js';
import type { ResponseSnapshot } from './thread-runner.js';
import type { SerializedError, ThreadReply, ThreadTask } from './thread-task.js';

export type { ResponseSnapshot } from './thread-runner.js';

/** Options of `ThreadPool`. */
export interface ThreadPoolOptions {
  /**
   * Most threads running callbacks at once; more callbacks wait in the pool's queue (holding their
   * requests' worker slots).
   * @default os.availableParallelism() - 1, at least 1
   */
  maxThreads?: number;
  /**
   * How long an idle thread lives before it ends, in ms (a new one starts on demand).
   * @default 5000
   */
  idleTimeout?: number;
}

/** What a thread callback gets: a plain `response` snapshot and a real `Content` of the body. */
export interface ThreadCallbackInput {
  response: ResponseSnapshot;
  content: Content;
}

/** The shape of an export a `ThreadPool` runs; its (awaited) result must be structured-cloneable. */
export type ThreadCallback<T> = (input: ThreadCallbackInput) => T | PromiseLike<T>;

const optionNames = new Set(['maxThreads', 'idleTimeout']);

// A worker thread loads plain JavaScript: built, the runner sits next to this file; under a TypeScript
// loader (core's own tests run src/), the built one is used.
const runner = import.meta.url.endsWith('.ts')
  ? new URL('../../dist/node/thread-runner.js', import.meta.url)
  : new URL('./thread-runner.js', import.meta.url);

/**
 * Runs callbacks in worker threads (on piscina), so a callback that parses a large body does not block
 * the event loop: other requests, timers and events go on meanwhile. Node only: import it from
 * `@asynchttp/core/threads`. For CPU-heavy callbacks (big JSON, XML, CSV); a small body costs more to
 * send to a thread than to parse where it is.
 *
 * The callback is an export of a module file, called in a thread with `{ response, content }`
 * (`response` a plain snapshot with `get(name)`, `content` a real `Content`); its awaited result must be
 * structured-cloneable and becomes `data`. The body is copied once, into a buffer transferred to the
 * thread (the request's own `content` stays readable). The request's worker slot is held until the
 * thread is done.
 *
 * @example
 * ```ts
 * import { ThreadPool } from '@asynchttp/core/threads';
 * const pool = new ThreadPool({ maxThreads: 2 });
 * const parseRoutes = pool.callback<Route[]>(new URL('./parse-routes.js', import.meta.url), 'parseRoutes');
 * const { data } = await http.request(url, { callback: parseRoutes });
 * await pool.close();
 * ```
 */
export class ThreadPool {
  /** Most threads at once. */
  readonly maxThreads: number;
  /** Idle time in ms before a thread ends. */
  readonly idleTimeout: number;
  readonly #piscina: Piscina<ThreadTask, ThreadReply | ArrayBuffer>;
  /** Callbacks handed to piscina and not settled yet: never more than `maxThreads`. */
  #running = 0;
  /** Callbacks waiting for one of those places, first come first served. */
  readonly #waiting: Array<() => void> = [];
  readonly #settled = new Set<Promise<unknown>>();
  #closed: Promise<void> | undefined;

  constructor(options: ThreadPoolOptions = {}) {
    if (typeof options !== 'object' || options === null) {
      throw new TypeError('ThreadPool options must be an object, such as { maxThreads: 2 }');
    }
    for (const name of Object.keys(options)) {
      if (!optionNames.has(name)) {
        throw new TypeError(`unknown ThreadPool option ${name} (expected maxThreads or idleTimeout)`);
      }
    }
    const { maxThreads = Math.max(availableParallelism() - 1, 1), idleTimeout = 5000 } = options;
    if (typeof maxThreads !== 'number') {
      throw new TypeError(`maxThreads must be a positive integer, got ${typeof maxThreads}`);
    }
    if (!Number.isInteger(maxThreads) || maxThreads < 1) {
      throw new RangeError(`maxThreads must be a positive integer, got ${maxThreads}`);
    }
    if (typeof idleTimeout !== 'number') {
      throw new TypeError(`idleTimeout must be a number of ms, got ${typeof idleTimeout}`);
    }
    if (Number.isNaN(idleTimeout) || idleTimeout < 0) {
      throw new RangeError(`idleTimeout must be a number of ms, 0 or more, got ${idleTimeout}`);
    }
    this.maxThreads = maxThreads;
    this.idleTimeout = idleTimeout;
    this.#piscina = new Piscina({
      filename: runner.href,
      minThreads: 0,
      maxThreads,
      idleTimeout,
      // Threads run a normal event loop between tasks (not Atomics.wait), so timers and I/O a callback
      // leaves behind behave as anywhere in Node.
      atomics: 'disabled',
    });
    // A thread that dies between tasks (a stray asynchronous throw) fails no request; piscina emits
    // 'error' for it, which would crash the process without a listener. The pool replaces it on demand.
    this.#piscina.on('error', () => {});
  }

  /**
   * A core `Callback<T>` that runs `exportName` of `module` in a thread. `module` is a `URL`, a `file:`
   * URL string or an absolute path; it is imported in the thread on first use.
   */
  callback<T = unknown>(module: string | URL, exportName = 'default'): Callback<T> {
    const href = moduleHref(module);
    if (typeof exportName !== 'string' || exportName === '') {
      throw new TypeError(`exportName must be a non-empty string, got ${describeValue(exportName)}`);
    }
    const label = `${module instanceof URL ? module.href : module}#${exportName}`;
    return (input) => this.#run<T>(href, exportName, label, input);
  }

  /**
   * Waits for the callbacks it has accepted, then ends the threads. Afterwards every callback of this
   * pool rejects its request with `ClosedError`. Calling it again returns the same promise.
   */
  close(): Promise<void> {
    this.#closed ??= (async () => {
      while (this.#settled.size > 0) await Promise.allSettled([...this.#settled]);
      await this.#piscina.destroy();
    })();
    return this.#closed;
  }

  async #run<T>(href: string, exportName: string, label: string, input: CallbackInput): Promise<T> {
    if (this.#closed !== undefined) throw new ClosedError(`ThreadPool is closed: cannot run ${label}`);
    const task = toTask(href, exportName, input);
    const done = this.#schedule(task, label);
    this.#settled.add(done);
    try {
      return (await done) as T;
    } finally {
      this.#settled.delete(done);
    }
  }

  async #schedule(task: ThreadTask, label: string): Promise<unknown> {
    // Our own queue keeps piscina's empty: with minThreads 0, piscina 5.3 does not replace a thread that
    // dies, and tasks queued inside it then wait forever. A task handed over with a free place always
    // gets a thread (a new one if needed).
    if (this.#running < this.maxThreads) this.#running++;
    else await new Promise<void>((resolve) => this.#waiting.push(resolve));
    let reply: ThreadReply | ArrayBuffer;
    try {
      reply = await this.#piscina.run(task, { transferList: [task.body] });
    } catch (error) {
      throw threadDied(label, error);
    } finally {
      // The place passes straight to the next waiting callback, so none can jump the queue.
      const next = this.#waiting.shift();
      if (next === undefined) this.#running--;
      else next();
    }
    if (reply instanceof ArrayBuffer) return deserialize(new Uint8Array(reply));
    switch (reply.kind) {
      case 'threw':
        throw rebuildError(reply.error);
      case 'no-module':
        throw new TypeError(`thread callback ${label}: cannot import the module (${reply.detail})`);
      case 'no-export':
        throw new TypeError(`thread callback ${label}: the module has no export named ${task.exportName}`);
      case 'not-function':
        throw new TypeError(
          `thread callback ${label}: export ${task.exportName} is not a function (${reply.detail})`,
        );
      case 'not-cloneable':
        throw new TypeError(
          `thread callback ${label}: its result cannot be cloned to the main thread (${reply.detail})`,
        );
    }
  }
}

function moduleHref(module: unknown): string {
  if (module instanceof URL) {
    if (module.protocol !== 'file:') throw new TypeError(`module must be a file: URL, got ${module.href}`);
    return module.href;
  }
  if (typeof module !== 'string') {
    throw new TypeError(
      `module must be a URL, a file: URL string or an absolute path, got ${describeValue(module)}`,
    );
  }
  if (module.startsWith('file:')) return new URL(module).href;
  if (path.isAbsolute(module)) return pathToFileURL(module).href;
  throw new TypeError(
    `module must be a URL, a file: URL string or an absolute path, got ${JSON.stringify(module)} ` +
      '(a relative path has no base: use new URL(path, import.meta.url))',
  );
}

function toTask(href: string, exportName: string, { response, content }: CallbackInput): ThreadTask {
  // One copy, into a buffer of its own that is transferred (moved) to the thread: the request's content
  // keeps its bytes, and the copy is not cloned again on the way.
  const bytes = content.bytes();
  const body = new ArrayBuffer(bytes.byteLength);
  new Uint8Array(body).set(bytes);
  return {
    href,
    exportName,
    response: {
      status: response.status,
      reason: response.reason,
      version: response.version,
      headers: { ...response.headers },
      rawHeaders: response.rawHeaders.map(([name, value]) => [name, value]),
      url: response.url,
      fromCache: response.fromCache,
      attempts: response.attempts,
    },
    body,
    contentType: response.get('content-type'),
  };
}

const errorClasses: Record<string, ErrorConstructor> = {
  Error,
  TypeError,
  RangeError,
  SyntaxError,
  ReferenceError,
  EvalError,
  URIError,
};

/** A real Error of this realm (so core can append the call site) with the thrown error's parts. */
function rebuildError(parts: SerializedError): Error {
  const ErrorClass = errorClasses[parts.name] ?? Error;
  const error = new ErrorClass(parts.message, 'cause' in parts ? { cause: parts.cause } : undefined);
  if (error.name !== parts.name) {
    Object.defineProperty(error, 'name', { value: parts.name, writable: true, configurable: true });
  }
  Object.assign(error, parts.props);
  if (parts.stack !== undefined) error.stack = parts.stack;
  return error;
}

function threadDied(label: string, error: unknown): Error {
  const exit = error instanceof Error ? /worker exited with code: (-?\d+)/.exec(error.message) : null;
  const how = exit ? `exit code ${exit[1]}` : `uncaught ${describeValue(error)}`;
  return new Error(`thread died running callback ${label} (${how})`, { cause: error });
}

function describeValue(value: unknown): string {
  if (value instanceof Error) return `${value.name}: ${value.message}`;
  if (typeof value === 'string') return JSON.stringify(value);
  if (typeof value === 'object' && value !== null) return 'an object';
  return String(value);
}
