/**
 * The original README's first example: one request, whose response and content are promise objects
 * that wait only when they are read.
 */
import { Http, NotReadyError } from '@asynchttp/core';
import { undiciAdapter } from '@asynchttp/undici';

export async function main(baseUrl: string): Promise<void> {
  const http = new Http({ adapter: undiciAdapter() });
  const url = new URL('agencies.json', baseUrl);

  // request() returns at once; the request waits for a worker in the background.
  const [response, content] = http.request(url);

  // Reading a field before the request settles does not block: it says so. Other work, or more
  // requests, could go here instead.
  try {
    console.log(`status before settling: ${response.status}`);
  } catch (error) {
    if (!(error instanceof NotReadyError)) throw error;
    console.log(`status before settling: not ready (${error.name})`);
  }

  // Awaiting waits only if the request has not finished yet, like touching httplib2's response.status.
  console.log(`status: ${(await response).status} ${response.reason}`);
  console.log(`content-type: ${response.get('content-type')}`);
  const agencies = await content.json<{ items: { id: string; display_name: string }[] }>();
  console.log(`agencies: ${agencies.items.length}`);

  await http.close();
}
