import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { expect, test } from 'vitest';
import { freePort, runNode, tables } from './helpers.js';

test('--redis --worker-processes 2: the same job through a local fleet it starts and stops', async () => {
  const port = await freePort();
  const dir = mkdtempSync(path.join(tmpdir(), 'sample-redis-'));
  const redis = spawn(
    process.env.REDIS_SERVER ?? '/usr/bin/redis-server',
    ['--port', String(port), '--bind', '127.0.0.1', '--dir', dir, '--appendonly', 'yes', '--save', ''],
    { stdio: ['ignore', 'pipe', 'ignore'] },
  );
  try {
    await new Promise<void>((resolve, reject) => {
      let output = '';
      redis.stdout.on('data', (chunk: Buffer) => {
        output += chunk;
        if (output.includes('Ready to accept connections')) resolve();
      });
      redis.once('exit', (code) => reject(new Error(`redis-server exited (${code})`)));
    });
    redis.stdout.resume();
    const run = await runNode([
      'dist/main.js',
      '--redis',
      `redis://127.0.0.1:${port}`,
      '--worker-processes',
      '2',
      '--requests',
      '40',
    ]);
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    const table = tables(run.stdout).get('bullmq (2 worker processes)');
    expect(table?.failures).toBe('0');
    expect(table?.requests).toBe('47');
  } finally {
    const exited = new Promise((resolve) => redis.once('exit', resolve));
    redis.kill('SIGTERM');
    await exited;
    rmSync(dir, { recursive: true, force: true });
  }
});

test('--redis takes only a redis:// URL', async () => {
  const run = await runNode(['dist/main.js', '--redis', 'localhost:6379']);
  expect(run.code).toBe(2);
  expect(run.stderr).toMatch(/--redis must be a redis:\/\/ URL/);
});
