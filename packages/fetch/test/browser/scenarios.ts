// Bundled by esbuild with core and the fetch adapter, and run in headless Chromium by browser.test.ts.
// Each scenario returns plain data for the Node side to check.
import { Http } from '@asynchttp/core';
import { fetchAdapter } from '../../src/index.js';

type Outcome =
  | { ok: true; [key: string]: unknown }
  | { ok: false; name: string; message: string; stack: string };

function failed(error: unknown): Outcome {
  const e = error as Error;
  return { ok: false, name: e?.name ?? String(error), message: e?.message ?? '', stack: e?.stack ?? '' };
}

async function run(
  fn: (http: Http) => Promise<Outcome>,
  options: { maxWorkers?: number } = {},
  follow = false,
) {
  const http = new Http({
    adapter: fetchAdapter(follow ? { redirect: 'follow' } : {}),
    logger: false,
    ...options,
  });
  try {
    return await fn(http);
  } catch (error) {
    return failed(error);
  } finally {
    await http.close({ cancelPending: true });
  }
}

const scenarios: Record<string, (api: string) => Promise<Outcome>> = {
  get: (api) =>
    run(async (http) => {
      const { response, content } = await http.request(`${api}/text`);
      return { ok: true, status: response.status, text: await content.text() };
    }),
  json: (api) =>
    run(async (http) => {
      const { content } = await http.request(`${api}/json`);
      return { ok: true, data: await content.json() };
    }),
  gzip: (api) =>
    run(async (http) => {
      const { response, content } = await http.request(`${api}/gzip`);
      return { ok: true, status: response.status, text: await content.text() };
    }),
  'redirect-manual': (api) =>
    run(async (http) => {
      await http.request(`${api}/redirect`, { retry: 3 });
      return { ok: true };
    }),
  'redirect-follow': (api) =>
    run(
      async (http) => {
        const { response, content } = await http.request(`${api}/redirect`);
        return { ok: true, status: response.status, url: response.url, data: await content.json() };
      },
      {},
      true,
    ),
  timeout: (api) =>
    run(async (http) => {
      await http.request(`${api}/hang`, { timeout: 200, retry: false });
      return { ok: true };
    }),
  cancel: (api) =>
    run(async (http) => {
      const request = http.request(`${api}/hang`);
      setTimeout(() => request.cancel(), 200);
      await request;
      return { ok: true };
    }),
  'max-workers': (api) =>
    run(
      async (http) => {
        const all = Array.from({ length: 6 }, (_, i) => http.request(`${api}/slow?n=${i}`));
        const statuses = await Promise.all(all.map(async (r) => (await r.response).status));
        return { ok: true, statuses };
      },
      { maxWorkers: 2 },
    ),
};

(globalThis as { runScenario?: unknown }).runScenario = (name: string, api: string) => scenarios[name]!(api);
