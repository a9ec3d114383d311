import { formatCallSite } from './call-site.js';
import { forcedResponse } from './forced.js';
import { formatError } from './format-error.js';
import type { Logger } from './logger.js';
import type { Exchanged, Hop, Pipeline } from './pipeline/index.js';
import { parseUrl } from './request.js';
import { QUEUED, type RequestTask, RUNNING } from './request-task.js';
import type { Timers } from './timers.js';

/** What a worker slot needs from its `Http`. `forced` and `slots` are read live. */
export interface WorkerContext {
  readonly pipeline: Pipeline;
  readonly logger: Logger;
  readonly timers: Timers;
  /** `forceExceptionToStatusCode`. */
  readonly forced: boolean;
  /** `running/maxWorkers`, for the log. */
  slots(): string;
}

/**
 * One request in its worker slot: down the pipeline (every hop, retry and credential round trip), then
 * httplib2's forced status codes on failure, then the callback. The slot is held until it settles.
 */
export async function runRequest(task: RequestTask<any>, context: WorkerContext): Promise<void> {
  if (task.state !== QUEUED) return;
  task.state = RUNNING;
  const { logger, timers } = context;
  const log = task.queuedAt !== 0;
  if (log) {
    const waited = timers.now() - task.queuedAt;
    logger.debug(
      `#${task.id} started ${task.method} ${task.url}: worker ${context.slots()}, waited ${waited.toFixed(1)} ms`,
    );
    task.queuedAt = timers.now();
  }
  let exchanged: Exchanged;
  try {
    const hop = firstHop(task);
    // The scheduler admitted this first exchange under the rate windows when it started the request.
    task.firstUrl = hop.url;
    exchanged = await context.pipeline.online(hop, task);
  } catch (error) {
    const forced = context.forced && task.state === RUNNING ? forcedResponse(task, error) : undefined;
    if (forced === undefined) {
      task.fail(error);
      return;
    }
    if (log) logger.debug(`#${task.id} ${formatError(error)}: forced to status ${forced.response.status}`);
    exchanged = forced;
  }
  await completeRequest(task, exchanged, logger);
}

/** Runs the callback (in the worker slot when there is one) and settles the request. */
export async function completeRequest<T>(
  task: RequestTask<T>,
  exchanged: Exchanged,
  logger: Logger,
): Promise<void> {
  if (task.state !== RUNNING) return;
  const { response, content } = exchanged;
  let data: T | undefined;
  if (task.callback !== undefined) {
    try {
      data = await task.callback({ response, content });
    } catch (error) {
      // A request cancelled or timed out meanwhile has settled: its callback's late failure is moot.
      if (task.state !== RUNNING) return;
      logger.warn(
        `#${task.id} callback failed for ${task.method} ${task.url}: ${formatError(error)}\n` +
          `    request() called from:\n${formatCallSite(task.site ?? {})}`,
      );
      task.fail(error);
      return;
    }
    if (task.queuedAt !== 0) logger.debug(`#${task.id} callback done`);
  }
  task.fulfill(response, content, data as T);
}

/** The first hop of a request, as it goes down the pipeline. */
export function firstHop(task: RequestTask<any>): Hop {
  return { url: parseUrl(task.url), method: task.method, headers: task.headers, body: task.body };
}
