/**
 * One stored response, as a `CacheStore` keeps it. The body is stored decoded; `decodedFrom` says which
 * content-encoding it had. Plain data, so a store may serialize it.
 */
export interface CacheEntry {
  /** `http-cache-semantics`' `CachePolicy.toObject()`: freshness and revalidation state. */
  policy: object;
  status: number;
  reason: string;
  version: string;
  rawHeaders: [string, string][];
  /** The URL the response came from. */
  url: string;
  body: Uint8Array;
  decodedFrom?: string | undefined;
  /** For a remembered permanent redirect (301, 308): its absolute target. */
  location?: string | undefined;
}

/**
 * Where the HTTP cache keeps entries. Results may be sync or async. A store that fails (a full disk, a
 * corrupt file) should answer a miss rather than throw; core logs and ignores what a store throws.
 *
 * @example
 * ```ts
 * const http = new Http({ adapter, cache: new MemoryCacheStore({ maxEntries: 500 }) });
 * ```
 */
export interface CacheStore {
  get(key: string): CacheEntry | undefined | Promise<CacheEntry | undefined>;
  set(key: string, entry: CacheEntry): void | Promise<void>;
  delete(key: string): void | Promise<void>;
  /** Removes every entry. */
  clear?(): void | Promise<void>;
}

/** Options of `MemoryCacheStore`. */
export interface MemoryCacheStoreOptions {
  /** Most entries kept; the least recently used go first. @default 1000 */
  maxEntries?: number | undefined;
  /** Most bytes kept (bodies and headers); the least recently used go first. @default 67108864 (64 MiB) */
  maxBytes?: number | undefined;
}

/** Approximate bytes an entry holds. */
export function entrySize(entry: CacheEntry): number {
  let size = entry.body.byteLength + entry.url.length + 64;
  for (const [name, value] of entry.rawHeaders) size += name.length + value.length;
  return size;
}

/**
 * An in-memory `CacheStore`, bounded by entries and bytes, least recently used out first.
 * Entries larger than `maxBytes` are not kept.
 */
export class MemoryCacheStore implements CacheStore {
  readonly maxEntries: number;
  readonly maxBytes: number;
  #entries = new Map<string, CacheEntry>();
  #bytes = 0;

  constructor(options: MemoryCacheStoreOptions = {}) {
    this.maxEntries = positive(options.maxEntries ?? 1000, 'maxEntries');
    this.maxBytes = positive(options.maxBytes ?? 64 * 1024 * 1024, 'maxBytes');
  }

  /** Entries held now. */
  get size(): number {
    return this.#entries.size;
  }

  /** Bytes held now. */
  get bytes(): number {
    return this.#bytes;
  }

  get(key: string): CacheEntry | undefined {
    const entry = this.#entries.get(key);
    if (entry !== undefined) {
      // Re-inserting moves the key to the end: the Map's order is the recency order.
      this.#entries.delete(key);
      this.#entries.set(key, entry);
    }
    return entry;
  }

  set(key: string, entry: CacheEntry): void {
    this.delete(key);
    const size = entrySize(entry);
    if (size > this.maxBytes) return;
    this.#entries.set(key, entry);
    this.#bytes += size;
    for (const [oldest, old] of this.#entries) {
      if (this.#entries.size <= this.maxEntries && this.#bytes <= this.maxBytes) break;
      this.#entries.delete(oldest);
      this.#bytes -= entrySize(old);
    }
  }

  delete(key: string): void {
    const entry = this.#entries.get(key);
    if (entry === undefined) return;
    this.#entries.delete(key);
    this.#bytes -= entrySize(entry);
  }

  clear(): void {
    this.#entries.clear();
    this.#bytes = 0;
  }
}

function positive(value: unknown, name: string): number {
  if (Number.isSafeInteger(value) && (value as number) > 0) return value as number;
  throw new RangeError(`MemoryCacheStore ${name} must be a positive integer, got ${String(value)}`);
}
