import { execFile } from 'node:child_process';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import { expect, test } from 'vitest';
import { writePattern } from './behaviour/streaming.js';

/** Options of `testStreamingMemory`. */
export interface TestStreamingMemoryOptions {
  /** Shown in the test title. */
  name: string;
  /** The adapter's built entry (a `file:` URL or absolute path) and its factory's export name. */
  entry: { module: string | URL; factory: string };
  /** How much to download, in MiB. */
  mebibytes: number;
  /** The most the child's RSS may grow, in MiB. @default 64 */
  maxGrowthMebibytes?: number | undefined;
}

const mib = 1024 * 1024;

/**
 * A streamed download of `mebibytes` through `Http` on the adapter, in a child process so its RSS is
 * the download's alone, from a loopback server in this one: every byte arrives and the child's RSS
 * grows by less than the bound (the body is never held whole).
 */
export function testStreamingMemory(options: TestStreamingMemoryOptions): void {
  const { name, entry, mebibytes, maxGrowthMebibytes = 64 } = options;
  const size = mebibytes * mib;
  test(`${name}: a ${mebibytes} MiB streamed download grows RSS by less than ${maxGrowthMebibytes} MiB`, async () => {
    const server = createServer((req, res) => {
      const length = req.url?.includes('warmup') ? mib : size;
      res.writeHead(200, { 'content-length': length });
      writePattern(res, length).then(() => res.end());
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    const child = fileURLToPath(
      new URL('./memory-child.js', import.meta.url).href.replace('/src/', '/dist/'),
    );
    const moduleUrl = String(entry.module).startsWith('file:')
      ? String(entry.module)
      : `file://${entry.module}`;
    try {
      const output = await new Promise<string>((resolve, reject) => {
        execFile(
          process.execPath,
          [child, moduleUrl, entry.factory, `http://127.0.0.1:${port}/download`],
          { timeout: 60_000 },
          (error, stdout, stderr) =>
            error ? reject(new Error(`${error.message}\n${stderr}`)) : resolve(stdout),
        );
      });
      const result = JSON.parse(output.trim().split('\n').at(-1)!) as {
        bytes: number;
        growth: number;
        ms: number;
      };
      console.info(
        `[adapter-tests] ${name}: ${mebibytes} MiB streamed in ${result.ms.toFixed(0)} ms, RSS growth ${(result.growth / mib).toFixed(1)} MiB`,
      );
      expect(result.bytes).toBe(size);
      expect(result.growth / mib).toBeLessThan(maxGrowthMebibytes);
    } finally {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    }
  }, 90_000);
}
