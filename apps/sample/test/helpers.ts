import { spawn } from 'node:child_process';
import { createServer, type RequestListener } from 'node:http';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';

export const appDir = fileURLToPath(new URL('..', import.meta.url));

export interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs a built script (`dist/main.js`, `dist/run-example.js`) as a child; killed if it outlives `timeoutMs`. */
export function runNode(
  args: string[],
  options: { env?: NodeJS.ProcessEnv; timeoutMs?: number } = {},
): Promise<Run> {
  return new Promise((resolve, reject) => {
    const env = { ...process.env, ...options.env };
    // The sample must behave the same whatever the developer's shell has turned on.
    delete env.DEBUG;
    const child = spawn(process.execPath, args, { cwd: appDir, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
      stdout += chunk;
    });
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
      stderr += chunk;
    });
    const timeoutMs = options.timeoutMs ?? 45_000;
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`node ${args.join(' ')} still running after ${timeoutMs} ms\n${stdout}\n${stderr}`));
    }, timeoutMs);
    child.on('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

/** The rows of every per-adapter table in the app's output, by adapter name. */
export function tables(stdout: string): Map<string, Record<string, string>> {
  const result = new Map<string, Record<string, string>>();
  let current: Record<string, string> | undefined;
  for (const line of stdout.split('\n')) {
    const cells = /^\| ([^|]+?) +\| ([^|]+?) +\|$/.exec(line);
    if (cells === null) continue;
    const [, key, value] = cells as unknown as [string, string, string];
    if (key === 'adapter') {
      current = {};
      result.set(value, current);
    }
    if (current !== undefined) current[key] = value;
  }
  return result;
}

export interface TestServer {
  url: string;
  close(): Promise<void>;
}

/** A loopback server with the given handler, for answers the transit server never gives. */
export async function serve(handler: RequestListener): Promise<TestServer> {
  const server = createServer(handler);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/`,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

/** A loopback port nothing listens on: bound, then released. */
export async function freePort(): Promise<number> {
  const server = await serve(() => {});
  const port = Number(new URL(server.url).port);
  await server.close();
  return port;
}

/** One line, no stack frames: what every bad input must produce on stderr. */
export function isOneLine(text: string): boolean {
  const lines = text.trimEnd().split('\n');
  return lines.length === 1 && lines[0] !== '' && !/^\s+at /m.test(text);
}
