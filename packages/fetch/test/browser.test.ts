import { once } from 'node:events';
import { existsSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { build } from 'esbuild';
import { type Browser, chromium, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';

// Core and the fetch adapter, bundled as a browser would load them, against a CORS server on loopback.
const executablePath = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const args = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];
const missing = existsSync(executablePath)
  ? undefined
  : `headless Chromium not found at ${executablePath} (apt-get install -y chromium, or set CHROMIUM_PATH)`;

// Outside CI a missing browser skips, with the reason printed and in the title; in CI it fails below.
const skipped = missing !== undefined && !process.env.CI;
if (skipped) console.warn(`[browser.test] skipping the browser tests: ${missing}`);
describe.skipIf(skipped)(
  `fetch adapter in headless Chromium${skipped ? ` (skipped: ${missing})` : ''}`,
  () => {
    let api: Server;
    let site: Server;
    let apiUrl: string;
    let browser: Browser | undefined;
    let page: Page;
    const hits = new Map<string, number>();
    let running = 0;
    let mostRunning = 0;

    beforeAll(async () => {
      // In CI a missing browser is a failure, never a silent skip.
      if (missing !== undefined) throw new Error(`The browser tests cannot run: ${missing}`);
      const bundle = await build({
        entryPoints: [fileURLToPath(new URL('./browser/scenarios.ts', import.meta.url))],
        bundle: true,
        format: 'esm',
        platform: 'browser',
        target: 'chrome120',
        write: false,
        logLevel: 'silent',
      });
      const script = bundle.outputFiles[0]!.text;
      api = createServer((req, res) => answer(req, res));
      site = createServer((req, res) => {
        if (req.url === '/bundle.js') {
          res.writeHead(200, { 'content-type': 'text/javascript' }).end(script);
        } else {
          res.writeHead(200, { 'content-type': 'text/html' });
          res.end('<!doctype html><script type="module" src="/bundle.js"></script>');
        }
      });
      api.listen(0, '127.0.0.1');
      site.listen(0, '127.0.0.1');
      await Promise.all([once(api, 'listening'), once(site, 'listening')]);
      apiUrl = `http://127.0.0.1:${(api.address() as AddressInfo).port}`;
      browser = await chromium.launch({ executablePath, args, headless: true, timeout: 20_000 });
      page = await browser.newPage();
      // Another port, so every request is cross-origin and goes through CORS.
      await page.goto(`http://127.0.0.1:${(site.address() as AddressInfo).port}/`);
      await page.waitForFunction(() => 'runScenario' in globalThis);
    }, 30_000);

    afterAll(async () => {
      await browser?.close();
      for (const server of [api, site]) {
        if (server === undefined) continue;
        server.closeAllConnections();
        await new Promise((resolve) => server.close(resolve));
      }
    });

    function answer(req: IncomingMessage, res: ServerResponse): void {
      const path = new URL(req.url ?? '/', 'http://x').pathname;
      res.setHeader('access-control-allow-origin', '*');
      res.setHeader('access-control-expose-headers', '*');
      if (req.method === 'OPTIONS') {
        res.setHeader('access-control-allow-headers', '*');
        res.setHeader('access-control-allow-methods', '*');
        res.writeHead(204).end();
        return;
      }
      hits.set(path, (hits.get(path) ?? 0) + 1);
      switch (path) {
        case '/text':
          res.writeHead(200, { 'content-type': 'text/plain' }).end('hello from node');
          return;
        case '/json':
          res.writeHead(200, { 'content-type': 'application/json' }).end('{"answer":42}');
          return;
        case '/gzip':
          res.writeHead(200, { 'content-type': 'text/plain', 'content-encoding': 'gzip' });
          res.end(gzipSync('zipped '.repeat(100)));
          return;
        case '/redirect':
          res.writeHead(302, { location: '/json' }).end();
          return;
        case '/hang':
          return;
        case '/slow':
          running++;
          mostRunning = Math.max(mostRunning, running);
          setTimeout(() => {
            running--;
            res.writeHead(200).end('slow');
          }, 150);
          return;
        default:
          res.writeHead(404).end();
      }
    }

    const scenario = (name: string) =>
      page.evaluate(([n, url]) => (globalThis as any).runScenario(n, url), [name, apiUrl] as const);

    test('GET, JSON and a gzip body decoded by the browser', async () => {
      expect(await scenario('get')).toEqual({ ok: true, status: 200, text: 'hello from node' });
      expect(await scenario('json')).toEqual({ ok: true, data: { answer: 42 } });
      expect(await scenario('gzip')).toEqual({ ok: true, status: 200, text: 'zipped '.repeat(100) });
    });

    test("a 3xx under redirect: 'manual' fails once, clearly, and is not retried", async () => {
      const before = hits.get('/redirect') ?? 0;
      const outcome = await scenario('redirect-manual');
      expect(outcome).toMatchObject({ ok: false, name: 'InvalidRequestError' });
      expect(outcome.message).toMatch(/redirect: 'follow'/);
      expect((hits.get('/redirect') ?? 0) - before).toBe(1);
    });

    test("fetchAdapter({ redirect: 'follow' }) lets the browser follow and reports the final URL", async () => {
      expect(await scenario('redirect-follow')).toEqual({
        ok: true,
        status: 200,
        url: `${apiUrl}/json`,
        data: { answer: 42 },
      });
    });

    test('a timeout and a cancel give their errors, with the request() call site', async () => {
      const timedOut = await scenario('timeout');
      expect(timedOut).toMatchObject({ ok: false, name: 'TimeoutError' });
      expect(timedOut.stack).toContain('--- request() called from ---');
      const cancelled = await scenario('cancel');
      expect(cancelled).toMatchObject({ ok: false, name: 'CancelledError' });
      expect(cancelled.stack).toContain('--- request() called from ---');
    });

    test('maxWorkers bounds the requests running at once', async () => {
      mostRunning = 0;
      expect(await scenario('max-workers')).toEqual({ ok: true, statuses: [200, 200, 200, 200, 200, 200] });
      expect(mostRunning).toBe(2);
    });
  },
);
