import type { Http, RequestPromise } from '@asynchttp/core';
import { Agency, type RouteDetail, type TransitParsers } from './domain.js';

/** Counters the progress display reads while the job runs. */
export interface JobProgress {
  /** Requests issued so far (the total grows as routes are discovered). */
  issued: number;
  done: number;
  failed: number;
}

export interface RequestTiming {
  /** What was requested: `agencies`, `<agency> routes`, or `<agency>/<route>`. */
  label: string;
  /** From `request()` to settled, in ms (queue wait included). */
  ms: number;
  /** Route details only. */
  detail: boolean;
}

export interface JobResult {
  agencies: number;
  routes: number;
  /** Route details fetched, and the stops they hold. */
  details: number;
  stops: number;
  timings: RequestTiming[];
  /** The first failures' messages (at most 5), for the report. */
  failures: string[];
  failed: number;
  wallMs: number;
}

export interface JobOptions {
  /** The transit API, with a trailing slash. */
  base: URL;
  /** Cap on route-detail requests. @default Infinity */
  maxDetails?: number;
  progress?: JobProgress;
  /** How answers are parsed: on the main thread (the default) or in a thread pool (`poolParsers`). */
  parsers?: TransitParsers;
}

/** The agencies list could not be read: nothing else can be requested. */
export class JobError extends Error {
  override name = 'JobError';
}

/**
 * Agencies → routes → route details, through one `Http`: each agency's routes are requested from the
 * settled agencies data, each route's details from its agency's routes data, as soon as each settles.
 * Callbacks build the domain objects inside the workers. Throws `JobError` (with the failure as `cause`)
 * when the agencies list fails; any later failure is counted, not thrown.
 */
export async function runJob(http: Http, options: JobOptions): Promise<JobResult> {
  const { base } = options;
  const maxDetails = options.maxDetails ?? Number.POSITIVE_INFINITY;
  const progress = options.progress ?? { issued: 0, done: 0, failed: 0 };
  const result: JobResult = {
    agencies: 0,
    routes: 0,
    details: 0,
    stops: 0,
    timings: [],
    failures: [],
    failed: 0,
    wallMs: 0,
  };
  const started = performance.now();
  const settled: PromiseLike<void>[] = [];

  // Times each request from request() to settle, and counts it as done or failed once it settles.
  const track = <T>(label: string, detail: boolean, request: RequestPromise<T>): RequestPromise<T> => {
    const issuedAt = performance.now();
    progress.issued++;
    const counted = request.then(
      () => {
        progress.done++;
        result.timings.push({ label, ms: performance.now() - issuedAt, detail });
      },
      (error: unknown) => {
        progress.failed++;
        result.failed++;
        result.timings.push({ label, ms: performance.now() - issuedAt, detail });
        if (result.failures.length < 5) result.failures.push(`${label}: ${message(error)}`);
      },
    );
    settled.push(counted);
    return request;
  };

  const agenciesRequest = track('agencies', false, Agency.request(http, base, options.parsers));
  let agencies: Agency[];
  try {
    agencies = await agenciesRequest.data;
  } catch (error) {
    throw new JobError(message(error), { cause: error });
  }
  result.agencies = agencies.length;

  let detailsIssued = 0;
  const fetchDetails = async (agency: Agency): Promise<void> => {
    // A failed routes list is counted by track(); this agency just has no details to fetch.
    const routes = await track(`${agency.id} routes`, false, agency.routes(http)).data.then(
      (list) => list,
      () => [],
    );
    result.routes += routes.length;
    const pending: Promise<RouteDetail | undefined>[] = [];
    for (const route of routes) {
      if (detailsIssued >= maxDetails) break;
      detailsIssued++;
      const request = track(route.key, true, route.details(http));
      pending.push(
        request.data.then(
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
  // The counters above run in their own reactions; the figures are final only once each has run.
  await Promise.all(settled);
  result.wallMs = performance.now() - started;
  return result;
}

function message(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
