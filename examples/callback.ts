/**
 * Callbacks run inside the worker slot, so deserializing happens off the caller's path and `data`
 * arrives as domain objects. A callback that throws rejects response, content and data with that same
 * error, raised where they are read, with the request() call site in its stack.
 */
import { basename } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type CallbackInput, Http } from '@asynchttp/core';
import { undiciAdapter } from '@asynchttp/undici';

class Agency {
  constructor(
    readonly id: string,
    readonly name: string,
  ) {}

  static fromJson({ content }: CallbackInput): Agency[] {
    const { items } = content.json<{ items: { id: string; display_name: string }[] }>();
    return items.map((item) => new Agency(item.id, item.display_name));
  }
}

export async function main(baseUrl: string): Promise<void> {
  const http = new Http({ adapter: undiciAdapter(), maxWorkers: 2 });

  const { data: agencies } = await http.request(new URL('agencies.json', baseUrl), {
    callback: Agency.fromJson,
  });
  console.log(`deserialized in the worker: ${agencies.length} Agency objects`);
  for (const agency of agencies) console.log(`  ${agency.id}: ${agency.name}`);

  // The agencies list has no "routes" field: this callback throws, in the worker.
  const [response, content] = http.request(new URL('agencies.json', baseUrl), {
    callback: ({ content }) => {
      const json = content.json<{ routes?: unknown }>();
      if (!Array.isArray(json.routes)) throw new TypeError('expected a "routes" array in agencies.json');
      return json.routes;
    },
  });
  // Nothing is thrown until the response is read.
  try {
    await response;
    console.log('unexpected: the failing callback did not reject');
  } catch (error) {
    const { name, message, stack = '' } = error as Error;
    console.log(`caught where the response was read: ${name}: ${message}`);
    // The frame of main() in this file is where request() was called; the callback's own frame is not.
    const file = basename(fileURLToPath(import.meta.url)).replace(/\.js$/, '');
    const site = stack
      .split('\n')
      .find((line) => /\bat (?:\S+\.)?main \(/.test(line) && line.includes(`${file}.`));
    console.log(`stack shows the request() call site: ${site === undefined ? 'no' : 'yes'}`);
    if (site !== undefined) console.log(`  ${site.trim().replace(/\(.*[\\/]/, '(')}`);
    // The content (and data) reject with that very error object, not a copy.
    const same = await content.text().then(
      () => false,
      (other: unknown) => other === error,
    );
    console.log(`content rejects with the same error: ${same}`);
  }

  await http.close();
}
