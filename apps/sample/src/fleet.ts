import { type ChildProcess, spawn } from 'node:child_process';
import { createRequire } from 'node:module';
import path from 'node:path';
import { bullmqAdapter } from '@asynchttp/bullmq';
import type { Adapter } from '@asynchttp/core';

/** A local fleet of `asynchttp-worker` processes on one queue, started and stopped by the sample. */
export interface LocalFleet {
  adapter(): Adapter;
  stop(): Promise<void>;
}

const require = createRequire(import.meta.url);
const bin = path.join(
  path.dirname(require.resolve('@asynchttp/bullmq/package.json')),
  'bin',
  'asynchttp-worker.js',
);

export async function startFleet(redis: string, processes: number, concurrency: number): Promise<LocalFleet> {
  // A queue of its own, so a second sample run against the same Redis never shares its jobs.
  const queue = `sample-${process.pid}`;
  const children: ChildProcess[] = [];
  const stop = async () => {
    await Promise.all(
      children.map((child) => {
        if (child.exitCode !== null || child.signalCode !== null) return undefined;
        const exited = new Promise((resolve) => child.once('exit', resolve));
        child.kill('SIGTERM');
        return exited;
      }),
    );
  };
  try {
    for (let index = 0; index < processes; index++) {
      const args = [bin, '--redis', redis, '--queue', queue, '--adapter', 'undici'];
      args.push('--concurrency', String(concurrency));
      const child = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'pipe'] });
      children.push(child);
    }
    await Promise.all(children.map(ready));
  } catch (error) {
    await stop();
    throw error;
  }
  return { adapter: () => bullmqAdapter({ connection: redis, queue }), stop };
}

function ready(child: ChildProcess): Promise<void> {
  let output = '';
  return new Promise((resolve, reject) => {
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      if (output.includes('asynchttp-worker: pid')) {
        child.stdout!.resume();
        child.stderr!.resume();
        resolve();
      }
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', onData);
    child.once('exit', (code) =>
      reject(new Error(`a worker process exited (code ${code}): ${output.trim().split('\n').at(-1)}`)),
    );
  });
}
