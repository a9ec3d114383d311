// Reading the transit API's answers: status, JSON and shape, into plain (structured-cloneable) data.
// The same functions run as callbacks on the main thread or, with --threads, in a ThreadPool thread
// (transit-thread.ts); domain.ts makes the domain objects from what they return.

/** The server answered, but not with what a transit API answers: a status >= 400, non-JSON, or the wrong shape. */
export class TransitApiError extends Error {
  override name = 'TransitApiError';
}

/** What these parsers read: a core `CallbackInput`, or the snapshot a pool thread gets. */
export interface TransitAnswer {
  response: { url: string; status: number; reason: string };
  content: { json(): unknown; text(): string };
}

/** One agency or route, as the lists give it. */
export interface Item {
  id: string;
  display_name: string;
}

export interface Stop {
  id: string;
  name: string;
  lat: number;
  lon: number;
}

/** A route's details, checked. */
export interface DetailData {
  type: string;
  stops: Stop[];
}

/** `/agencies.json`: `{ items: [{ id, display_name }] }`. */
export function parseAgencies(answer: TransitAnswer): Item[] {
  const { json, where } = readJson(answer);
  return items(json, where, 'agencies');
}

/** `/agencies/<agency>/routes.json`: `{ items: [{ id, display_name }] }`. */
export function parseRoutes(answer: TransitAnswer): Item[] {
  const { json, where } = readJson(answer);
  return items(json, where, 'routes');
}

/** `/agencies/<agency>/routes/<route>.json`: `{ id, type, stops: [{ id, name, lat, lon }] }`, for that route. */
export function parseRouteDetail(answer: TransitAnswer): DetailData {
  const { json, where } = readJson(answer);
  // The route asked for, from the URL: `.../agencies/<agency>/routes/<route>.json`.
  const [agency = '', , file = ''] = new URL(answer.response.url).pathname.split('/').slice(-3);
  const routeId = decodeURIComponent(file.replace(/\.json$/, ''));
  const key = `${decodeURIComponent(agency)}/${routeId}`;
  const record = json as { id?: unknown; type?: unknown; stops?: unknown };
  if (typeof json !== 'object' || json === null || record.id !== routeId || !Array.isArray(record.stops)) {
    throw new TransitApiError(`${where} is not the route ${key}: expected { id, type, stops: [...] }`);
  }
  const stops = record.stops.map((stop: unknown): Stop => {
    const { id, name, lat, lon } = (stop ?? {}) as Partial<Stop>;
    if (
      typeof id !== 'string' ||
      typeof name !== 'string' ||
      typeof lat !== 'number' ||
      typeof lon !== 'number'
    ) {
      throw new TransitApiError(`${where} has a stop that is not { id, name, lat, lon }`);
    }
    return { id, name, lat, lon };
  });
  return { type: typeof record.type === 'string' ? record.type : 'unknown', stops };
}

/** A status >= 400 or a body that is not JSON throws `TransitApiError`. */
function readJson({ response, content }: TransitAnswer): { json: unknown; where: string } {
  const where = `GET ${response.url}`;
  if (response.status >= 400) {
    throw new TransitApiError(`${where} answered ${response.status} ${response.reason}`);
  }
  try {
    return { json: content.json(), where };
  } catch {
    const start = content.text().slice(0, 40).replace(/\s+/g, ' ');
    throw new TransitApiError(`${where} did not return JSON (it starts with ${JSON.stringify(start)})`);
  }
}

function items(json: unknown, where: string, what: string): Item[] {
  const list = (json as { items?: unknown } | null)?.items;
  const valid =
    Array.isArray(list) &&
    list.every(
      (item) =>
        typeof item === 'object' &&
        item !== null &&
        typeof item.id === 'string' &&
        item.id !== '' &&
        typeof item.display_name === 'string',
    );
  if (!valid) {
    throw new TransitApiError(
      `${where} is not a list of ${what}: expected { "items": [{ "id", "display_name" }] }`,
    );
  }
  return (list as Item[]).map(({ id, display_name }) => ({ id, display_name }));
}
