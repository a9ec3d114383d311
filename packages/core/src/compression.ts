import { DecompressionError } from './errors/decompression-error.js';
import { ResponseTooLargeError } from './errors/response-too-large-error.js';

/** What core sends as `accept-encoding` unless the caller set one (or sent `range`). */
export const acceptEncoding = 'gzip, deflate, br';

/**
 * Decoded bodies may grow to `maxCompressionRatio` times their encoded size, but never less than this:
 * small, very repetitive bodies (a page of spaces) are legitimate.
 */
export const ratioFloorBytes = 1024 * 1024;

/** Limits on a decoded body, so a decompression bomb fails before it fills memory. */
export interface DecodeLimits {
  /** `maxResponseBytes`. */
  maxBytes: number;
  /** `maxCompressionRatio`. */
  maxRatio: number;
}

export type Coding = 'gzip' | 'deflate' | 'deflate-raw' | 'br';

type ZlibDecode = (
  buffer: Uint8Array,
  options: object,
  callback: (error: Error | null, result: Uint8Array) => void,
) => void;

/** The part of a zlib stream (a Node Transform) that `decode-stream.ts` uses. */
export interface ZlibStream {
  write(chunk: Uint8Array, callback: (error?: Error | null) => void): boolean;
  end(): void;
  destroy(): void;
  on(event: 'data', listener: (chunk: Uint8Array) => void): this;
  on(event: 'error' | 'end', listener: (error?: Error) => void): this;
}

export interface Zlib {
  gunzip: ZlibDecode;
  inflate: ZlibDecode;
  inflateRaw: ZlibDecode;
  brotliDecompress: ZlibDecode;
  createGunzip(): ZlibStream;
  createInflate(): ZlibStream;
  createInflateRaw(): ZlibStream;
  createBrotliDecompress(): ZlibStream;
}

// Node's zlib through process.getBuiltinModule (Node 20.16+, Bun, Deno): native speed, brotli, and an
// output cap, with no `node:` import in core's runtime-neutral entry. Elsewhere, DecompressionStream.
export const zlib: Zlib | undefined = (
  globalThis as { process?: { getBuiltinModule?: (id: string) => unknown } }
).process?.getBuiltinModule?.('zlib') as Zlib | undefined;

/** The content-codings core can decode here, in the order they were applied, or undefined. */
export function parseCodings(header: string | undefined): Coding[] | undefined {
  if (header === undefined) return undefined;
  const codings: Coding[] = [];
  for (const token of header.split(',')) {
    const coding = token.trim().toLowerCase();
    if (coding === '' || coding === 'identity') continue;
    if (coding === 'gzip' || coding === 'x-gzip') codings.push('gzip');
    else if (coding === 'deflate') codings.push('deflate');
    else if (coding === 'br' && (zlib !== undefined || supportsStream('br'))) codings.push('br');
    // An unknown coding: leave the body as it is and keep the header, so the caller can tell.
    else return undefined;
  }
  return codings.length === 0 ? undefined : codings;
}

/**
 * Decodes `body` (codings applied in order, so undone in reverse). Corrupt data gives
 * `DecompressionError`; output past the limits gives `ResponseTooLargeError` without inflating the rest.
 */
export async function decodeBody(
  body: Uint8Array,
  codings: Coding[],
  limits: DecodeLimits,
): Promise<Uint8Array> {
  const cap = Math.min(limits.maxBytes, Math.max(ratioFloorBytes, body.byteLength * limits.maxRatio));
  let data = body;
  for (let index = codings.length - 1; index >= 0; index--) {
    if (data.byteLength === 0) return data;
    let coding = codings[index]!;
    // "deflate" is zlib-wrapped by the RFC, but some servers send raw deflate: tell them apart by header.
    if (coding === 'deflate' && !hasZlibHeader(data)) coding = 'deflate-raw';
    data =
      zlib === undefined
        ? await decodeWithStream(data, coding, cap)
        : await decodeWithZlib(data, coding, cap);
  }
  return data;
}

export function hasZlibHeader(data: Uint8Array): boolean {
  return data.byteLength >= 2 && (data[0]! & 0x0f) === 8 && ((data[0]! << 8) | data[1]!) % 31 === 0;
}

export function tooLarge(cap: number): ResponseTooLargeError {
  return new ResponseTooLargeError(
    `Decoded response body exceeds ${cap} bytes (maxResponseBytes or maxCompressionRatio); not inflated further`,
    { limit: cap },
  );
}

function decodeWithZlib(data: Uint8Array, coding: Coding, cap: number): Promise<Uint8Array> {
  const z = zlib!;
  const run =
    coding === 'gzip'
      ? z.gunzip
      : coding === 'deflate'
        ? z.inflate
        : coding === 'deflate-raw'
          ? z.inflateRaw
          : z.brotliDecompress;
  return new Promise((resolve, reject) => {
    // maxOutputLength stops zlib as soon as the output would pass the cap: a bomb never inflates fully.
    run.call(z, data, { maxOutputLength: cap }, (error, result) => {
      if (error === null) return resolve(new Uint8Array(result.buffer, result.byteOffset, result.byteLength));
      if ((error as { code?: string }).code === 'ERR_BUFFER_TOO_LARGE') return reject(tooLarge(cap));
      reject(new DecompressionError(`Cannot decode ${coding} body: ${error.message}`, { cause: error }));
    });
  });
}

export function supportsStream(coding: string): boolean {
  if (typeof DecompressionStream !== 'function') return false;
  try {
    new DecompressionStream(coding as CompressionFormat);
    return true;
  } catch {
    return false;
  }
}

async function decodeWithStream(data: Uint8Array, coding: Coding, cap: number): Promise<Uint8Array> {
  if (!supportsStream(coding)) {
    throw new DecompressionError(`This runtime cannot decode ${coding}`);
  }
  const stream = new Blob([data as BlobPart])
    .stream()
    .pipeThrough(new DecompressionStream(coding as CompressionFormat));
  try {
    return await readStream(stream, cap, tooLarge);
  } catch (error) {
    if (error instanceof ResponseTooLargeError) throw error;
    throw new DecompressionError(`Cannot decode ${coding} body: ${(error as Error).message}`, {
      cause: error,
    });
  }
}

/**
 * Joins chunks of a body read piece by piece (`total` is their summed length), without a copy when
 * there is only one. `readStream()` reads a stream this way; use this for chunks gathered otherwise.
 */
export function concatBytes(chunks: readonly Uint8Array[], total: number): Uint8Array {
  if (chunks.length === 1) return chunks[0]!;
  const out = new Uint8Array(total);
  let offset = 0;
  for (const chunk of chunks) {
    out.set(chunk, offset);
    offset += chunk.byteLength;
  }
  return out;
}

/**
 * Reads a body stream to its end into one `Uint8Array`. Past `maxBytes` (bytes, default no limit) the
 * stream is cancelled with the error `tooLarge(maxBytes)` makes, which is then thrown, so reading stops
 * as soon as the limit is passed. For adapters that read a stream themselves, and for core's readers.
 *
 * @example
 * ```ts
 * const body = await readStream(response.body, request.maxResponseBytes,
 *   (limit) => new ResponseTooLargeError(`Response body exceeds ${limit} bytes`, { limit }));
 * ```
 */
export async function readStream(
  stream: ReadableStream<Uint8Array>,
  maxBytes = Number.POSITIVE_INFINITY,
  tooLarge: (limit: number) => Error = (limit) =>
    new ResponseTooLargeError(`Response body exceeds ${limit} bytes`, { limit }),
): Promise<Uint8Array> {
  const reader = stream.getReader();
  const chunks: Uint8Array[] = [];
  let total = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    total += value.byteLength;
    if (total > maxBytes) {
      const error = tooLarge(maxBytes);
      await reader.cancel(error).catch(() => {});
      throw error;
    }
    chunks.push(value);
  }
  return concatBytes(chunks, total);
}
