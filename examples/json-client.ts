/**
 * A small JSON client over Http: get() and post() return parsed data, made by callbacks in the
 * workers; a status >= 400 becomes an error raised where the result is awaited.
 */
import { type CallbackInput, Http } from '@asynchttp/core';
import { fetchAdapter } from '@asynchttp/fetch';

class HttpStatusError extends Error {
  override name = 'HttpStatusError';
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

function parseJson<T>({ response, content }: CallbackInput): T {
  if (response.status >= 400) {
    throw new HttpStatusError(response.status, `${response.status} ${response.reason}: ${response.url}`);
  }
  return content.json<T>();
}

class JsonClient {
  readonly #http: Http;
  readonly #base: string;

  constructor(base: string, maxWorkers = 4) {
    this.#base = base;
    this.#http = new Http({ adapter: fetchAdapter(), maxWorkers, headers: { accept: 'application/json' } });
  }

  async get<T>(path: string): Promise<T> {
    const { data } = await this.#http.request<T>(new URL(path, this.#base), { callback: parseJson });
    return data;
  }

  async post<T>(path: string, body: unknown): Promise<T> {
    const url = new URL(path, this.#base);
    const { data } = await this.#http.request<T>(url, { method: 'POST', json: body, callback: parseJson });
    return data;
  }

  close(): Promise<void> {
    return this.#http.close();
  }
}

interface List {
  items: { id: string; display_name: string }[];
}

export async function main(baseUrl: string): Promise<void> {
  const client = new JsonClient(baseUrl);

  const agencies = await client.get<List>('agencies.json');
  console.log(`GET agencies.json: ${agencies.items.length} agencies`);
  const first = agencies.items[0]!;
  // Several calls at once: they share the client's worker limit.
  const [routes, created] = await Promise.all([
    client.get<List>(`agencies/${first.id}/routes.json`),
    client.post<{ id: number; agency: string }>('feedback.json', { agency: first.id, message: 'on time' }),
  ]);
  console.log(`GET agencies/${first.id}/routes.json: ${routes.items.length} routes`);
  console.log(`POST feedback.json: created #${created.id} for ${created.agency}`);

  try {
    await client.get('agencies/nowhere/routes.json');
  } catch (error) {
    if (!(error instanceof HttpStatusError)) throw error;
    console.log(`GET agencies/nowhere/routes.json: ${error.name} ${error.status}`);
  }

  await client.close();
}
