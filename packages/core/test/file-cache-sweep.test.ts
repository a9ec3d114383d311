// The file store cleans up after writers that died mid-write, and does not break a live one.
import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdir, mkdtemp, readdir, rm, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { FileCacheStore } from '../src/node/file-cache.js';
import { entry } from './helpers/cache-entry.js';

const writer = path.join(import.meta.dirname, 'fixtures', 'file-cache-writer.mjs');
const isTemporary = (name: string) => name.endsWith('.tmp');
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Makes every temporary file in `dir` an hour old, as if its writer died that long ago. */
async function age(dir: string): Promise<void> {
  const then = new Date(Date.now() - 3_600_000);
  for (const name of (await readdir(dir)).filter(isTemporary)) await utimes(path.join(dir, name), then, then);
}

describe('FileCacheStore sweeps temporary files', () => {
  let dir: string;
  const children: ChildProcess[] = [];
  beforeAll(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'asynchttp-sweep-'));
  });
  afterAll(async () => {
    for (const child of children)
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    await rm(dir, { recursive: true, force: true });
  });

  test('writers killed with SIGKILL mid-write leave .tmp files; the next store to open removes them', async () => {
    const cacheDir = path.join(dir, 'crash');
    const kept = new FileCacheStore(cacheDir);
    await kept.set('kept', entry('valid entry'));
    for (let round = 0; round < 20; round++) {
      const child = spawn('node', [writer, 'crash', cacheDir], { stdio: 'ignore' });
      children.push(child);
      // Kill it while a temporary file exists (bounded: 5 s a round).
      const deadline = Date.now() + 5_000;
      while (Date.now() < deadline && !(await readdir(cacheDir)).some(isTemporary)) await sleep(1);
      child.kill('SIGKILL');
      await once(child, 'exit');
    }
    const left = (await readdir(cacheDir)).filter(isTemporary);
    expect(left.length).toBeGreaterThan(0);

    await age(cacheDir);
    const reopened = new FileCacheStore(cacheDir);
    const found = await reopened.get('kept');
    expect(new TextDecoder().decode(found!.body)).toBe('valid entry');
    expect((await readdir(cacheDir)).filter(isTemporary)).toEqual([]);
  }, 120_000);

  test('a temporary file younger than the grace period is kept: a live writer in another process finishes', async () => {
    const cacheDir = path.join(dir, 'live');
    await mkdir(cacheDir, { recursive: true });
    const child = spawn('node', [writer, 'hold', cacheDir, 'live'], { stdio: ['pipe', 'pipe', 'inherit'] });
    children.push(child);
    const [line] = (await once(child.stdout!, 'data')) as [Buffer];
    const temporary = line.toString().trim();

    const store = new FileCacheStore(cacheDir);
    expect(await store.get('live')).toBeUndefined();
    expect(await store.sweep()).toBe(0);
    expect(await readdir(cacheDir)).toEqual([path.basename(temporary)]);

    child.stdin!.write('go\n');
    await once(child, 'exit');
    expect((await store.get('live'))!.body.byteLength).toBe(1000);
    expect((await readdir(cacheDir)).filter(isTemporary)).toEqual([]);
  }, 30_000);

  test('sweep() removes only stale temporary files of its own naming', async () => {
    const cacheDir = path.join(dir, 'only-own');
    const store = new FileCacheStore(cacheDir, { temporaryGraceMs: 60_000 });
    await store.set('k', entry('k'));
    const stale = `${store.fileFor('k')}.1a-0123456789ab.tmp`;
    const fresh = `${store.fileFor('k')}.1b-0123456789ab.tmp`;
    const foreign = path.join(cacheDir, 'notes.tmp');
    for (const file of [stale, fresh, foreign]) await writeFile(file, 'x');
    const then = new Date(Date.now() - 3_600_000);
    await utimes(stale, then, then);
    await utimes(foreign, then, then);
    expect(await store.sweep()).toBe(1);
    expect((await readdir(cacheDir)).sort()).toEqual(
      [path.basename(store.fileFor('k')), path.basename(fresh), 'notes.tmp'].sort(),
    );
  });
});

describe('FileCacheStore: other ways to leak or break', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'asynchttp-break-'));
  });
  afterAll(() => rm(dir, { recursive: true, force: true }));

  test('clear() removes its entries and temporary files but not the other files of the directory', async () => {
    const cacheDir = path.join(dir, 'shared');
    const store = new FileCacheStore(cacheDir);
    await store.set('a', entry('a'));
    await writeFile(`${store.fileFor('a')}.1a-0123456789ab.tmp`, 'x');
    await writeFile(path.join(cacheDir, 'keep-me.txt'), 'not the cache');
    await store.clear();
    expect(await readdir(cacheDir)).toEqual(['keep-me.txt']);
    await store.set('b', entry('b'));
    expect(await store.get('b')).toBeDefined();
  });

  test('the directory removed under a live store is made again by the next set', async () => {
    const cacheDir = path.join(dir, 'removed');
    const store = new FileCacheStore(cacheDir);
    await store.set('a', entry('a'));
    await rm(cacheDir, { recursive: true });
    expect(await store.get('a')).toBeUndefined();
    await store.set('a', entry('again'));
    expect(new TextDecoder().decode((await store.get('a'))!.body)).toBe('again');
  });

  test('a directory path that is a file: reads miss, writes reject, sweeps remove nothing, nothing is left', async () => {
    const file = path.join(dir, 'a-file');
    await writeFile(file, 'x');
    const store = new FileCacheStore(file);
    expect(await store.get('a')).toBeUndefined();
    expect(await store.sweep()).toBe(0);
    await expect(store.set('a', entry('a'))).rejects.toThrow();
    await store.delete('a');
    await store.clear();
    expect(await readdir(dir)).toContain('a-file');
    expect((await readdir(dir)).filter(isTemporary)).toEqual([]);
  });

  test('bad options are refused', () => {
    expect(() => new FileCacheStore(dir, { temporaryGraceMs: -1 })).toThrow(RangeError);
    expect(() => new FileCacheStore(dir, { temporaryGraceMs: Number.NaN })).toThrow(RangeError);
    expect(() => new FileCacheStore(dir, null as never)).toThrow(TypeError);
  });
});
