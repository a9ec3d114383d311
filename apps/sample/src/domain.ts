import type { Callback, CallbackInput, Http, RequestPromise } from '@asynchttp/core';

/** The server answered, but not with what a transit API answers: a status >= 400, non-JSON, or the wrong shape. */
export class TransitApiError extends Error {
  override name = 'TransitApiError';
}

/**
 * A callback that turns a transit API answer into domain objects inside the worker: a status >= 400,
 * a body that is not JSON, or JSON of the wrong shape all throw `TransitApiError`, which then rejects
 * the request's promise objects where they are read.
 */
export function transitCallback<T>(build: (json: unknown, url: string) => T): Callback<T> {
  return ({ response, content }: CallbackInput) => {
    const where = `GET ${response.url}`;
    if (response.status >= 400) {
      throw new TransitApiError(`${where} answered ${response.status} ${response.reason}`);
    }
    let json: unknown;
    try {
      json = content.json();
    } catch {
      const start = content.text().slice(0, 40).replace(/\s+/g, ' ');
      throw new TransitApiError(`${where} did not return JSON (it starts with ${JSON.stringify(start)})`);
    }
    return build(json, where);
  };
}

/** A transit agency, as listed by `/agencies.json`. */
export class Agency {
  constructor(
    readonly id: string,
    readonly name: string,
    /** The API's base URL, where this agency's routes are found. */
    readonly base: URL,
  ) {}

  /** Parses `{ items: [{ id, display_name }] }`; throws `TransitApiError` on any other shape. */
  static list(json: unknown, base: URL, where: string): Agency[] {
    return items(json, where, 'agencies').map((item) => new Agency(item.id, item.display_name, base));
  }

  /** Requests this agency's routes; the callback makes the `Route` objects in the worker. */
  routes(http: Http): RequestPromise<Route[]> {
    const url = new URL(`agencies/${encodeURIComponent(this.id)}/routes.json`, this.base);
    return http.request(url, { callback: transitCallback((json, where) => Route.list(json, this, where)) });
  }
}

/** A route of an agency, as listed by `/agencies/<agency>/routes.json`. */
export class Route {
  constructor(
    readonly agency: Agency,
    readonly id: string,
    readonly name: string,
  ) {}

  static list(json: unknown, agency: Agency, where: string): Route[] {
    return items(json, where, 'routes').map((item) => new Route(agency, item.id, item.display_name));
  }

  /** `agency/route`, how the report names a route. */
  get key(): string {
    return `${this.agency.id}/${this.id}`;
  }

  /** Requests this route's details and stops; the callback makes the `RouteDetail` in the worker. */
  details(http: Http): RequestPromise<RouteDetail> {
    const path = `agencies/${encodeURIComponent(this.agency.id)}/routes/${encodeURIComponent(this.id)}.json`;
    return http.request(new URL(path, this.agency.base), {
      callback: transitCallback((json, where) => RouteDetail.from(json, this, where)),
    });
  }
}

export interface Stop {
  id: string;
  name: string;
  lat: number;
  lon: number;
}

/** A route with its stops, from `/agencies/<agency>/routes/<route>.json`. */
export class RouteDetail {
  constructor(
    readonly route: Route,
    readonly type: string,
    readonly stops: readonly Stop[],
  ) {}

  static from(json: unknown, route: Route, where: string): RouteDetail {
    const record = json as { id?: unknown; type?: unknown; stops?: unknown };
    if (typeof json !== 'object' || json === null || record.id !== route.id || !Array.isArray(record.stops)) {
      throw new TransitApiError(
        `${where} is not the route ${route.key}: expected { id, type, stops: [...] }`,
      );
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
    return new RouteDetail(route, typeof record.type === 'string' ? record.type : 'unknown', stops);
  }
}

interface Item {
  id: string;
  display_name: string;
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
  return list as Item[];
}
