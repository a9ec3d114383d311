import { InvalidRequestError } from './errors/invalid-request-error.js';
import { describe } from './validate.js';

/**
 * A request body that is not bytes in memory: a `Blob` (read again for every attempt, so it may be
 * resent) or a `ReadableStream` / async iterable (sent once). Each attempt takes a fresh stream with
 * `open()`; a failure of the caller's source is kept in `failure`, so the request can report it as the
 * `cause` whatever the adapter made of it.
 */
export class UploadBody {
  /** The caller's Blob, when the body is one. */
  readonly blob: Blob | undefined;
  readonly #source: ReadableStream<Uint8Array> | AsyncIterable<Uint8Array> | undefined;
  /** Whether the one-shot source was handed to an attempt. */
  sent = false;
  /** What the caller's source threw or errored with while it was read. */
  failure: unknown = undefined;

  constructor(body: Blob | ReadableStream<Uint8Array> | AsyncIterable<Uint8Array>) {
    if (isBlob(body)) {
      this.blob = body;
      this.#source = undefined;
    } else {
      this.blob = undefined;
      this.#source = body;
    }
  }

  /** True for a stream or async iterable: it cannot be sent a second time. */
  get oneShot(): boolean {
    return this.blob === undefined;
  }

  /** A stream of the body for one attempt; a one-shot body already sent is refused. */
  open(): ReadableStream<Uint8Array> {
    if (this.blob !== undefined) return this.#guarded(this.blob.stream() as ReadableStream<Uint8Array>);
    if (this.sent) throw new InvalidRequestError('The request body is a stream that was already sent once');
    this.sent = true;
    const source = this.#source!;
    return this.#guarded(isReadableStream(source) ? source : (iterate(source) as ReadableStream<Uint8Array>));
  }

  /** The source pulled chunk by chunk (never ahead of the adapter), each chunk checked. */
  #guarded(source: ReadableStream<Uint8Array>): ReadableStream<Uint8Array> {
    const reader = source.getReader();
    return new ReadableStream<Uint8Array>(
      {
        pull: async (controller) => {
          let result: ReadableStreamReadResult<Uint8Array>;
          try {
            result = await reader.read();
          } catch (error) {
            this.failure = error;
            throw error;
          }
          if (result.done) return controller.close();
          const chunk: unknown = result.value;
          if (!(chunk instanceof Uint8Array)) {
            const error = new InvalidRequestError(
              `A request body stream must give Uint8Array chunks, got ${describe(chunk)}`,
            );
            this.failure = error;
            reader.cancel(error).catch(() => {});
            throw error;
          }
          controller.enqueue(chunk);
        },
        cancel: (reason) => reader.cancel(reason),
      },
      { highWaterMark: 0 },
    );
  }
}

/** An async iterable as a pull stream: the next chunk is asked for only when one is wanted. */
function iterate(iterable: AsyncIterable<Uint8Array>): ReadableStream<unknown> {
  let iterator: AsyncIterator<Uint8Array> | undefined;
  return new ReadableStream<unknown>(
    {
      async pull(controller) {
        iterator ??= iterable[Symbol.asyncIterator]();
        const { done, value } = await iterator.next();
        if (done) controller.close();
        else controller.enqueue(value);
      },
      async cancel(reason) {
        await iterator?.return?.(reason);
      },
    },
    { highWaterMark: 0 },
  );
}

export function isBlob(value: unknown): value is Blob {
  return typeof Blob === 'function' && value instanceof Blob;
}

export function isReadableStream(value: unknown): value is ReadableStream<Uint8Array> {
  return (
    typeof value === 'object' &&
    value !== null &&
    typeof (value as ReadableStream).getReader === 'function' &&
    typeof (value as ReadableStream).cancel === 'function'
  );
}

export function isAsyncIterable(value: unknown): value is AsyncIterable<Uint8Array> {
  return (
    typeof value === 'object' &&
    value !== null &&
    typeof (value as AsyncIterable<unknown>)[Symbol.asyncIterator] === 'function'
  );
}

/**
 * Throws `InvalidRequestError` when `body` is one-shot and `what` (a retry, a 307 redirect, a 401
 * challenge) would need it sent again; `cause` is what asked for it.
 */
export function refuseResend(
  body: unknown,
  hop: { method: string; url: URL },
  what: string,
  cause?: unknown,
): void {
  if (!(body instanceof UploadBody) || !body.oneShot) return;
  throw new InvalidRequestError(
    `Cannot send ${hop.method} ${hop.url.href} again for ${what}: its body is a stream or async ` +
      'iterable, which is sent once (pass bytes or a Blob to allow resending)',
    cause === undefined ? undefined : { cause },
  );
}
