import { createHash, randomBytes } from 'node:crypto';
import { mkdir, readdir, readFile, rename, rm, stat, unlink, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { CacheEntry, CacheStore } from '../cache/store.js';

// First line of every file: identifies the format, so a foreign file is a miss, not a crash.
const magic = 'asynchttp-cache/1';
// The names this store makes: an entry (the key's SHA-256) and its temporary files.
const entryName = /^[0-9a-f]{64}$/;
const temporaryName = /^[0-9a-f]{64}\.[0-9a-z-]+\.tmp$/;

/** Options of `FileCacheStore`. */
export interface FileCacheStoreOptions {
  /**
   * How old (by modification time) a temporary file must be before a sweep removes it, in ms. A write
   * takes far less; the margin keeps a sweep from taking the file of a live writer in another process.
   * @default 600000 (10 minutes)
   */
  temporaryGraceMs?: number;
}

/**
 * A `CacheStore` in a directory, as httplib2's `FileCache` (`Http(".cache")`): one file per key, named
 * by the key's SHA-256 so any URL is a safe file name. Writes go to a temporary file
 * (`<sha256>.<pid>-<random>.tmp`, created exclusively) that is renamed over the entry, so a crash or a
 * second process never leaves a torn entry. A corrupt or foreign file is a miss, and is replaced on the
 * next store. Node only: import it from `@asynchttp/core/file-cache`.
 *
 * Temporary files left by a writer that died mid-write (a crash, SIGKILL) are swept when the store
 * opens, that is on its first `get`, `set` or `delete`, and whenever `sweep()` is called: those older
 * than `temporaryGraceMs` (10 minutes) are removed, younger ones may belong to a live writer and stay.
 * A sweep that cannot read the directory removes nothing and fails nothing. `clear()` removes only the
 * files this store names (entries and temporary files), never the directory's other contents. If the
 * directory is removed under a live store, the next `set` makes it again.
 *
 * @example
 * ```ts
 * import { FileCacheStore } from '@asynchttp/core/file-cache';
 * const http = new Http({ adapter, cache: new FileCacheStore('.cache') });
 * ```
 */
export class FileCacheStore implements CacheStore {
  /** The directory the entries live in. */
  readonly directory: string;
  /** Age in ms past which a sweep removes a temporary file. */
  readonly temporaryGraceMs: number;
  #opened: Promise<unknown> | undefined;

  constructor(directory: string, options: FileCacheStoreOptions = {}) {
    if (typeof directory !== 'string' || directory === '') {
      throw new TypeError('FileCacheStore needs a directory path');
    }
    if (typeof options !== 'object' || options === null) {
      throw new TypeError(`FileCacheStore options must be an object, got ${String(options)}`);
    }
    const grace = options.temporaryGraceMs ?? 600_000;
    if (typeof grace !== 'number' || !Number.isFinite(grace) || grace < 0) {
      throw new RangeError(`FileCacheStore temporaryGraceMs must be a number >= 0, got ${String(grace)}`);
    }
    this.directory = path.resolve(directory);
    this.temporaryGraceMs = grace;
  }

  /** The file that holds `key`. */
  fileFor(key: string): string {
    return path.join(this.directory, createHash('sha256').update(key).digest('hex'));
  }

  /**
   * Removes temporary files older than `temporaryGraceMs`, left by writers that died mid-write.
   * Resolves to how many were removed; never rejects.
   */
  async sweep(): Promise<number> {
    const cutoff = Date.now() - this.temporaryGraceMs;
    let removed = 0;
    await Promise.all(
      (await this.#names())
        .filter((name) => temporaryName.test(name))
        .map(async (name) => {
          const file = path.join(this.directory, name);
          try {
            if ((await stat(file)).mtimeMs > cutoff) return;
            await unlink(file);
            removed++;
          } catch {
            // Renamed by its writer or removed by another sweep meanwhile.
          }
        }),
    );
    return removed;
  }

  async get(key: string): Promise<CacheEntry | undefined> {
    await this.#open();
    const file = this.fileFor(key);
    let data: Buffer;
    try {
      data = await readFile(file);
    } catch {
      return undefined;
    }
    const entry = parse(data, key);
    if (entry === undefined) await unlink(file).catch(() => {});
    return entry;
  }

  async set(key: string, entry: CacheEntry): Promise<void> {
    await this.#open();
    const file = this.fileFor(key);
    // The pid keeps two processes' names apart; `wx` makes a collision an error, not a shared file.
    const temporary = `${file}.${process.pid.toString(36)}-${randomBytes(6).toString('hex')}.tmp`;
    const { body, ...meta } = entry;
    const header = JSON.stringify({ magic, key, bodyLength: body.byteLength, ...meta });
    const data = Buffer.concat([Buffer.from(`${header}\n`), body]);
    try {
      try {
        await writeFile(temporary, data, { flag: 'wx' });
      } catch (error) {
        // The directory is not there yet, or was removed under this store: make it, once.
        if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
        await mkdir(this.directory, { recursive: true });
        await writeFile(temporary, data, { flag: 'wx' });
      }
      await rename(temporary, file);
    } catch (error) {
      await rm(temporary, { force: true });
      throw error;
    }
  }

  async delete(key: string): Promise<void> {
    await this.#open();
    try {
      await rm(this.fileFor(key), { force: true });
    } catch (error) {
      // A directory path that is a file holds no entry: nothing to delete.
      if ((error as NodeJS.ErrnoException).code !== 'ENOTDIR') throw error;
    }
  }

  /** Removes every entry and temporary file of this store; other files in the directory stay. */
  async clear(): Promise<void> {
    await Promise.all(
      (await this.#names())
        .filter((name) => entryName.test(name) || temporaryName.test(name))
        .map((name) => rm(path.join(this.directory, name), { force: true })),
    );
  }

  /** The first use sweeps what crashed writers left. */
  #open(): Promise<unknown> {
    this.#opened ??= this.sweep();
    return this.#opened;
  }

  async #names(): Promise<string[]> {
    try {
      return await readdir(this.directory);
    } catch {
      return [];
    }
  }
}

function parse(data: Buffer, key: string): CacheEntry | undefined {
  const newline = data.indexOf(10);
  if (newline === -1) return undefined;
  let meta: Record<string, unknown>;
  try {
    meta = JSON.parse(data.subarray(0, newline).toString('utf8'));
  } catch {
    return undefined;
  }
  const body = data.subarray(newline + 1);
  if (
    meta.magic !== magic ||
    meta.key !== key ||
    meta.bodyLength !== body.byteLength ||
    typeof meta.policy !== 'object' ||
    typeof meta.status !== 'number' ||
    !Array.isArray(meta.rawHeaders) ||
    typeof meta.url !== 'string'
  ) {
    return undefined;
  }
  return {
    policy: meta.policy as object,
    status: meta.status,
    reason: String(meta.reason ?? ''),
    version: String(meta.version ?? '1.1'),
    rawHeaders: meta.rawHeaders as [string, string][],
    url: meta.url,
    body: new Uint8Array(body.buffer, body.byteOffset, body.byteLength),
    decodedFrom: typeof meta.decodedFrom === 'string' ? meta.decodedFrom : undefined,
    location: typeof meta.location === 'string' ? meta.location : undefined,
  };
}
