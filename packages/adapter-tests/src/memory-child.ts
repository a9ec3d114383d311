// Run by `testStreamingMemory` in a child process, so its RSS is the download's alone:
// node memory-child.js <adapter module URL> <factory export> <url>
// Streams the body of <url> through Http on that adapter, sampling RSS, and prints one JSON line.
import { Http } from '@asynchttp/core';

const [moduleUrl, factory, url] = process.argv.slice(2) as [string, string, string];
const module = (await import(moduleUrl)) as Record<string, () => import('@asynchttp/core').Adapter>;
const http = new Http({ adapter: module[factory]!(), logger: false });

async function download(target: string): Promise<{ bytes: number; peak: number }> {
  const content = await http.request(target, { stream: true }).content;
  let bytes = 0;
  let peak = 0;
  let chunks = 0;
  for await (const chunk of content.stream() as unknown as AsyncIterable<Uint8Array>) {
    bytes += chunk.byteLength;
    if (++chunks % 32 === 0) peak = Math.max(peak, process.memoryUsage.rss());
  }
  return { bytes, peak: Math.max(peak, process.memoryUsage.rss()) };
}

// A small download first, so modules, JIT and connection pools are in the baseline, not the growth.
await download(`${url}${url.includes('?') ? '&' : '?'}warmup=1`);
const baseline = process.memoryUsage.rss();
const started = performance.now();
const { bytes, peak } = await download(url);
const ms = performance.now() - started;
await http.close();
process.stdout.write(`${JSON.stringify({ bytes, growth: peak - baseline, ms })}\n`);
