import type { AdapterResponse } from '../adapter.js';
import { AttemptRequest } from '../attempt.js';
import { guardBody } from '../body-stream.js';
import { isAsyncHttpError } from '../errors/async-http-error.js';
import { ConnectionError } from '../errors/connection-error.js';
import { failureReason } from '../errors/failure-reason.js';
import { TimeoutError } from '../errors/timeout-error.js';
import type { RequestTask } from '../request-task.js';
import { neverRetried } from '../retry.js';
import { UploadBody } from '../upload.js';
import { checkAdapterResponse, composeInterceptors } from './interceptors.js';
import type { Handler, PipelineContext, Send } from './types.js';

/**
 * The bottom of the pipeline: one attempt, bounded by the request's `timeout` (interceptors included),
 * through the user's interceptors to the adapter. Without interceptors the adapter gets core's own
 * `AttemptRequest` (whose `AbortSignal` is made only if read); with them, each level a plain copy.
 */
export function transport(context: PipelineContext): Handler<AdapterResponse> {
  const { adapter, interceptors, timers, maxResponseBytes } = context;
  const name = adapter.name;
  const send: Send | undefined =
    interceptors.length === 0
      ? undefined
      : composeInterceptors(interceptors, (request) => adapter.send(request), name);
  const queued = adapter.queued === true;
  return async (hop, task) => {
    task.attempts++;
    const upload = hop.body instanceof UploadBody ? hop.body : undefined;
    const body = upload === undefined ? (hop.body as Uint8Array | undefined) : upload.open();
    // A streamed body is bounded by nothing but the caller, so the adapter gets no size limit.
    const limit = task.stream ? undefined : maxResponseBytes;
    const attempt = new AttemptRequest(hop.url, hop.method, hop.headers, body, limit);
    attempt.stream = task.stream;
    task.controller = attempt;
    const timeout = task.timeout;
    const timed = Number.isFinite(timeout);
    let timer: unknown;
    let ended = false;
    const arm = (): void => {
      if (timer === undefined && !ended && !attempt.aborted) {
        timer = timers.setTimeout(() => timedOut(task, context, attempt), timeout);
      }
    };
    // A queued adapter's own wait (a job queue, a fleet's limits) is not the exchange: its timer starts
    // when the adapter says the exchange has begun. Other adapters never pay for the hook.
    if (!timed) {
      if (queued) startedHook(attempt, noop);
    } else if (queued) startedHook(attempt, arm);
    else arm();
    try {
      const sending = send === undefined ? adapter.send(attempt) : send(attempt);
      // When a timeout does not settle the request itself (a retry or a forced 408 follows), the
      // attempt must end on abort even if the adapter ignores its signal; otherwise the adapter's own
      // settling is awaited, with no extra promise on the common path.
      const result = await (timed && (context.forced || task.retry.onTimeout)
        ? endOnAbort(sending, attempt)
        : sending);
      if (send === undefined) checkAdapterResponse(result, `the ${name} adapter`);
      if (!task.stream) return result;
      return { ...result, body: guardBody(result.body, attempt, task, timers) };
    } catch (failure) {
      throw adapterFailure(failure, attempt, name, upload);
    } finally {
      ended = true;
      if (timer !== undefined) timers.clearTimeout(timer);
      task.controller = undefined;
    }
  };
}

function noop(): void {}

/** Gives a queued adapter's request its `started()` hook (`AdapterRequest.started`). */
function startedHook(attempt: AttemptRequest, started: () => void): void {
  Object.defineProperty(attempt, 'started', { value: started, enumerable: true });
}

function timedOut(task: RequestTask<any>, context: PipelineContext, attempt: AttemptRequest): void {
  const { method, url } = attempt;
  const error = new TimeoutError(`Request timed out after ${task.timeout} ms: ${method} ${url.href}`, {
    request: { method, url: url.href },
  });
  attempt.abort(error);
  // Settle at once, even if the adapter is slow to give up, unless a retry or a forced 408 follows.
  if (!context.forced && (!task.retry.onTimeout || task.retry.limit === 0)) task.fail(error);
}

/**
 * Core's error for whatever the adapter threw: the abort reason wins, then a failure of the caller's
 * upload stream (as the `cause`, whatever the adapter made of it), and foreign errors are wrapped.
 */
function adapterFailure(
  error: unknown,
  attempt: AttemptRequest,
  adapter: string,
  upload: UploadBody | undefined,
): unknown {
  if (attempt.aborted && isAsyncHttpError(attempt.reason)) return attempt.reason;
  if (upload?.failure !== undefined) {
    const { method, url } = attempt;
    return neverRetried(
      new ConnectionError(`The request body failed while sent: ${failureReason(upload.failure)}`, {
        cause: upload.failure,
        request: { method, url: url.href },
      }),
    );
  }
  if (isAsyncHttpError(error)) return error;
  return new ConnectionError(`The ${adapter} adapter failed: ${failureReason(error)}`, { cause: error });
}

/** `sending`, or the abort reason as soon as `attempt` is aborted; a late result is dropped, handled. */
function endOnAbort<T>(sending: Promise<T>, attempt: AttemptRequest): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    if (attempt.aborted) reject(attempt.reason);
    else attempt.addEventListener('abort', () => reject(attempt.reason));
    Promise.resolve(sending).then(resolve, reject);
  });
}
