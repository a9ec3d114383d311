import type { Callback, Http, RequestPromise } from '@asynchttp/core';
import type { ThreadPool } from '@asynchttp/core/threads';
import {
  type DetailData,
  type Item,
  parseAgencies,
  parseRouteDetail,
  parseRoutes,
  type Stop,
} from './transit-parse.js';

export { type Stop, TransitApiError } from './transit-parse.js';

/**
 * The callbacks that read the transit API's answers (status, JSON, shape) into plain data: a status
 * >= 400, a body that is not JSON, or JSON of the wrong shape all throw `TransitApiError`, which then
 * rejects the request's promise objects where they are read.
 */
export interface TransitParsers {
  agencies: Callback<Item[]>;
  routes: Callback<Item[]>;
  detail: Callback<DetailData>;
}

/** The parsers as plain callbacks: they run on the main thread, in the request's worker slot. */
export const mainThreadParsers: TransitParsers = {
  agencies: parseAgencies,
  routes: parseRoutes,
  detail: parseRouteDetail,
};

/** The same parsers run in a `ThreadPool`'s threads: JSON parsing no longer blocks the event loop. */
export function poolParsers(pool: ThreadPool): TransitParsers {
  const module = new URL('./transit-thread.js', import.meta.url);
  return {
    agencies: pool.callback<Item[]>(module, 'parseAgencies'),
    routes: pool.callback<Item[]>(module, 'parseRoutes'),
    detail: pool.callback<DetailData>(module, 'parseRouteDetail'),
  };
}

/** A callback that parses with `parse`, then makes domain objects of the result, still in the worker slot. */
function building<A, B>(parse: Callback<A>, build: (data: A) => B): Callback<B> {
  return async (input) => build(await parse(input));
}

/** A transit agency, as listed by `/agencies.json`. */
export class Agency {
  constructor(
    readonly id: string,
    readonly name: string,
    /** The API's base URL, where this agency's routes are found. */
    readonly base: URL,
    /** How its answers are read: on the main thread or in a thread pool. */
    readonly parsers: TransitParsers = mainThreadParsers,
  ) {}

  /** Requests `/agencies.json`; the callback makes the `Agency` objects in the worker. */
  static request(http: Http, base: URL, parsers = mainThreadParsers): RequestPromise<Agency[]> {
    return http.request(new URL('agencies.json', base), {
      callback: building(parsers.agencies, (items) =>
        items.map((item) => new Agency(item.id, item.display_name, base, parsers)),
      ),
    });
  }

  /** Requests this agency's routes; the callback makes the `Route` objects in the worker. */
  routes(http: Http): RequestPromise<Route[]> {
    const url = new URL(`agencies/${encodeURIComponent(this.id)}/routes.json`, this.base);
    return http.request(url, {
      callback: building(this.parsers.routes, (items) =>
        items.map((item) => new Route(this, item.id, item.display_name)),
      ),
    });
  }
}

/** A route of an agency, as listed by `/agencies/<agency>/routes.json`. */
export class Route {
  constructor(
    readonly agency: Agency,
    readonly id: string,
    readonly name: string,
  ) {}

  /** `agency/route`, how the report names a route. */
  get key(): string {
    return `${this.agency.id}/${this.id}`;
  }

  /** Requests this route's details and stops; the callback makes the `RouteDetail` in the worker. */
  details(http: Http): RequestPromise<RouteDetail> {
    const path = `agencies/${encodeURIComponent(this.agency.id)}/routes/${encodeURIComponent(this.id)}.json`;
    return http.request(new URL(path, this.agency.base), {
      callback: building(
        this.agency.parsers.detail,
        (detail) => new RouteDetail(this, detail.type, detail.stops),
      ),
    });
  }
}

/** A route with its stops, from `/agencies/<agency>/routes/<route>.json`. */
export class RouteDetail {
  constructor(
    readonly route: Route,
    readonly type: string,
    readonly stops: readonly Stop[],
  ) {}
}
