import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, type ExpectStatic, expect, it } from 'vitest';
import { generateTransitData } from '../src/transit-data.js';
import { startTransitServer, type TransitServer } from '../src/transit-server.js';
import { isOneLine, runNode } from './helpers.js';

const data = generateTransitData();
const first = data.agencies[0]!;

/** What each example must print against the embedded data set. */
const expectations: Record<string, (stdout: string, expect: ExpectStatic) => void> = {
  'single-request': (stdout, expect) => {
    expect(stdout).toContain('status before settling: not ready (NotReadyError)');
    expect(stdout).toContain('status: 200 OK');
    expect(stdout).toContain('content-type: application/json; charset=utf-8');
    expect(stdout).toContain(`agencies: ${data.agencies.length}`);
  },
  callback: (stdout, expect) => {
    expect(stdout).toContain(`deserialized in the worker: ${data.agencies.length} Agency objects`);
    for (const agency of data.agencies) expect(stdout).toContain(`  ${agency.id}: ${agency.display_name}`);
    expect(stdout).toContain('caught where the response was read: TypeError: expected a "routes" array');
    expect(stdout).toContain('stack shows the request() call site: yes');
    // Source maps are on: the frame names the example's TypeScript file.
    expect(stdout).toMatch(/at (?:\S+\.)?main \(callback\.ts:\d+:\d+\)/);
    expect(stdout).toContain('content rejects with the same error: true');
  },
  'json-client': (stdout, expect) => {
    expect(stdout).toContain(`GET agencies.json: ${data.agencies.length} agencies`);
    expect(stdout).toContain(
      `GET agencies/${first.id}/routes.json: ${data.routes.get(first.id)!.length} routes`,
    );
    expect(stdout).toContain(`POST feedback.json: created #1 for ${first.id}`);
    expect(stdout).toContain('GET agencies/nowhere/routes.json: HttpStatusError 404');
  },
  interceptors: (stdout, expect) => {
    expect(stdout).toContain(`signed, with a refreshed token: 200, ${data.agencies.length} agencies`);
    expect(stdout).toContain('tokens issued: 2');
    // The 401 answered by the stand-in and the accepted retry: two exchanges, two timing rows.
    expect(stdout).toContain('timing: /agencies.json 401 (ms measured)');
    expect(stdout).toContain('timing: /agencies.json 200 (ms measured)');
    expect(stdout).toContain('mocked: {"items":[{"id":"mocked"}]}');
  },
  'domain-client': (stdout, expect) => {
    let total = 0;
    for (const agency of data.agencies) {
      const routes = data.routes.get(agency.id)!.slice(0, 10);
      const most = Math.max(...routes.map((route) => route.stops.length));
      total += routes.length;
      expect(stdout).toMatch(
        new RegExp(`^${agency.id}: ${routes.length} routes fetched, longest \\w+ \\(${most} stops`, 'm'),
      );
    }
    expect(stdout).toMatch(
      new RegExp(`^route details: ${total}, at most [1-4] running at once \\(limit 4\\)$`, 'm'),
    );
  },
};

const built = readdirSync(new URL('../dist/examples/', import.meta.url))
  .filter((file) => file.endsWith('.js'))
  .map((file) => file.slice(0, -3));
const sources = readdirSync(new URL('../../../examples/', import.meta.url))
  .filter((file) => file.endsWith('.ts'))
  .map((file) => file.slice(0, -3));

/** Examples that take arguments of their own (tested below, each against its own server). */
const ownArguments = ['download'];
const transitExamples = sources.filter((name) => !ownArguments.includes(name));

describe.concurrent('examples against the embedded transit server', () => {
  it('every example in examples/ is built and has expectations here', ({ expect }) => {
    expect(built.sort()).toEqual(sources.sort());
    expect([...Object.keys(expectations), ...ownArguments].sort()).toEqual(sources.sort());
  });

  it.for(transitExamples)('%s', async (name, { expect }) => {
    const run = await runNode(['dist/run-example.js', name]);
    // Only asynchttp's warnings (on by default, on stderr) may appear: a failing callback is logged
    // with its request() call site, which the callback and json-client examples provoke on purpose.
    const lines = run.stderr.split('\n').filter((line) => line.trim() !== '');
    const warnings = lines.filter((line) => /\basynchttp:warn #\d+ callback failed\b/.test(line));
    // Each warning is followed by its call site: indented lines.
    expect(lines.filter((line) => !line.startsWith('    ') && !warnings.includes(line))).toEqual([]);
    expect(warnings.length === 0 || ['callback', 'json-client'].includes(name)).toBe(true);
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(
      new RegExp(`^example ${name} against http://127\\.0\\.0\\.1:\\d+/ \\(embedded\\)$`, 'm'),
    );
    expectations[name]!(run.stdout, expect);
  });
});

describe('the download example', () => {
  const size = 3 * 1024 * 1024 + 5;
  // Byte i is i % 251, so a chunk lost, repeated or reordered shows in the saved file.
  const body = Buffer.from(Array.from({ length: size }, (_, i) => i % 251));
  let server: Server;
  let url: string;
  let folder: string;
  beforeAll(async () => {
    folder = mkdtempSync(join(tmpdir(), 'asynchttp-download-'));
    server = createServer((req, res) => {
      if (req.url !== '/big.bin') {
        res.writeHead(404).end();
        return;
      }
      res.writeHead(200, { 'content-length': size, 'content-type': 'application/octet-stream' });
      // In pieces, so the file is written as they come.
      let at = 0;
      const next = () => {
        while (at < size) {
          const piece = body.subarray(at, at + 256 * 1024);
          at += piece.byteLength;
          if (!res.write(piece)) return void res.once('drain', next);
        }
        res.end();
      };
      next();
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
    rmSync(folder, { recursive: true, force: true });
  });

  it('saves the body to the file, byte-exact, and reports size and rate', async () => {
    const file = join(folder, 'big.bin');
    const run = await runNode(['dist/run-example.js', 'download', '--', `${url}/big.bin`, file]);
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(
      new RegExp(`^saved ${size} bytes to .*big\\.bin in [\\d.]+ s \\([\\d.]+ MiB/s\\)$`, 'm'),
    );
    expect(readFileSync(file).equals(body)).toBe(true);
  });

  it('a wrong argument count is a usage error; a 404 fails in one line', async () => {
    const usage = await runNode(['dist/run-example.js', 'download', `${url}/big.bin`]);
    expect(usage.code).toBe(2);
    expect(usage.stderr).toBe('usage: pnpm example download -- <url> <file>\n');
    const missing = await runNode(['dist/run-example.js', 'download', `${url}/nope`, join(folder, 'nope')]);
    expect(missing.code).toBe(1);
    expect(isOneLine(missing.stderr)).toBe(true);
    expect(missing.stderr).toMatch(/^example download failed: Error: 404 Not Found/);
  });
});

describe('the example runner', () => {
  let server: TransitServer;
  beforeAll(async () => {
    server = await startTransitServer({ latency: [0, 1] });
  });
  afterAll(() => server.close());

  it('takes the transit API from TRANSIT_URL', async () => {
    const run = await runNode(['dist/run-example.js', 'single-request'], {
      env: { TRANSIT_URL: server.url },
    });
    expect(run.code).toBe(0);
    expect(run.stdout).toContain(`example single-request against ${server.url}\n`);
    expect(server.served).toBe(1);
  });

  it('takes the transit API as an argument', async () => {
    const before = server.served;
    const run = await runNode(['dist/run-example.js', 'json-client', server.url.slice(0, -1)]);
    expect(run.code).toBe(0);
    expect(run.stdout).toContain('POST feedback.json: created #1');
    expect(server.served - before).toBe(4);
  });

  it('rejects an unknown example with the list of names', async () => {
    const run = await runNode(['dist/run-example.js', 'hello-world']);
    expect(run.code).toBe(2);
    expect(isOneLine(run.stderr)).toBe(true);
    expect(run.stderr).toContain('unknown example "hello-world"');
    for (const name of sources) expect(run.stderr).toContain(name);
  });

  it('reports an unreachable transit API in one line', async () => {
    const run = await runNode(['dist/run-example.js', 'single-request', 'http://127.0.0.1:1/']);
    expect(run.code).toBe(1);
    expect(isOneLine(run.stderr)).toBe(true);
    expect(run.stderr).toMatch(/^example single-request failed: ConnectionError: /);
  });
});
