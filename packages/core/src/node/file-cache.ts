import { createHash, randomBytes } from 'node:crypto';
import { mkdir, readFile, rename, rm, unlink, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { CacheEntry, CacheStore } from '../cache/store.js';

// First line of every file: identifies the format, so a foreign file is a miss, not a crash.
const magic = 'asynchttp-cache/1';

/**
 * A `CacheStore` in a directory, as httplib2's `FileCache` (`Http(".cache")`): one file per key, named
 * by the key's SHA-256 so any URL is a safe file name. Writes go to a temporary file that is renamed
 * over the entry, so a crash or a second process never leaves a torn entry. A corrupt or foreign file
 * is a miss, and is replaced on the next store. Node only: import it from `@asynchttp/core/file-cache`.
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
  #ready: Promise<unknown> | undefined;

  constructor(directory: string) {
    if (typeof directory !== 'string' || directory === '') {
      throw new TypeError('FileCacheStore needs a directory path');
    }
    this.directory = path.resolve(directory);
  }

  /** The file that holds `key`. */
  fileFor(key: string): string {
    return path.join(this.directory, createHash('sha256').update(key).digest('hex'));
  }

  async get(key: string): Promise<CacheEntry | undefined> {
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
    this.#ready ??= mkdir(this.directory, { recursive: true });
    await this.#ready;
    const file = this.fileFor(key);
    const temporary = `${file}.${randomBytes(6).toString('hex')}.tmp`;
    const { body, ...meta } = entry;
    const header = JSON.stringify({ magic, key, bodyLength: body.byteLength, ...meta });
    try {
      await writeFile(temporary, Buffer.concat([Buffer.from(`${header}\n`), body]));
      await rename(temporary, file);
    } catch (error) {
      await rm(temporary, { force: true });
      throw error;
    }
  }

  async delete(key: string): Promise<void> {
    await rm(this.fileFor(key), { force: true });
  }

  async clear(): Promise<void> {
    await rm(this.directory, { recursive: true, force: true });
    this.#ready = undefined;
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
