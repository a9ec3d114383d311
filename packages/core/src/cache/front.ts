import type { Logger } from '../logger.js';
import { type Exchanged, type Handler, needsNetwork } from '../pipeline/index.js';
import { FULFILLED, QUEUED, type RequestTask, RUNNING } from '../request-task.js';
import { completeRequest, firstHop } from '../worker.js';

/**
 * What happens before the queue when the client has a cache: a fresh hit (or a remembered redirect to
 * one) is served at once, without a worker slot; an identical GET already in flight is waited for
 * instead of sent again; anything else is queued by `enqueue`.
 */
export class CacheFront {
  /** Lookups not yet decided; `close()` and `onIdle()` wait for them. */
  readonly lookups = new Set<Promise<void>>();
  /** Identical GETs in flight, by method, URL and headers: later ones wait for the first. */
  readonly #inflight = new Map<string, RequestTask<any>>();
  readonly #offline: Handler<Exchanged>;
  readonly #logger: Logger;
  readonly #enqueue: (task: RequestTask<any>, priority: number | undefined) => void;
  /** Called when a lookup ends (the client may be idle then). */
  readonly #looked: () => void;

  constructor(
    offline: Handler<Exchanged>,
    logger: Logger,
    enqueue: (task: RequestTask<any>, priority: number | undefined) => void,
    looked: () => void,
  ) {
    this.#looked = looked;
    this.#offline = offline;
    this.#logger = logger;
    this.#enqueue = enqueue;
  }

  /** Looks `task` up in the background; it is served, shares a leader's response, or is queued. */
  route(task: RequestTask<any>, priority: number | undefined): void {
    const lookup = this.#lookup(task, priority)
      .catch((error: unknown) => task.fail(error))
      .finally(() => {
        this.lookups.delete(lookup);
        this.#looked();
      });
    this.lookups.add(lookup);
  }

  /** A request settled: it no longer leads identical GETs. */
  settled(task: RequestTask<any>): void {
    if (task.coalesceKey !== undefined && this.#inflight.get(task.coalesceKey) === task) {
      this.#inflight.delete(task.coalesceKey);
    }
  }

  async #lookup(task: RequestTask<any>, priority: number | undefined): Promise<void> {
    let hit: Exchanged | undefined;
    try {
      hit = await this.#offline(firstHop(task), task);
    } catch (error) {
      if (error !== needsNetwork) {
        task.fail(error);
        return;
      }
    }
    if (task.state !== QUEUED) return;
    if (hit !== undefined) {
      task.state = RUNNING;
      await completeRequest(task, hit, this.#logger);
      return;
    }
    // A streamed body is read once, by one caller: such requests never lead nor share.
    const key =
      task.body === undefined && !task.stream
        ? `${task.method} ${task.url}\n${task.headers.join('\n')}`
        : undefined;
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
      if (task.queuedAt !== 0) this.#logger.debug(`#${task.id} shares the response of #${leader.id}`);
      task.state = RUNNING;
      await completeRequest(task, { response: leader.result!, content: leader.resultContent! }, this.#logger);
    } else {
      this.#enqueue(task, priority);
    }
  }
}
