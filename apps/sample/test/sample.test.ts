import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { adapterNames } from '../src/adapters.js';
import { generateTransitData, routeCount, type TransitData } from '../src/transit-data.js';
import { startTransitServer, type TransitServer } from '../src/transit-server.js';
import { freePort, isOneLine, runNode, serve, tables } from './helpers.js';

const embedded = generateTransitData();

/** The first agencies of a generated data set, each with its first routes: a small, fixed data set. */
function subset(seed: number, routesPerAgency: readonly number[]): TransitData {
  const data = generateTransitData(seed);
  const agencies = data.agencies.slice(0, routesPerAgency.length);
  const routes = new Map(
    agencies.map((agency, index) => [
      agency.id,
      data.routes.get(agency.id)!.slice(0, routesPerAgency[index]),
    ]),
  );
  return { agencies, routes };
}

/** Requests one run makes: the agencies list, one routes list per agency, then route details. */
function expectedRequests(data: TransitData, cap = Number.POSITIVE_INFINITY): number {
  return 1 + data.agencies.length + Math.min(routeCount(data), cap);
}

describe.concurrent('against the embedded transit server', () => {
  it.for(adapterNames)(
    '%s: every agency, route list and route detail, no failures',
    async (adapter, { expect }) => {
      const run = await runNode(['dist/main.js', '--adapter', adapter, '--workers', '8']);
      expect(run.stderr).toBe('');
      expect(run.code).toBe(0);
      const table = tables(run.stdout).get(adapter);
      expect(table?.requests).toBe(String(expectedRequests(embedded)));
      expect(table?.failures).toBe('0');
      expect(table?.workers).toBe('8');
      expect(table?.data).toBe(
        `${embedded.agencies.length} agencies, ${routeCount(embedded)} routes, ` +
          `${[...embedded.routes.values()].flat().reduce((sum, route) => sum + route.stops.length, 0)} stops`,
      );
      expect(table?.['p95 latency']).toMatch(/^\d+\.\d ms$/);
      expect(table?.['slowest route']).toMatch(/^[a-z-]+\/\w+ \(\d+\.\d ms\)$/);
      // Not a TTY here: no progress bar redraws in the captured output.
      expect(run.stdout).not.toContain('\r');
    },
  );

  it('--requests caps route details per adapter, and all runs every adapter with a comparison', async ({
    expect,
  }) => {
    const run = await runNode(['dist/main.js', '--requests', '25', '--workers', '3']);
    expect(run.code).toBe(0);
    const found = tables(run.stdout);
    expect([...found.keys()]).toEqual(adapterNames);
    for (const table of found.values()) {
      expect(table.requests).toBe(String(expectedRequests(embedded, 25)));
      expect(table.failures).toBe('0');
    }
    for (const adapter of adapterNames) {
      expect(run.stdout).toMatch(
        new RegExp(`^\\| ${adapter} +\\| ${expectedRequests(embedded, 25)} +\\| 0 +\\|`, 'm'),
      );
    }
  });

  it('--help lists every flag and exits 0', async ({ expect }) => {
    const run = await runNode(['dist/main.js', '--help']);
    expect(run.code).toBe(0);
    for (const flag of [
      '--adapter',
      '--workers',
      '--per-origin-workers',
      '--rate',
      '--requests',
      '--base-url',
      '--debug',
      '--help',
    ]) {
      expect(run.stdout).toContain(flag);
    }
  });

  it('--debug turns on the asynchttp debug log', async ({ expect }) => {
    const run = await runNode(['dist/main.js', '--adapter', 'undici', '--requests', '3', '--debug']);
    expect(run.code).toBe(0);
    expect(run.stderr).toMatch(/asynchttp #1 queued GET http:\/\/127\.0\.0\.1:\d+\/agencies\.json/);
    expect(tables(run.stdout).get('undici')?.requests).toBe(String(expectedRequests(embedded, 3)));
  });
});

describe('--base-url against a server the test starts', () => {
  const small = subset(99, [3, 2]);
  let server: TransitServer;
  beforeAll(async () => {
    server = await startTransitServer({ data: small, latency: [0, 1] });
  });
  afterAll(() => server.close());

  it('makes exactly 1 + 2 + 5 requests per adapter, the server sees each once', async () => {
    const run = await runNode(['dist/main.js', '--base-url', server.url, '--workers', '2']);
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    const found = tables(run.stdout);
    expect([...found.keys()]).toEqual(adapterNames);
    for (const table of found.values()) {
      expect(table.requests).toBe('8');
      expect(table.failures).toBe('0');
      expect(table.data).toMatch(/^2 agencies, 5 routes, \d+ stops$/);
    }
    expect(server.served).toBe(8 * adapterNames.length);
  });

  it('writes plain progress lines while it runs when stdout is not a TTY', async () => {
    // One worker and ~25 ms an answer: the run lasts well over the one-second progress interval.
    const slow = await startTransitServer({ data: subset(5, [40, 40]), latency: [20, 30] });
    try {
      const run = await runNode([
        'dist/main.js',
        '--base-url',
        slow.url,
        '--adapter',
        'undici',
        '--workers',
        '1',
      ]);
      expect(run.code).toBe(0);
      const lines = run.stdout.match(/^undici: queued \d+, running [01], done \d+, failed 0$/gm) ?? [];
      expect(lines.length).toBeGreaterThan(0);
      expect(tables(run.stdout).get('undici')?.requests).toBe(String(1 + 2 + 80));
    } finally {
      await slow.close();
    }
  });

  it('a base URL with a path keeps it', async () => {
    const prefixed = await serve((request, response) => {
      // Strips /api and forwards to the transit server, so only /api/... paths work.
      if (!request.url?.startsWith('/api/')) {
        response.writeHead(404).end();
        return;
      }
      fetch(new URL(request.url.slice(5), server.url)).then(async (answer) => {
        response.writeHead(answer.status, { 'content-type': 'application/json' }).end(await answer.text());
      });
    });
    try {
      const run = await runNode(['dist/main.js', '--base-url', `${prefixed.url}api`, '--adapter', 'axios']);
      expect(run.code).toBe(0);
      expect(tables(run.stdout).get('axios')?.requests).toBe('8');
    } finally {
      await prefixed.close();
    }
  });
});

describe.concurrent('scheduling flags, seen from the server', () => {
  // 2 agencies, 12 + 12 routes, 20 to 30 ms an answer: enough overlap for 8 workers to show.
  const data = subset(11, [12, 12]);
  const requests = expectedRequests(data);

  it('--per-origin-workers caps the requests the server sees at once', async ({ expect }) => {
    const capped = await startTransitServer({ data, latency: [20, 30] });
    const free = await startTransitServer({ data, latency: [20, 30] });
    try {
      const common = ['dist/main.js', '--adapter', 'undici', '--workers', '8'];
      const [run, control] = await Promise.all([
        runNode([...common, '--per-origin-workers', '2', '--base-url', capped.url]),
        runNode([...common, '--base-url', free.url]),
      ]);
      expect(run.stderr).toBe('');
      expect(run.code).toBe(0);
      expect(run.stdout).toContain('undici: 8 workers, 2 per origin against');
      const table = tables(run.stdout).get('undici');
      expect(table?.requests).toBe(String(requests));
      expect(table?.['per-origin workers']).toBe('2');
      expect(table?.['peak running']).toBe('2 (busiest origin 2)');
      expect(capped.served).toBe(requests);
      expect(capped.peakInFlight).toBe(2);
      // The counter can see more: without the flag, 8 workers overlap on this one origin.
      expect(control.code).toBe(0);
      expect(free.peakInFlight).toBeGreaterThan(2);
    } finally {
      await capped.close();
      await free.close();
    }
  });

  it('--rate slows the run down to the rate, and its table says so', async ({ expect }) => {
    const server = await startTransitServer({ data, latency: [0, 1] });
    try {
      // 27 requests at most 10 per 500 ms: the last 7 cannot start before 1 s (two windows later).
      const run = await runNode([
        'dist/main.js',
        '--adapter',
        'undici',
        '--rate',
        '10/500ms',
        '--base-url',
        server.url,
      ]);
      expect(run.stderr).toBe('');
      expect(run.code).toBe(0);
      expect(run.stdout).toContain('undici: 8 workers, at most 10/500ms against');
      const table = tables(run.stdout).get('undici');
      expect(table?.requests).toBe(String(requests));
      expect(table?.['rate limit']).toBe('10/500ms');
      const wall = Number.parseFloat(table?.['wall time'] ?? '');
      expect(wall).toBeGreaterThanOrEqual(950);
      expect(wall).toBeLessThan(20_000);
      expect(Number.parseFloat(table?.['queue wait p50'] ?? '')).toBeGreaterThan(0);
      expect(server.served).toBe(requests);
    } finally {
      await server.close();
    }
  });

  it('--rate can be given twice: both windows hold', async ({ expect }) => {
    const server = await startTransitServer({ data, latency: [0, 1] });
    try {
      const run = await runNode([
        'dist/main.js',
        '--adapter',
        'fetch',
        '--rate',
        '100/s',
        '--rate',
        '20/1s',
        '--base-url',
        server.url,
      ]);
      expect(run.code).toBe(0);
      const table = tables(run.stdout).get('fetch');
      expect(table?.['rate limit']).toBe('100/s, 20/1s');
      // 27 requests, 20 per second: the last 7 wait for the second window.
      expect(Number.parseFloat(table?.['wall time'] ?? '')).toBeGreaterThanOrEqual(950);
    } finally {
      await server.close();
    }
  });
});

describe('failures are counted and reported', () => {
  it('a route whose details fail counts as a failure and the exit code is 1', async () => {
    const data = subset(7, [12]);
    const transit = await startTransitServer({ data, latency: [0, 0] });
    const broken = data.routes.get(data.agencies[0]!.id)![0]!;
    const server = await serve((request, response) => {
      if (request.url?.endsWith(`/routes/${broken.id}.json`)) {
        response.writeHead(404, { 'content-type': 'application/json' }).end('{"error":"gone"}');
        return;
      }
      fetch(new URL(request.url!.slice(1), transit.url)).then(async (answer) => {
        response.writeHead(answer.status, { 'content-type': 'application/json' }).end(await answer.text());
      });
    });
    try {
      const run = await runNode(['dist/main.js', '--base-url', server.url, '--adapter', 'fetch']);
      expect(run.code).toBe(1);
      const table = tables(run.stdout).get('fetch');
      expect(table?.requests).toBe(String(expectedRequests(data)));
      expect(table?.failures).toBe('1');
      expect(isOneLine(run.stderr)).toBe(true);
      expect(run.stderr).toContain(`1 of ${expectedRequests(data)} requests failed`);
      expect(run.stderr).toContain('answered 404 Not Found');
    } finally {
      await server.close();
      await transit.close();
    }
  });
});

describe.concurrent('bad input: one line on stderr, a non-zero exit, no stack', () => {
  const cases: [string, string[], RegExp][] = [
    ['an unknown adapter', ['--adapter', 'curl'], /unknown adapter "curl": use undici, axios, fetch or all/],
    ['non-numeric workers', ['--workers', 'many'], /--workers must be a positive whole number, got "many"/],
    ['zero workers', ['--workers', '0'], /--workers must be a positive whole number, got "0"/],
    ['negative workers', ['--workers', '-3'], /--workers must be a positive whole number, got "-3"/],
    ['fractional requests', ['--requests', '2.5'], /--requests must be a positive whole number, got "2.5"/],
    ['zero requests', ['--requests', '0'], /--requests must be a positive whole number, got "0"/],
    ['negative requests', ['--requests=-1'], /--requests must be a positive whole number, got "-1"/],
    ['a flag without its value', ['--workers'], /--workers needs a value/],
    [
      'zero per-origin workers',
      ['--per-origin-workers', '0'],
      /--per-origin-workers must be a positive whole number, got "0"/,
    ],
    [
      'negative per-origin workers',
      ['--per-origin-workers', '-2'],
      /--per-origin-workers must be a positive whole number, got "-2"/,
    ],
    ['a rate that is not N/TIME', ['--rate', 'abc'], /--rate takes N\/TIME such as 50\/1s.*got "abc"/],
    ['a rate without a unit', ['--rate', '50/1'], /--rate takes N\/TIME .*got "50\/1"/],
    [
      'a rate of zero requests',
      ['--rate', '0/1s'],
      /--rate needs a positive whole number of requests, got "0\/1s"/,
    ],
    ['a rate over no time', ['--rate', '5/0ms'], /--rate needs a time above zero, got "5\/0ms"/],
    ['a rate without its value', ['--rate'], /--rate needs a value/],
    ['an unknown flag', ['--turbo'], /unknown option --turbo/],
    ['a stray argument', ['fast'], /unexpected argument fast/],
    [
      'a base URL that is not a URL',
      ['--base-url', 'transit.example'],
      /--base-url must be an http\(s\) URL/,
    ],
    [
      'a base URL that is not http',
      ['--base-url', 'ftp://127.0.0.1/'],
      /--base-url must be an http\(s\) URL/,
    ],
  ];
  it.for(cases)('%s', async ([, args, message], { expect }) => {
    const run = await runNode(['dist/main.js', ...args]);
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(message);
    expect(isOneLine(run.stderr)).toBe(true);
  });

  it.for(adapterNames)('%s: a base URL that refuses connections', async (adapter, { expect }) => {
    const port = await freePort();
    const run = await runNode([
      'dist/main.js',
      '--adapter',
      adapter,
      '--base-url',
      `http://127.0.0.1:${port}`,
    ]);
    expect(run.code).toBe(1);
    expect(run.stderr).toBe(`asynchttp-sample: cannot reach http://127.0.0.1:${port}: connection refused\n`);
  });

  const garbage: [string, string, string, RegExp][] = [
    [
      'HTML instead of JSON',
      'text/html',
      '<html><body>hello</body></html>',
      /agencies\.json did not return JSON/,
    ],
    [
      'JSON of the wrong shape',
      'application/json',
      '{"agencies":[]}',
      /agencies\.json is not a list of agencies/,
    ],
    ['items without ids', 'application/json', '{"items":[{"name":"x"}]}', /is not a list of agencies/],
  ];
  it.for(garbage)('a base URL that returns %s', async ([, type, body, message], { expect }) => {
    const server = await serve((_request, response) => {
      response.writeHead(200, { 'content-type': type }).end(body);
    });
    try {
      const run = await runNode(['dist/main.js', '--base-url', server.url]);
      expect(run.code).toBe(1);
      expect(run.stderr).toMatch(message);
      expect(isOneLine(run.stderr)).toBe(true);
    } finally {
      await server.close();
    }
  });

  it('a base URL whose agencies list is missing', async ({ expect }) => {
    const server = await serve((_request, response) => {
      response.writeHead(404).end('not here');
    });
    try {
      const run = await runNode(['dist/main.js', '--base-url', server.url, '--adapter', 'undici']);
      expect(run.code).toBe(1);
      expect(run.stderr).toMatch(/agencies\.json answered 404 Not Found/);
      expect(isOneLine(run.stderr)).toBe(true);
    } finally {
      await server.close();
    }
  });
});
