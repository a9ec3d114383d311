import {
  type Coding,
  hasZlibHeader,
  ratioFloorBytes,
  supportsStream,
  tooLarge,
  type ZlibStream,
  zlib,
} from './compression.js';
import { counted } from './content.js';
import { DecompressionError } from './errors/decompression-error.js';

/** Counts the encoded bytes that went in, so the ratio limit can be checked on each decoded chunk. */
export interface EncodedCount {
  bytes: number;
}

/**
 * A streamed body decoded as it comes (codings applied in order, so undone in reverse), with the
 * decompression-bomb ratio checked on every chunk: once the decoded bytes pass `maxRatio` times the
 * encoded ones (and the 1 MiB floor), the stream fails with `ResponseTooLargeError` and the transfer
 * is cancelled. `maxResponseBytes` does not apply here: only whole-body reads are bounded by it.
 */
export function decodeStream(
  body: ReadableStream<Uint8Array>,
  codings: readonly Coding[],
  maxRatio: number,
): ReadableStream<Uint8Array> {
  const count: EncodedCount = { bytes: 0 };
  let stream = body.pipeThrough(counting(count));
  for (let index = codings.length - 1; index >= 0; index--) {
    stream = stream.pipeThrough(decoder(codings[index]!));
  }
  const decoded = { bytes: 0 };
  const checked = stream.pipeThrough(
    new TransformStream<Uint8Array, Uint8Array>({
      transform(chunk, controller) {
        decoded.bytes += chunk.byteLength;
        const cap = Math.max(ratioFloorBytes, count.bytes * maxRatio);
        if (decoded.bytes > cap) throw tooLarge(cap);
        controller.enqueue(chunk);
      },
    }),
  );
  return counted(checked, decoded);
}

function counting(count: EncodedCount): TransformStream<Uint8Array, Uint8Array> {
  return new TransformStream({
    transform(chunk, controller) {
      count.bytes += chunk.byteLength;
      controller.enqueue(chunk);
    },
  });
}

function failed(coding: string, error: unknown): DecompressionError {
  return new DecompressionError(`Cannot decode ${coding} body: ${(error as Error)?.message}`, {
    cause: error,
  });
}

/** One coding undone: Node's zlib streams where the runtime has them (brotli too), else DecompressionStream. */
function decoder(coding: Coding): TransformStream<Uint8Array, Uint8Array> {
  if (zlib === undefined) return webDecoder(coding);
  let inflater: ZlibStream | undefined;
  let failure: Error | undefined;
  let pending: ((error?: Error) => void) | undefined;
  return new TransformStream<Uint8Array, Uint8Array>({
    transform(chunk, controller) {
      if (chunk.byteLength === 0) return;
      if (inflater === undefined) {
        // "deflate" is zlib-wrapped by the RFC, but some servers send raw deflate: tell by the header.
        const z = zlib!;
        inflater =
          coding === 'gzip'
            ? z.createGunzip()
            : coding === 'br'
              ? z.createBrotliDecompress()
              : hasZlibHeader(chunk) || chunk.byteLength < 2
                ? z.createInflate()
                : z.createInflateRaw();
        const current = inflater;
        current.on('data', (data) => {
          try {
            controller.enqueue(data);
          } catch {
            // The stream was cancelled or failed meanwhile: the rest of the output has no reader.
            current.destroy();
          }
        });
        current.on('error', (error) => {
          failure = error;
          // zlib may drop the callback of the write it failed on: the pending write ends here instead.
          pending?.(error);
        });
      }
      if (failure !== undefined) throw failed(coding, failure);
      const current = inflater;
      return new Promise<void>((resolve, reject) => {
        pending = (error) => {
          pending = undefined;
          if (error) reject(failed(coding, error));
          else resolve();
        };
        current.write(chunk, (error) => pending?.(error ?? undefined));
      });
    },
    flush() {
      const current = inflater;
      // An empty body has nothing to decode (zlib would call it truncated).
      if (current === undefined) return;
      if (failure !== undefined) throw failed(coding, failure);
      return new Promise<void>((resolve, reject) => {
        current.on('end', () => resolve());
        current.on('error', (error) => reject(failed(coding, error)));
        current.end();
      });
    },
  });
}

function webDecoder(coding: Coding): TransformStream<Uint8Array, Uint8Array> {
  if (!supportsStream(coding)) throw new DecompressionError(`This runtime cannot decode ${coding}`);
  const native = new DecompressionStream(coding as CompressionFormat);
  // DecompressionStream's errors are TypeErrors: made DecompressionErrors on the way out.
  const reader = native.readable.getReader();
  const readable = new ReadableStream<Uint8Array>({
    async pull(controller) {
      try {
        const { done, value } = await reader.read();
        if (done) controller.close();
        else controller.enqueue(value);
      } catch (error) {
        throw failed(coding, error);
      }
    },
    cancel: (reason) => reader.cancel(reason),
  });
  return { writable: native.writable, readable } as unknown as TransformStream<Uint8Array, Uint8Array>;
}
