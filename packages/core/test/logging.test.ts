import createDebug from 'debug';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { debugLogger, Http, type Logger } from '../src/index.js';
import { nodeAdapter } from './helpers/node-adapter.js';
import { startServer, type TestServer } from './helpers/server.js';

let server: TestServer;
beforeAll(async () => {
  server = await startServer();
});
afterAll(() => server.close());

function recorder(enabled = true): Logger & { lines: string[] } {
  const lines: string[] = [];
  const write = (level: string) => (message: string) => lines.push(`${level} ${message}`);
  return {
    lines,
    debug: write('debug'),
    info: write('info'),
    warn: write('warn'),
    error: write('error'),
    isLevelEnabled: () => enabled,
  };
}

describe('logging', () => {
  test('each request logs queued, started, callback and done, one line each with its id', async () => {
    const logger = recorder();
    const http = new Http({ adapter: nodeAdapter(), logger, maxWorkers: 2 });
    const { id } = http.request(`${server.url}/json`, { callback: ({ content }) => content.json() });
    await http.onIdle();
    const mine = logger.lines.filter((line) => line.includes(`#${id} `));
    expect(mine).toHaveLength(4);
    expect(mine[0]).toMatch(new RegExp(`^debug #${id} queued GET http://127.0.0.1:\\d+/json`));
    expect(mine[1]).toMatch(/started GET .*: worker 1\/2, waited \d+\.\d ms/);
    expect(mine[2]).toMatch(/callback done/);
    expect(mine[3]).toMatch(/done 200 OK in \d+\.\d ms, 17 bytes/);
    await http.close();
  });

  test('a failure logs the error and the request() call site', async () => {
    const logger = recorder();
    const http = new Http({ adapter: nodeAdapter(), logger });
    const request = http.request('http://127.0.0.1:1/refused');
    await request.wait();
    const failed = logger.lines.find((line) => line.includes(`#${request.id} failed`));
    expect(failed).toMatch(/failed after \d+\.\d ms: ConnectionError/);
    expect(failed).toMatch(/request\(\) called from:\n.*logging\.test\.ts/);
    await http.close();
  });

  test('no debug line is built when the logger says debug is off', async () => {
    const logger = recorder(false);
    const http = new Http({ adapter: nodeAdapter(), logger });
    await http.request(`${server.url}/ok`);
    await http.close();
    expect(logger.lines.filter((line) => line.startsWith('debug #'))).toEqual([]);
  });

  test('logger: false is silent; a non-logger is refused at construction', async () => {
    const http = new Http({ adapter: nodeAdapter(), logger: false });
    await http.request(`${server.url}/ok`);
    await http.close();
    expect(() => new Http({ adapter: nodeAdapter(), logger: {} as Logger })).toThrow(
      /debug, info, warn and error/,
    );
  });

  test('the default logger is debug, namespace asynchttp, off unless DEBUG enables it', async () => {
    expect(debugLogger.isLevelEnabled?.('debug')).toBe(createDebug.enabled('asynchttp') === true);
    const saved = createDebug.disable();
    const written: string[] = [];
    const log = createDebug.log;
    createDebug.log = (...args: unknown[]) => written.push(args.join(' '));
    try {
      createDebug.enable('asynchttp*');
      const http = new Http({ adapter: nodeAdapter() });
      await http.request(`${server.url}/ok`);
      await http.close();
      expect(written.some((line) => /asynchttp #\d+ done 200 OK/.test(line))).toBe(true);
      createDebug.disable();
      written.length = 0;
      const quiet = new Http({ adapter: nodeAdapter() });
      await quiet.request(`${server.url}/ok`);
      await quiet.close();
      expect(written).toEqual([]);
    } finally {
      createDebug.log = log;
      createDebug.enable(saved);
    }
  });
});
