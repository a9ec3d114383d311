const utf8 = new TextDecoder();
const charsetPattern = /;\s*charset\s*=\s*"?([^";\s]+)/i;

/**
 * A response body, fully received. Unlike Python's asynchttp, whose content was a string-like promise,
 * the settled content is this small object: `text()`, `json()`, `bytes()` and `toString()`.
 *
 * @example
 * ```ts
 * const content = await http.request(url).content;
 * const routes = content.json<Route[]>();
 * ```
 */
export class Content {
  readonly #body: Uint8Array;
  readonly #contentType: string | undefined;
  #text: string | undefined;

  constructor(body: Uint8Array, contentType?: string) {
    this.#body = body;
    this.#contentType = contentType;
  }

  /** Body size in bytes (after decompression). */
  get byteLength(): number {
    return this.#body.byteLength;
  }

  /** The body's bytes. */
  bytes(): Uint8Array {
    return this.#body;
  }

  /** The body decoded with the content-type's charset (UTF-8 when absent or unknown). */
  text(): string {
    if (this.#text === undefined) this.#text = decode(this.#body, this.#contentType);
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
    return `Content(${this.#body.byteLength} bytes${this.#contentType ? `, ${this.#contentType}` : ''})`;
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
