// Streaming bodies: a large download written to /dev/null through each adapter, against raw undici's
// `stream()` in the same run, and a large streamed upload; throughput and RSS growth. Every client runs
// in a fresh child process (so RSS is its own), and the server in another.
//
//   node dist/streaming.js [--download-mib 1024] [--upload-mib 256] [--rounds 1] [--out results/streaming.json]
import { type ChildProcess, fork } from 'node:child_process';
import { createWriteStream, mkdirSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { dirname } from 'node:path';
import { Writable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { type Adapter, Http } from '@asynchttp/core';

const mib = 1024 * 1024;
const self = fileURLToPath(import.meta.url);
const downloadClients = ['undici stream()', 'asynchttp + undici', 'asynchttp + axios', 'asynchttp + fetch'];
const uploadClients = ['asynchttp + undici', 'asynchttp + axios', 'asynchttp + fetch'];

interface Sample {
  client: string;
  bytes: number;
  ms: number;
  /** Peak RSS during the transfer minus RSS before it, in bytes. */
  growth: number;
}

// --- the server, in its own process: patterned bodies out, uploads counted and dropped.

function serve(): void {
  const slab = Buffer.alloc(256 * 1024, 97);
  const server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://x');
    if (req.method === 'POST') {
      let bytes = 0;
      req.on('data', (chunk: Buffer) => {
        bytes += chunk.length;
      });
      req.on('end', () => res.end(String(bytes)));
      return;
    }
    const length = Number(url.searchParams.get('n'));
    res.writeHead(200, { 'content-length': length, 'content-type': 'application/octet-stream' });
    let sent = 0;
    const write = () => {
      while (sent < length) {
        const piece = slab.subarray(0, Math.min(slab.length, length - sent));
        sent += piece.length;
        if (!res.write(piece)) return void res.once('drain', write);
      }
      res.end();
    };
    write();
  });
  server.listen(0, '127.0.0.1', () => process.send!({ port: (server.address() as AddressInfo).port }));
}

// --- a client, in its own process.

async function adapterFor(client: string): Promise<Adapter> {
  if (client.endsWith('undici')) return (await import('@asynchttp/undici')).undiciAdapter();
  if (client.endsWith('axios')) return (await import('@asynchttp/axios')).axiosAdapter();
  return (await import('@asynchttp/fetch')).fetchAdapter();
}

/** Samples RSS every 20 ms while `run` goes; resolves with its result and the peak RSS seen. */
async function sampled<T>(run: () => Promise<T>): Promise<{ value: T; peak: number }> {
  let peak = process.memoryUsage.rss();
  const timer = setInterval(() => {
    peak = Math.max(peak, process.memoryUsage.rss());
  }, 20);
  try {
    const value = await run();
    return { value, peak: Math.max(peak, process.memoryUsage.rss()) };
  } finally {
    clearInterval(timer);
  }
}

async function toDevNull(stream: ReadableStream<Uint8Array>): Promise<number> {
  const out = createWriteStream('/dev/null');
  let bytes = 0;
  for await (const chunk of stream as unknown as AsyncIterable<Uint8Array>) {
    bytes += chunk.byteLength;
    if (!out.write(chunk)) await new Promise<void>((resolve) => out.once('drain', () => resolve()));
  }
  await new Promise<void>((resolve) => out.end(() => resolve()));
  return bytes;
}

async function download(client: string, base: string, size: number): Promise<Sample> {
  let fetchOnce: (n: number) => Promise<number>;
  let close: () => Promise<void>;
  if (client === 'undici stream()') {
    const { Agent } = await import('undici');
    const agent = new Agent();
    fetchOnce = async (n) => {
      let bytes = 0;
      await agent.stream({ origin: base, path: `/download?n=${n}`, method: 'GET' }, () => {
        // The same /dev/null file stream the asynchttp clients write to, counted on the way.
        const out = createWriteStream('/dev/null');
        return new Writable({
          write(chunk: Buffer, _encoding, done) {
            bytes += chunk.length;
            out.write(chunk, done);
          },
          final(done) {
            out.end(done);
          },
        });
      });
      return bytes;
    };
    close = () => agent.close();
  } else {
    const http = new Http({ adapter: await adapterFor(client), logger: false });
    fetchOnce = async (n) =>
      toDevNull((await http.request(`${base}/download?n=${n}`, { stream: true }).content).stream());
    close = () => http.close();
  }
  await fetchOnce(4 * mib);
  globalThis.gc?.();
  const before = process.memoryUsage.rss();
  const started = performance.now();
  const { value: bytes, peak } = await sampled(() => fetchOnce(size));
  const ms = performance.now() - started;
  await close();
  return { client, bytes, ms, growth: peak - before };
}

async function upload(client: string, base: string, size: number): Promise<Sample> {
  const http = new Http({ adapter: await adapterFor(client), logger: false, retry: false });
  const chunk = new Uint8Array(64 * 1024).fill(98);
  async function* body(total: number) {
    for (let sent = 0; sent < total; sent += chunk.byteLength)
      yield chunk.subarray(0, Math.min(chunk.byteLength, total - sent));
  }
  const send = async (n: number) =>
    Number(await http.request(`${base}/upload`, { method: 'POST', body: body(n) }).content.text());
  await send(4 * mib);
  globalThis.gc?.();
  const before = process.memoryUsage.rss();
  const started = performance.now();
  const { value: bytes, peak } = await sampled(() => send(size));
  const ms = performance.now() - started;
  await http.close();
  return { client, bytes, ms, growth: peak - before };
}

// --- the parent.

function child(args: string[]): ChildProcess {
  return fork(self, args, { execArgv: ['--expose-gc'], stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
}

function once<T>(process: ChildProcess): Promise<T> {
  return new Promise((resolve, reject) => {
    process.once('message', (message) => resolve(message as T));
    process.once('exit', (code) => reject(new Error(`child exited with ${code} before reporting`)));
  });
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      'download-mib': { type: 'string', default: '1024' },
      'upload-mib': { type: 'string', default: '256' },
      rounds: { type: 'string', default: '1' },
      out: { type: 'string', default: 'results/streaming.json' },
    },
  });
  const downloadBytes = Number(values['download-mib']) * mib;
  const uploadBytes = Number(values['upload-mib']) * mib;
  const rounds = Number(values.rounds);
  const server = child(['--serve']);
  const { port } = await once<{ port: number }>(server);
  const base = `http://127.0.0.1:${port}`;
  const results: { download: Sample[]; upload: Sample[] } = { download: [], upload: [] };
  try {
    for (let round = 0; round < rounds; round++) {
      for (const client of downloadClients) {
        results.download.push(await once<Sample>(child(['--download', client, base, String(downloadBytes)])));
      }
    }
    for (const client of uploadClients) {
      results.upload.push(await once<Sample>(child(['--upload', client, base, String(uploadBytes)])));
    }
  } finally {
    server.kill();
  }
  const rate = (sample: Sample) => sample.bytes / mib / (sample.ms / 1000);
  const best = (client: string) =>
    Math.max(...results.download.filter((sample) => sample.client === client).map(rate));
  const raw = best('undici stream()');
  console.log(`\n${values['download-mib']} MiB download to /dev/null, best of ${rounds}:\n`);
  console.log('| client | MiB/s | vs undici stream() | RSS growth MiB |');
  console.log('| --- | ---: | ---: | ---: |');
  for (const client of downloadClients) {
    const samples = results.download.filter((sample) => sample.client === client);
    const growth = Math.max(...samples.map((sample) => sample.growth)) / mib;
    console.log(
      `| ${client} | ${best(client).toFixed(0)} | ${(best(client) / raw).toFixed(2)} | ${growth.toFixed(1)} |`,
    );
  }
  console.log(`\n${values['upload-mib']} MiB streamed upload (async generator body):\n`);
  console.log('| client | MiB/s | RSS growth MiB |');
  console.log('| --- | ---: | ---: |');
  for (const sample of results.upload) {
    console.log(`| ${sample.client} | ${rate(sample).toFixed(0)} | ${(sample.growth / mib).toFixed(1)} |`);
  }
  mkdirSync(dirname(values.out!), { recursive: true });
  writeFileSync(values.out!, `${JSON.stringify({ node: process.version, ...results }, null, 2)}\n`);
}

const [mode, client, base, size] = process.argv.slice(2);
if (mode === '--serve') serve();
else if (mode === '--download' || mode === '--upload') {
  const run = mode === '--download' ? download : upload;
  run(client!, base!, Number(size)).then(
    (sample) => {
      process.send!(sample);
      process.disconnect();
    },
    (error: unknown) => {
      console.error(error);
      process.exit(1);
    },
  );
} else await main();
