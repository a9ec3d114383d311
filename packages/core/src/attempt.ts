import type { AdapterRequest } from './adapter.js';
import type { HeaderPairs } from './request.js';

/**
 * What a library that accepts any EventTarget-like signal needs (undici's `signal`, axios's
 * `GenericAbortSignal`): an `AbortSignal` fits, and so does the light target `abortTarget()` returns.
 */
export interface AbortTarget {
  readonly aborted: boolean;
  readonly reason: unknown;
  addEventListener(type: 'abort', listener: () => void, options?: { once?: boolean | undefined }): void;
  removeEventListener(type: 'abort', listener: () => void): void;
}

type Listener = () => void;

/**
 * One attempt's `AdapterRequest`. It is also its own abort target: creating an `AbortController` costs
 * more than the rest of core's per-request work together on Node 20, so the real `AbortSignal` is made
 * only if an adapter reads `signal`; adapters that can use an EventTarget-like signal take
 * `abortTarget(request)` instead and never pay for it.
 */
export class AttemptRequest implements AdapterRequest, AbortTarget {
  readonly url: URL;
  readonly method: string;
  readonly headers: HeaderPairs;
  readonly body: Uint8Array | ReadableStream<Uint8Array> | undefined;
  readonly maxResponseBytes: number | undefined;
  /** `stream: true`: the adapter hands the body back unread. */
  stream = false;
  aborted = false;
  reason: unknown = undefined;
  #listeners: Listener[] | undefined = undefined;
  #controller: AbortController | undefined = undefined;

  constructor(
    url: URL,
    method: string,
    headers: HeaderPairs,
    body: Uint8Array | ReadableStream<Uint8Array> | undefined,
    maxResponseBytes: number | undefined,
  ) {
    this.url = url;
    this.method = method;
    this.headers = headers;
    this.body = body;
    this.maxResponseBytes = maxResponseBytes;
  }

  get signal(): AbortSignal {
    if (this.#controller === undefined) {
      this.#controller = new AbortController();
      if (this.aborted) this.#controller.abort(this.reason);
    }
    return this.#controller.signal;
  }

  addEventListener(type: string, listener: Listener): void {
    if (type !== 'abort') return;
    if (this.#listeners === undefined) this.#listeners = [listener];
    else this.#listeners.push(listener);
  }

  removeEventListener(type: string, listener: Listener): void {
    const listeners = this.#listeners;
    if (type !== 'abort' || listeners === undefined) return;
    const index = listeners.indexOf(listener);
    if (index !== -1) listeners.splice(index, 1);
  }

  /** Aborts the attempt: listeners fire once, and the real signal (if made) aborts with `reason`. */
  abort(reason: unknown): void {
    if (this.aborted) return;
    this.aborted = true;
    this.reason = reason;
    this.#controller?.abort(reason);
    const listeners = this.#listeners;
    this.#listeners = undefined;
    if (listeners === undefined) return;
    for (const listener of listeners) {
      try {
        listener.call(this);
      } catch {
        // An adapter's listener that throws must not stop the others, nor the cancel or timeout.
      }
    }
  }
}

/**
 * The cheapest way to hear about an attempt's abort: for a request made by core, the request itself (a
 * light EventTarget-like object, no `AbortController` made); for any other, its `signal`. Pass it to a
 * library that accepts EventTarget-like signals, or check its `aborted` and `reason`.
 *
 * @example
 * ```ts
 * const target = abortTarget(request);
 * if (target.aborted) throw target.reason;
 * await dispatcher.request({ ...options, signal: target });
 * ```
 */
export function abortTarget(request: AdapterRequest): AbortTarget {
  return request instanceof AttemptRequest ? request : request.signal;
}
