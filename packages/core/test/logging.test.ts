import { execFile as execFileCallback } from 'node:child_process';
import { promisify } from 'node:util';
import createDebug from 'debug';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { debugLogger, Http, type Logger } from '../src/index.js';
import { nodeAdapter } from './helpers/node-adapter.js';
import { startServer, type TestServer } from './helpers/server.js';

const execFile = promisify(execFileCallback);
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

describe('where log lines go, in a fresh process', () => {
  // A fresh Node process with the built core, so the default logger reads its environment as a user's
  // program would. The adapter answers without a network; the callback throws, which logs a warning.
  const script = (logger: string) => `
    import { Console } from 'node:console';
    import { Http } from ${JSON.stringify(new URL('../dist/index.js', import.meta.url).href)};
    void Console;
    const adapter = { name: 'stub', send: async () => ({ status: 200, reason: 'OK', headers: [], body: new Uint8Array() }) };
    const http = new Http({ adapter, ${logger} });
    await http.request('http://127.0.0.1:9/x', { callback: () => { throw new Error('bad payload'); } }).wait();
    await http.close();
  `;
  const runChild = async (logger: string, env: Record<string, string | undefined>) => {
    const { DEBUG: _debug, ...rest } = process.env;
    const child = await execFile(process.execPath, ['--input-type=module', '-e', script(logger)], {
      env: { ...rest, NO_COLOR: '1', DEBUG_COLORS: 'no', ...env },
      timeout: 10_000,
    });
    return { stdout: child.stdout, stderr: child.stderr };
  };

  test('by default a warning prints to stderr, debug lines do not, stdout stays clean', async () => {
    const { stdout, stderr } = await runChild('', {});
    expect(stdout).toBe('');
    expect(stderr).toMatch(
      /asynchttp:warn #1 callback failed for GET http:\/\/127\.0\.0\.1:9\/x: Error: bad payload/,
    );
    expect(stderr).toMatch(/request\(\) called from:/);
    expect(stderr).not.toMatch(/queued|done 200/);
  });

  test('once DEBUG is set it decides: asynchttp* adds debug lines, another namespace silences warnings', async () => {
    const all = await runChild('', { DEBUG: 'asynchttp*' });
    expect(all.stdout).toBe('');
    expect(all.stderr).toMatch(/asynchttp #1 queued GET/);
    expect(all.stderr).toMatch(/asynchttp:warn #1 callback failed/);
    const other = await runChild('', { DEBUG: 'express:*' });
    expect(other.stderr).toBe('');
    const kept = await runChild('', { DEBUG: 'express:*,asynchttp:warn,asynchttp:error' });
    expect(kept.stderr).toMatch(/asynchttp:warn #1 callback failed/);
  });

  test('logger: console writes debug lines to stdout; new Console(process.stderr) keeps them on stderr', async () => {
    const plain = await runChild('logger: console', {});
    expect(plain.stdout).toMatch(/#1 queued GET/);
    expect(plain.stderr).toMatch(/#1 callback failed/);
    const stderrOnly = await runChild('logger: new Console(process.stderr)', {});
    expect(stderrOnly.stdout).toBe('');
    expect(stderrOnly.stderr).toMatch(/#1 queued GET[\s\S]*#1 callback failed/);
  });

  test('logger: false prints nothing', async () => {
    const { stdout, stderr } = await runChild('logger: false', {});
    expect(stdout + stderr).toBe('');
  });
});
