import { readStream } from './compression.js';
import { ResponseTooLargeError } from './errors/response-too-large-error.js';

/** Where a stream made by core keeps the count of bytes it delivered (`Content.byteLength` reads it). */
export const delivered: unique symbol = Symbol('asynchttp.delivered');

/** A stream of core's that counts what it delivers. */
export type CountedStream = ReadableStream<Uint8Array> & { [delivered]?: { bytes: number } };

/** `stream` marked with its `count`, for `Content.byteLength`. */
export function counted(stream: ReadableStream<Uint8Array>, count: { bytes: number }): CountedStream {
  (stream as CountedStream)[delivered] = count;
  return stream;
}

const utf8 = new TextDecoder();
const charsetPattern = /;\s*charset\s*=\s*"?([^";\s]+)/i;

/**
 * A response body. Unlike Python's asynchttp, whose content was a string-like promise, the settled
 * content is this small object: `text()`, `json()`, `bytes()`, `toString()`, and `stream()`.
 *
 * A streamed content (request option `stream: true`) holds the body unread: take it with `stream()`
 * (once), or read it whole with `await content.load()` (bounded by `maxResponseBytes`), after which the
 * sync readers work as for a buffered body.
 *
 * @example
 * ```ts
 * const content = await http.request(url).content;
 * const routes = content.json<Route[]>();
 *
 * const streamed = await http.request(url, { stream: true }).content;
 * for await (const chunk of streamed.stream()) file.write(chunk);
 * ```
 */
export class Content {
  #body: Uint8Array | undefined;
  readonly #contentType: string | undefined;
  #text: string | undefined;
  #stream: ReadableStream<Uint8Array> | undefined;
  readonly #maxBytes: number;
  #taken = false;
  /** What the streamed body's last stage has delivered so far. */
  readonly #delivered: { bytes: number } | undefined;
  #loading: Promise<this> | undefined;

  /**
   * @param body the whole body, or (streamed) the decoded body unread
   * @param maxBytes the bound of `load()` on a streamed body (`maxResponseBytes`)
   */
  constructor(
    body: Uint8Array | ReadableStream<Uint8Array>,
    contentType?: string,
    maxBytes = Number.POSITIVE_INFINITY,
  ) {
    if (body instanceof Uint8Array) this.#body = body;
    else {
      this.#stream = body;
      this.#delivered = (body as CountedStream)[delivered];
    }
    this.#contentType = contentType;
    this.#maxBytes = maxBytes;
  }

  /** True when the body came as a stream (`stream: true`) and has not been read whole by `load()`. */
  get streamed(): boolean {
    return this.#body === undefined;
  }

  /** Body size in bytes (after decompression); for a streamed body, the bytes delivered so far. */
  get byteLength(): number {
    return this.#body === undefined ? (this.#delivered?.bytes ?? 0) : this.#body.byteLength;
  }

  /**
   * The decoded body as a `ReadableStream<Uint8Array>`. A streamed body can be taken once (a second
   * call throws); cancelling it aborts the transfer and frees the worker slot. A buffered body gives a
   * new stream over its bytes on every call.
   */
  stream(): ReadableStream<Uint8Array> {
    const body = this.#body;
    if (body !== undefined) {
      return new ReadableStream<Uint8Array>({
        start(controller) {
          if (body.byteLength > 0) controller.enqueue(body);
          controller.close();
        },
      });
    }
    if (this.#taken) {
      throw new TypeError(
        'This response body was already read: a streamed body (stream: true) can be read once, by one stream() or load()',
      );
    }
    this.#taken = true;
    const stream = this.#stream!;
    this.#stream = undefined;
    // Handed over as it is (no extra stage per chunk): the stage that made it counts what it delivers.
    return stream;
  }

  /**
   * Reads a streamed body whole, bounded by `maxResponseBytes` (past it: `ResponseTooLargeError` and the
   * transfer is cancelled); then `bytes()`, `text()` and `json()` work. Resolves at once for a buffered body.
   */
  load(): Promise<this> {
    if (this.#body !== undefined) return Promise.resolve(this);
    this.#loading ??= this.#readWhole();
    return this.#loading;
  }

  /** The body's bytes. Throws for a streamed body not yet `load()`ed. */
  bytes(): Uint8Array {
    return this.#whole();
  }

  /** The body decoded with the content-type's charset (UTF-8 when absent or unknown). */
  text(): string {
    if (this.#text === undefined) this.#text = decode(this.#whole(), this.#contentType);
    return this.#text;
  }

  /** The body parsed as JSON; throws the parser's `SyntaxError` on invalid JSON. */
  json<T = unknown>(): T {
    return JSON.parse(this.text()) as T;
  }

  /** Same as `text()`, so a content can stand where a string is expected. */
  toString(): string {
    return this.text();
  }

  [Symbol.for('nodejs.util.inspect.custom')](): string {
    const size = this.#body === undefined ? 'streamed' : `${this.#body.byteLength} bytes`;
    return `Content(${size}${this.#contentType ? `, ${this.#contentType}` : ''})`;
  }

  #whole(): Uint8Array {
    if (this.#body !== undefined) return this.#body;
    throw new TypeError(
      'This response body is streamed (stream: true): read it with content.stream(), or await ' +
        "content.load() (or the ContentPromise's bytes(), text() or json()) before the sync readers",
    );
  }

  async #readWhole(): Promise<this> {
    this.#body = await readStream(
      this.stream(),
      this.#maxBytes,
      (limit) =>
        new ResponseTooLargeError(
          `Response body exceeds maxResponseBytes (${limit}); read it with content.stream() instead`,
          { limit },
        ),
    );
    return this;
  }
}

function decode(body: Uint8Array, contentType: string | undefined): string {
  const charset = contentType === undefined ? undefined : charsetPattern.exec(contentType)?.[1];
  if (charset === undefined || /^utf-?8$/i.test(charset)) return utf8.decode(body);
  let decoder: TextDecoder;
  try {
    decoder = new TextDecoder(charset);
  } catch {
    // An unknown label is the server's mistake; UTF-8 is the most useful guess.
    decoder = utf8;
  }
  return decoder.decode(body);
}
