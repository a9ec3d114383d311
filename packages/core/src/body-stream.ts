import type { AttemptRequest } from './attempt.js';
import { counted } from './content.js';
import { isAsyncHttpError } from './errors/async-http-error.js';
import { CancelledError } from './errors/cancelled-error.js';
import { ConnectionError } from './errors/connection-error.js';
import { failureReason } from './errors/failure-reason.js';
import { TimeoutError } from './errors/timeout-error.js';
import type { RequestTask } from './request-task.js';
import type { Timers } from './timers.js';

/** A response body still streaming: what its request can do to it (`request.cancel()`, a failure). */
export interface OpenBody {
  /** Errors the stream with `error`, aborts the transfer (the adapter closes the connection). */
  abort(error: unknown): void;
}

const noop = (): void => {};

/**
 * The adapter's unread body as the caller will read it: pulled only while a read waits (so `timeout`
 * bounds each gap between chunks, not the whole transfer, nor the time the caller takes), failing with
 * core's errors, and registered on `task` as its open body until it ends, fails or is cancelled, so the
 * worker slot is held exactly that long. Cancelling it aborts the attempt, which closes the connection.
 */
export function guardBody(
  source: Uint8Array | ReadableStream<Uint8Array>,
  attempt: AttemptRequest,
  task: RequestTask<any>,
  timers: Timers,
): ReadableStream<Uint8Array> {
  // An adapter that cannot stream answered with bytes: served as a one-chunk stream.
  const reader = (source instanceof Uint8Array ? bytesStream(source) : source).getReader();
  const { method, url } = attempt;
  const request = { method, url: url.href };
  const timeout = task.timeout;
  let controller!: ReadableStreamDefaultController<Uint8Array>;
  let timer: unknown;
  let ended = false;
  const end = (): void => {
    if (ended) return;
    ended = true;
    if (timer !== undefined) timers.clearTimeout(timer as never);
    timer = undefined;
    task.bodyEnded(open);
  };
  const open: OpenBody = {
    abort(error) {
      if (ended) return;
      controller.error(error);
      attempt.abort(error);
      reader.cancel(error).catch(noop);
      end();
    },
  };
  const stalled = (): void => {
    timer = undefined;
    open.abort(
      new TimeoutError(`Response body stalled: no data for ${timeout} ms: ${method} ${url.href}`, {
        request,
      }),
    );
  };
  task.openBody = open;
  const count = { bytes: 0 };
  const stream = new ReadableStream<Uint8Array>(
    {
      start(made) {
        controller = made;
      },
      async pull() {
        if (ended) return;
        if (Number.isFinite(timeout)) timer = timers.setTimeout(stalled, timeout);
        let result: ReadableStreamReadResult<Uint8Array>;
        try {
          result = await reader.read();
        } catch (error) {
          if (ended) return;
          controller.error(bodyFailure(error, attempt, request));
          end();
          return;
        }
        if (ended) return;
        if (timer !== undefined) timers.clearTimeout(timer as never);
        timer = undefined;
        if (result.done) {
          controller.close();
          end();
          return;
        }
        count.bytes += result.value.byteLength;
        controller.enqueue(result.value);
      },
      cancel(reason) {
        if (ended) return;
        attempt.abort(
          new CancelledError(`Response body cancelled: ${method} ${url.href}`, { cause: reason, request }),
        );
        end();
        return reader.cancel(reason).catch(noop);
      },
    },
    { highWaterMark: 0 },
  );
  return counted(stream, count);
}

/**
 * An intermediate response's body (a retried status, an answered 401) read and dropped, so its
 * connection can be reused; a long one is cancelled instead of read.
 */
export async function discardBody(body: Uint8Array | ReadableStream<Uint8Array>): Promise<void> {
  if (body instanceof Uint8Array) return;
  const reader = body.getReader();
  let read = 0;
  try {
    while (read <= 64 * 1024) {
      const { done, value } = await reader.read();
      if (done) return;
      read += value.byteLength;
    }
    await reader.cancel();
  } catch {
    // A body that fails while dropped changes nothing: the next exchange goes on.
  }
}

function bytesStream(bytes: Uint8Array): ReadableStream<Uint8Array> {
  return new ReadableStream<Uint8Array>({
    start(controller) {
      if (bytes.byteLength > 0) controller.enqueue(bytes);
      controller.close();
    },
  });
}

function bodyFailure(error: unknown, attempt: AttemptRequest, request: { method: string; url: string }) {
  if (attempt.aborted && isAsyncHttpError(attempt.reason)) return attempt.reason;
  if (isAsyncHttpError(error)) return error;
  return new ConnectionError(`The response body failed: ${failureReason(error)}`, { cause: error, request });
}
