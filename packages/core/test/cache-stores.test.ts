import { execFile } from 'node:child_process';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { Http, MemoryCacheStore } from '../src/index.js';
import { FileCacheStore } from '../src/node/file-cache.js';
import { entry } from './helpers/cache-entry.js';
import { nodeAdapter } from './helpers/node-adapter.js';
import { startServer, type TestServer } from './helpers/server.js';

const run = promisify(execFile);
const child = path.join(import.meta.dirname, 'fixtures', 'cache-child.mjs');

describe('MemoryCacheStore', () => {
  test('keeps at most maxEntries, least recently used out first', () => {
    const store = new MemoryCacheStore({ maxEntries: 2 });
    store.set('a', entry('a'));
    store.set('b', entry('b'));
    store.get('a');
    store.set('c', entry('c'));
    expect(store.get('b')).toBeUndefined();
    expect(store.get('a')).toBeDefined();
    expect(store.get('c')).toBeDefined();
    expect(store.size).toBe(2);
  });

  test('keeps at most maxBytes and refuses an entry larger than that', () => {
    const store = new MemoryCacheStore({ maxBytes: 1000 });
    store.set('a', entry('x'.repeat(400)));
    store.set('b', entry('y'.repeat(400)));
    expect(store.size).toBe(1);
    expect(store.bytes).toBeLessThanOrEqual(1000);
    store.set('huge', entry('z'.repeat(2000)));
    expect(store.get('huge')).toBeUndefined();
    store.delete('b');
    expect(store.bytes).toBe(0);
  });

  test('bad limits are a RangeError', () => {
    expect(() => new MemoryCacheStore({ maxEntries: 0 })).toThrow(RangeError);
    expect(() => new MemoryCacheStore({ maxBytes: -1 })).toThrow(RangeError);
  });
});

describe('FileCacheStore', () => {
  let dir: string;
  let server: TestServer;
  beforeAll(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'asynchttp-cache-'));
    server = await startServer();
  });
  afterAll(async () => {
    await server.close();
    await rm(dir, { recursive: true, force: true });
  });

  test('round-trips an entry under a safe file name', async () => {
    const store = new FileCacheStore(path.join(dir, 'roundtrip'));
    const key = 'http://127.0.0.1/a path/../with?odd=chars&x=/..\\';
    await store.set(key, entry('hello', { decodedFrom: 'gzip', location: undefined }));
    const back = await store.get(key);
    expect(new TextDecoder().decode(back!.body)).toBe('hello');
    expect(back!.decodedFrom).toBe('gzip');
    expect(path.basename(store.fileFor(key))).toMatch(/^[0-9a-f]{64}$/);
    await store.delete(key);
    expect(await store.get(key)).toBeUndefined();
    expect(await store.get('never stored')).toBeUndefined();
  });

  test('a corrupt or foreign file is a miss, removed, and replaced on the next store', async () => {
    const store = new FileCacheStore(path.join(dir, 'corrupt'));
    await store.set('k', entry('good'));
    for (const garbage of [
      'not json\nbody',
      '{"magic":"other"}\n',
      '',
      '{"magic":"asynchttp-cache/1","key":"k"',
    ]) {
      await writeFile(store.fileFor('k'), garbage);
      expect(await store.get('k')).toBeUndefined();
      await expect(readFile(store.fileFor('k'))).rejects.toThrow();
    }
    // A file whose body was cut short (a torn write) is refused by its recorded length.
    await store.set('k', entry('0123456789'));
    const full = await readFile(store.fileFor('k'));
    await writeFile(store.fileFor('k'), full.subarray(0, full.length - 3));
    expect(await store.get('k')).toBeUndefined();
    await store.set('k', entry('again'));
    expect(new TextDecoder().decode((await store.get('k'))!.body)).toBe('again');
  });

  test('survives a process restart: a second process hits the cache', async () => {
    const cacheDir = path.join(dir, 'restart');
    const url = `${server.url}/cacheable`;
    const before = server.hits;
    const first = JSON.parse((await run('node', [child, 'request', cacheDir, url])).stdout);
    const second = JSON.parse((await run('node', [child, 'request', cacheDir, url])).stdout);
    expect(first).toMatchObject({ status: 200, fromCache: false });
    expect(second).toMatchObject({ status: 200, fromCache: true, text: first.text });
    expect(server.hits - before).toBe(1);
  });

  test('two processes writing the same key never leave a torn entry', async () => {
    const cacheDir = path.join(dir, 'race');
    const store = new FileCacheStore(cacheDir);
    const writers = Promise.all([
      run('node', [child, 'write', cacheDir, 'shared', '65', '150']),
      run('node', [child, 'write', cacheDir, 'shared', '66', '150']),
    ]);
    let done = false;
    void writers.finally(() => {
      done = true;
    });
    let reads = 0;
    const deadline = Date.now() + 30_000;
    while (!done && Date.now() < deadline) {
      const found = await store.get('shared');
      if (found !== undefined) {
        reads++;
        const writer = found.rawHeaders[0]![1];
        expect(found.body.byteLength).toBe(64 * 1024);
        expect(found.body.every((byte) => byte === Number(writer))).toBe(true);
      }
    }
    await writers;
    expect(reads).toBeGreaterThan(0);
    // Only the entry is left: no temporary files.
    expect(await readdir(cacheDir)).toEqual([path.basename(store.fileFor('shared'))]);
  });

  test('a non-string directory is refused', () => {
    expect(() => new FileCacheStore('' as never)).toThrow(TypeError);
    expect(() => new FileCacheStore(undefined as never)).toThrow(TypeError);
  });
});

describe('core stays runtime-neutral', () => {
  test('no module reachable from the main entry imports node: built-ins', async () => {
    const dist = path.join(import.meta.dirname, '..', 'dist');
    const seen = new Set<string>();
    const offenders: string[] = [];
    const visit = async (file: string) => {
      if (seen.has(file)) return;
      seen.add(file);
      const source = await readFile(file, 'utf8');
      for (const [, specifier] of source.matchAll(/(?:import|export)[^'"]*from\s*['"]([^'"]+)['"]/g)) {
        if (specifier!.startsWith('node:')) offenders.push(`${path.relative(dist, file)} → ${specifier}`);
        else if (specifier!.startsWith('.')) await visit(path.resolve(path.dirname(file), specifier!));
      }
    };
    await visit(path.join(dist, 'index.js'));
    expect(seen.size).toBeGreaterThan(10);
    expect(offenders).toEqual([]);
  });
});

describe('Http with a cache, end to end on core', () => {
  test('a cached response is served from a MemoryCacheStore', async () => {
    const server = await startServer();
    const http = new Http({ adapter: nodeAdapter(), cache: new MemoryCacheStore() });
    const url = `${server.url}/cacheable`;
    await http.request(url);
    const { response } = await http.request(url);
    expect(response.fromCache).toBe(true);
    await http.close();
    await server.close();
  });
});
