import { ResponseTooLargeError } from '@asynchttp/core';
import type { Dispatcher } from 'undici';

type Body = Dispatcher.ResponseData['body'];

/**
 * Reads the whole body, stopping past `limit`. With a content-length, undici's own `bytes()` is the
 * fastest read and undici enforces the length; without one, chunks are counted as they come.
 */
export function readBody(body: Body, contentLength: unknown, limit: number | undefined): Promise<Uint8Array> {
  if (limit === undefined || limit === Number.POSITIVE_INFINITY || typeof contentLength === 'string') {
    return body.bytes();
  }
  return collect(body, limit);
}

/** True (and the body destroyed) when a declared content-length is already past the limit. */
export function declaredTooLarge(body: Body, contentLength: unknown, limit: number | undefined): boolean {
  if (limit === undefined || typeof contentLength !== 'string' || Number(contentLength) <= limit)
    return false;
  // Destroying the unread body makes undici drop the connection instead of draining megabytes.
  body.destroy();
  return true;
}

export function tooLarge(limit: number): ResponseTooLargeError {
  return new ResponseTooLargeError(`Response body exceeds maxResponseBytes (${limit})`, { limit });
}

async function collect(body: Body, limit: number): Promise<Uint8Array> {
  const chunks: Buffer[] = [];
  let length = 0;
  for await (const chunk of body as AsyncIterable<Buffer>) {
    length += chunk.length;
    if (length > limit) {
      body.destroy();
      throw tooLarge(limit);
    }
    chunks.push(chunk);
  }
  const joined = chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks, length);
  return new Uint8Array(joined.buffer, joined.byteOffset, joined.byteLength);
}

/**
 * The unread body as a web stream, read only as the caller reads: the body flows for one chunk per
 * pull and is paused again (events, not an async iterator: one promise less per chunk). Cancelling it
 * destroys the body, so undici closes the connection instead of draining it.
 */
export function toWebStream(body: Body, failure: (error: unknown) => unknown): ReadableStream<Uint8Array> {
  let ended = false;
  return new ReadableStream<Uint8Array>(
    {
      start(controller) {
        body.pause();
        body.on('data', (chunk: Buffer) => {
          if (ended) return;
          controller.enqueue(new Uint8Array(chunk.buffer, chunk.byteOffset, chunk.byteLength));
          if ((controller.desiredSize ?? 0) <= 0) body.pause();
        });
        body.once('end', () => {
          if (ended) return;
          ended = true;
          controller.close();
        });
        body.once('error', (error) => {
          if (ended) return;
          ended = true;
          controller.error(failure(error));
        });
      },
      pull() {
        body.resume();
      },
      cancel() {
        ended = true;
        body.destroy();
      },
    },
    { highWaterMark: 0 },
  );
}
