import type { Http } from '@asynchttp/core';
import { Agency, type RouteDetail, transitCallback } from './domain.js';

export interface JobResult {
  agencies: number;
  routes: number;
  /** Route details fetched, and the stops they hold. */
  details: number;
  stops: number;
  wallMs: number;
}

export interface JobOptions {
  /** The transit API, with a trailing slash. */
  base: URL;
  /** Cap on route-detail requests. @default Infinity */
  maxDetails?: number;
}

/** The agencies list could not be read: nothing else can be requested. */
export class JobError extends Error {
  override name = 'JobError';
}

/**
 * Agencies → routes → route details, through one `Http`: each agency's routes are requested from the
 * settled agencies data, each route's details from its agency's routes data, as soon as each settles.
 * Callbacks build the domain objects inside the workers. Throws `JobError` (with the failure as `cause`)
 * when the agencies list fails; a later failure only leaves its data out (the client's `failed` events
 * and `stats()` count it: see `RunRecorder`).
 */
export async function runJob(http: Http, options: JobOptions): Promise<JobResult> {
  const { base } = options;
  const maxDetails = options.maxDetails ?? Number.POSITIVE_INFINITY;
  const result: JobResult = { agencies: 0, routes: 0, details: 0, stops: 0, wallMs: 0 };
  const started = performance.now();

  const agenciesUrl = new URL('agencies.json', base);
  const agenciesRequest = http.request(agenciesUrl, {
    callback: transitCallback((json, where) => Agency.list(json, base, where)),
  });
  let agencies: Agency[];
  try {
    agencies = await agenciesRequest.data;
  } catch (error) {
    throw new JobError(message(error), { cause: error });
  }
  result.agencies = agencies.length;

  let detailsIssued = 0;
  const fetchDetails = async (agency: Agency): Promise<void> => {
    // A failed routes list is counted by the client's events; this agency just has no details to fetch.
    const routes = await agency.routes(http).data.then(
      (list) => list,
      () => [],
    );
    result.routes += routes.length;
    const pending: Promise<RouteDetail | undefined>[] = [];
    for (const route of routes) {
      if (detailsIssued >= maxDetails) break;
      detailsIssued++;
      pending.push(
        route.details(http).data.then(
          (detail) => {
            result.details++;
            result.stops += detail.stops.length;
            return detail;
          },
          () => undefined,
        ),
      );
    }
    await Promise.all(pending);
  };
  await Promise.all(agencies.map(fetchDetails));
  result.wallMs = performance.now() - started;
  return result;
}

function message(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
