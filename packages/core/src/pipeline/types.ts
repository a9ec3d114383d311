import type { Adapter } from '../adapter.js';
import type { HttpCache } from '../cache/http-cache.js';
import type { Credentials } from '../credentials.js';
import type { Interceptor } from '../interceptor.js';
import type { Logger } from '../logger.js';
import type { HeaderPairs } from '../request.js';
import type { RequestTask } from '../request-task.js';
import type { Emitter } from '../scheduler/events.js';
import type { Scheduler } from '../scheduler/scheduler.js';
import type { Timers } from '../timers.js';
import type { Hop } from './hop.js';

export type { Interceptor, Send } from '../interceptor.js';
export type { Exchanged, Hop } from './hop.js';

/**
 * A step of the pipeline. Every layer is `(next) => handler`: it gets the hop and the request it
 * belongs to (per-request state: policy, timeout, abort, log), and answers with `R`. Layers above
 * decoding answer with an `Exchanged`; decoding and the layers below it with the raw `AdapterResponse`.
 */
export type Handler<R> = (hop: Hop, task: RequestTask<any>) => Promise<R>;

/** A layer of the pipeline: a function of the handler below it, like undici's interceptors. */
export type Layer<Below, Above = Below> = (next: Handler<Below>) => Handler<Above>;

/** What the layers need from their `Http`. Fields are read on each request, so settable options apply at once. */
export interface PipelineContext {
  readonly adapter: Adapter;
  readonly timers: Timers;
  readonly logger: Logger;
  readonly maxResponseBytes: number;
  readonly maxCompressionRatio: number;
  readonly rules: { readonly followRedirects: boolean; readonly followAllRedirects: boolean };
  readonly credentials: Credentials;
  /** The HTTP cache, when the client has one. */
  readonly cache: HttpCache | undefined;
  /** `forceExceptionToStatusCode`, read live: a forced failure must reach the worker, not settle early. */
  readonly forced: boolean;
  /** The user's interceptors, composed over the adapter in array order. */
  readonly interceptors: readonly Interceptor[];
  /** Rate windows for every exchange, and pauses. */
  readonly scheduler: Scheduler;
  /** The client's events (`retrying` comes from the pipeline). */
  readonly emitter: Emitter;
  /** `pauseOnRetryAfter`, read live. */
  readonly pauseOnRetryAfter: boolean;
}

/** A debug line for the request, only when its log is on (`queuedAt` is kept only then). */
export function trace(task: RequestTask<any>, logger: Logger, message: string): void {
  if (task.queuedAt !== 0) logger.debug(`#${task.id} ${message}`);
}

/** `headers` with `name` set to `value` (a new array; the old one is never changed). */
export function withHeader(headers: HeaderPairs, name: string, value: string): HeaderPairs {
  const out: HeaderPairs = headers.filter(([key]) => key !== name);
  out.push([name, value]);
  return out;
}

/** The first value of a header, by lower-case name, from raw pairs. */
export function headerValue(
  pairs: ReadonlyArray<readonly [string, string]>,
  name: string,
): string | undefined {
  for (const [key, value] of pairs) {
    if (key.length === name.length && key.toLowerCase() === name) return value;
  }
  return undefined;
}

/** Every value of a header, by lower-case name, from raw pairs. */
export function headerValues(pairs: ReadonlyArray<readonly [string, string]>, name: string): string[] {
  const values: string[] = [];
  for (const [key, value] of pairs) {
    if (key.length === name.length && key.toLowerCase() === name) values.push(value);
  }
  return values;
}
