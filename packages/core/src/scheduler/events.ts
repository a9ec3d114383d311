import type { Logger } from '../logger.js';
import { describe } from '../validate.js';

/** The events of an `Http` and their payloads. Times are ms; `until` is epoch ms (`Date.now()`). */
export interface HttpEvents {
  /** `request()` was called (every request, even one refused at once, is queued first). */
  queued: { id: number; method: string; url: string; origin: string; priority: number };
  /** A worker took the request; `waited` is its time in the queue, in ms. */
  started: { id: number; method: string; url: string; origin: string; waited: number };
  /** An attempt failed or got a retryable status; the next one follows after `delay` ms. */
  retrying: { id: number; attempt: number; delay: number; reason: string };
  /** The request settled with a response (any status); `duration` is from start to settled, in ms. */
  completed: {
    id: number;
    method: string;
    url: string;
    status: number;
    duration: number;
    fromCache: boolean;
  };
  /** The request settled with an error. */
  failed: { id: number; method: string; url: string; error: unknown };
  /** New starts stopped: for the whole client, or for `origin`; until `until` (epoch ms), if it has an end. */
  paused: { origin?: string; until?: number };
  /** A pause ended, by `resume()` or when its time ran out. */
  resumed: { origin?: string };
  /** Nothing waits or runs: after the last `completed` or `failed`. */
  idle: Record<string, never>;
}

/** An event name of `Http`. */
export type HttpEventName = keyof HttpEvents;

/** A listener of one event. */
export type HttpListener<E extends HttpEventName> = (payload: HttpEvents[E]) => void;

export const eventNames: readonly HttpEventName[] = [
  'queued',
  'started',
  'retrying',
  'completed',
  'failed',
  'paused',
  'resumed',
  'idle',
];

interface Entry {
  listener: (payload: never) => void;
  once: boolean;
}

/**
 * The one emitter of an `Http` (p-queue's way: one emitter, named events). A listener that throws is
 * logged and changes nothing. `has()` is checked before a payload is built, so an event nobody
 * listens to costs one lookup.
 */
export class Emitter {
  readonly #listeners = new Map<HttpEventName, Entry[]>();
  readonly #logger: Logger;

  constructor(logger: Logger) {
    this.#logger = logger;
  }

  has(event: HttpEventName): boolean {
    return this.#listeners.has(event);
  }

  on(event: unknown, listener: unknown, once = false): void {
    const name = checkEvent(event);
    if (typeof listener !== 'function') {
      throw new TypeError(`The listener of "${name}" must be a function, got ${describe(listener)}`);
    }
    const entries = this.#listeners.get(name);
    const entry = { listener: listener as Entry['listener'], once };
    if (entries === undefined) this.#listeners.set(name, [entry]);
    else entries.push(entry);
  }

  off(event: unknown, listener: unknown): void {
    const name = checkEvent(event);
    const entries = this.#listeners.get(name);
    if (entries === undefined) return;
    const index = entries.findIndex((entry) => entry.listener === listener);
    if (index !== -1) entries.splice(index, 1);
    if (entries.length === 0) this.#listeners.delete(name);
  }

  emit<E extends HttpEventName>(event: E, payload: HttpEvents[E]): void {
    const entries = this.#listeners.get(event);
    if (entries === undefined) return;
    for (const entry of [...entries]) {
      if (entry.once) this.off(event, entry.listener);
      try {
        (entry.listener as HttpListener<E>)(payload);
      } catch (error) {
        this.#logger.warn(`a listener of "${event}" threw: ${errorText(error)}`);
      }
    }
  }
}

function checkEvent(event: unknown): HttpEventName {
  if (typeof event === 'string' && (eventNames as readonly string[]).includes(event))
    return event as HttpEventName;
  throw new TypeError(`Unknown event ${describe(event)}: the events are ${eventNames.join(', ')}`);
}

/** An error as text that never throws, whatever was thrown. */
function errorText(error: unknown): string {
  try {
    return error instanceof Error ? `${error.name}: ${error.message}` : String(error);
  } catch {
    return Object.prototype.toString.call(error);
  }
}
