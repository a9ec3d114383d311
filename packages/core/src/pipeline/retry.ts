import type { AdapterResponse } from '../adapter.js';
import { discardBody } from '../body-stream.js';
import { errorMessage, formatError } from '../format-error.js';
import { RUNNING } from '../request-task.js';
import { backoff, isDroppedConnection, retriesError } from '../retry.js';
import { refuseResend } from '../upload.js';
import type { Layer, PipelineContext } from './types.js';
import { headerValue, trace } from './types.js';

/**
 * Retries, inside the worker slot: a failed attempt or a retryable status (408, 429, 500, 502, 503,
 * 504) of an idempotent method goes down again after a backoff (or `Retry-After`), up to the
 * request's `retry.limit`; a kept-alive connection the server dropped is tried once more whatever the
 * policy (httplib2). Each try goes through credentials, interceptors and the adapter again. The
 * policy itself is in `../retry.ts`.
 */
export function retryLayer(context: PipelineContext): Layer<AdapterResponse> {
  const { logger, timers, emitter, scheduler } = context;
  return (next) => async (hop, task) => {
    const policy = task.retry;
    let retries = 0;
    let droppedRetried = false;
    for (;;) {
      let result: AdapterResponse;
      try {
        result = await next(hop, task);
      } catch (error) {
        if (task.state !== RUNNING) throw error;
        if (!droppedRetried && isDroppedConnection(error) && policy.methods.includes(hop.method)) {
          droppedRetried = true;
          refuseResend(hop.body, hop, 'a retry on a dropped connection', error);
          trace(task, logger, `retrying once on a dropped connection: ${errorMessage(error)}`);
          if (emitter.has('retrying')) {
            emitter.emit('retrying', {
              id: task.id,
              attempt: retries + 1,
              delay: 0,
              reason: formatError(error),
            });
          }
          continue;
        }
        if (retries < policy.limit && retriesError(policy, hop.method, error)) {
          refuseResend(hop.body, hop, `a retry after ${errorMessage(error)}`, error);
          retries++;
          const delay = backoff(policy, retries, undefined, Date.now())!;
          if (emitter.has('retrying')) {
            emitter.emit('retrying', { id: task.id, attempt: retries, delay, reason: formatError(error) });
          }
          await task.sleep(timers, delay);
          trace(task, logger, `retry ${retries}/${policy.limit} after ${formatError(error)}`);
          continue;
        }
        throw error;
      }
      // RFC 9110 §10.2.3: a 429 or 503 with Retry-After pauses new starts to its origin (pauseOnRetryAfter).
      if ((result.status === 429 || result.status === 503) && context.pauseOnRetryAfter) {
        scheduler.retryAfter(
          hop.url.origin,
          headerValue(result.headers, 'retry-after'),
          policy.maxRetryAfter,
        );
      }
      if (
        retries < policy.limit &&
        policy.statusCodes.includes(result.status) &&
        policy.methods.includes(hop.method)
      ) {
        const wait = backoff(policy, retries + 1, headerValue(result.headers, 'retry-after'), Date.now());
        if (wait !== undefined) {
          await discardBody(result.body);
          refuseResend(hop.body, hop, `a retry after status ${result.status}`);
          retries++;
          if (emitter.has('retrying')) {
            const reason = `status ${result.status}`;
            emitter.emit('retrying', { id: task.id, attempt: retries, delay: wait, reason });
          }
          await task.sleep(timers, wait);
          trace(task, logger, `retry ${retries}/${policy.limit} after status ${result.status}`);
          continue;
        }
      }
      return result;
    }
  };
}
