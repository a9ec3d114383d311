/**
 * Domain objects whose methods issue further requests from earlier results: agency.routes() from the
 * settled agencies list, route.details() from each settled routes list, all through one Http whose
 * worker limit bounds how many run at once.
 */
import { type CallbackInput, Http, type RequestPromise } from '@asynchttp/core';
import { undiciAdapter } from '@asynchttp/undici';

interface Item {
  id: string;
  display_name: string;
}

class Agency {
  constructor(
    readonly http: Http,
    readonly base: string,
    readonly id: string,
    readonly name: string,
  ) {}

  static list(http: Http, base: string): RequestPromise<Agency[]> {
    return http.request(new URL('agencies.json', base), {
      callback: ({ content }: CallbackInput) =>
        content
          .json<{ items: Item[] }>()
          .items.map((item) => new Agency(http, base, item.id, item.display_name)),
    });
  }

  routes(): RequestPromise<Route[]> {
    return this.http.request(new URL(`agencies/${this.id}/routes.json`, this.base), {
      callback: ({ content }) =>
        content.json<{ items: Item[] }>().items.map((item) => new Route(this, item.id, item.display_name)),
    });
  }
}

class Route {
  constructor(
    readonly agency: Agency,
    readonly id: string,
    readonly name: string,
  ) {}

  details(): RequestPromise<RouteDetail> {
    const { http, base } = this.agency;
    const url = new URL(`agencies/${this.agency.id}/routes/${encodeURIComponent(this.id)}.json`, base);
    return http.request(url, {
      callback: ({ content }) => {
        const { type, stops } = content.json<{ type: string; stops: unknown[] }>();
        // In the worker slot: pending counts this request, so it never exceeds the limit.
        peak = Math.max(peak, http.pending);
        return new RouteDetail(this, type, stops.length);
      },
    });
  }
}

class RouteDetail {
  constructor(
    readonly route: Route,
    readonly type: string,
    readonly stopCount: number,
  ) {}
}

let peak = 0;

export async function main(baseUrl: string, routesPerAgency = 10): Promise<void> {
  const http = new Http({ adapter: undiciAdapter(), maxWorkers: 4 });
  peak = 0;

  const agencies = await Agency.list(http, baseUrl).data;
  // Each agency's routes are requested as soon as the agencies list is in, each route's details as
  // soon as its agency's routes are: the queue holds them all, four run at a time.
  const perAgency = await Promise.all(
    agencies.map(async (agency) => {
      const routes = (await agency.routes().data).slice(0, routesPerAgency);
      return Promise.all(routes.map((route) => route.details().data));
    }),
  );

  let total = 0;
  for (const details of perAgency) {
    if (details.length === 0) continue;
    const longest = details.reduce((a, b) => (b.stopCount > a.stopCount ? b : a));
    const { agency } = longest.route;
    console.log(
      `${agency.id}: ${details.length} routes fetched, longest ${longest.route.id} (${longest.stopCount} stops, ${longest.type})`,
    );
    total += details.length;
  }
  console.log(`route details: ${total}, at most ${peak} running at once (limit ${http.maxWorkers})`);
  await http.close();
}
