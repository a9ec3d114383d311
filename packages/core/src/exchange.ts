import type { Adapter, AdapterResponse } from './adapter.js';
import { AttemptRequest } from './attempt.js';
import type { CacheLookup, HttpCache } from './cache/http-cache.js';
import { decodeBody, parseCodings } from './compression.js';
import { Content } from './content.js';
import { type Answer, type Credentials, parseChallenges } from './credentials.js';
import { isAsyncHttpError } from './errors/async-http-error.js';
import { ConnectionError } from './errors/connection-error.js';
import { DecompressionError } from './errors/decompression-error.js';
import { failureReason } from './errors/failure-reason.js';
import { ResponseTooLargeError } from './errors/response-too-large-error.js';
import { TimeoutError } from './errors/timeout-error.js';
import { errorMessage } from './format-error.js';
import type { Logger } from './logger.js';
import { type RequestTask, RUNNING } from './promise-objects.js';
import { type Hop, nextHop, type RedirectRules, shouldFollow } from './redirects.js';
import { parseUrl } from './request.js';
import { Response } from './response.js';
import { backoff, isDroppedConnection, neverRetried, type RetryPolicy, retriesError } from './retry.js';
import type { Timers } from './timers.js';

/** What the pipeline needs from its `Http`; `rules` is read live, so property changes apply at once. */
export interface ExchangeContext {
  readonly adapter: Adapter;
  readonly timers: Timers;
  readonly maxResponseBytes: number;
  readonly maxCompressionRatio: number;
  readonly rules: RedirectRules;
  readonly credentials: Credentials;
  readonly logger: Logger;
  /** The HTTP cache, when the client has one. */
  readonly cache: HttpCache | undefined;
  /** `forceExceptionToStatusCode`, read live: a forced failure must reach the worker, not settle early. */
  readonly forced: boolean;
}

/** A settled exchange: the final response and its content. */
export interface Exchanged {
  response: Response;
  content: Content;
}

/**
 * One request, inside its worker slot: every redirect hop, cache lookup, retry and credential round
 * trip runs here, so a request holds exactly one slot from start to end. `offline` answers only from
 * the cache (fresh entries and remembered redirects) and gives `undefined` as soon as a hop would need
 * the network: that is how fresh hits are served without taking a worker slot.
 */
export async function exchange(
  task: RequestTask<any>,
  context: ExchangeContext,
  offline?: false,
): Promise<Exchanged>;
export async function exchange(
  task: RequestTask<any>,
  context: ExchangeContext,
  offline: true,
): Promise<Exchanged | undefined>;
export async function exchange(
  task: RequestTask<any>,
  context: ExchangeContext,
  offline = false,
): Promise<Exchanged | undefined> {
  const { cache } = context;
  let hop: Hop = { url: parseUrl(task.url), method: task.method, headers: task.headers, body: task.body };
  let previous: Response | undefined;
  let redirectsLeft = task.redirections;
  for (;;) {
    let exchanged: Exchanged | undefined;
    let lookup: CacheLookup | undefined;
    if (cache !== undefined) {
      lookup = await cache.lookup(hop, previous);
      if (lookup.kind === 'fresh' || lookup.kind === 'redirect') {
        exchanged = { response: lookup.response, content: lookup.content };
        log(
          task,
          context,
          `${lookup.kind === 'fresh' ? 'fresh' : 'permanent redirect'} from cache: ${hop.url.href}`,
        );
      } else if (lookup.kind === 'miss' && lookup.onlyIfCached) {
        return gatewayTimeout(hop, previous);
      }
    }
    if (exchanged === undefined) {
      if (offline) return undefined;
      if (cache !== undefined && hop.method !== 'GET' && hop.method !== 'HEAD') {
        hop = await guardUpdate(cache, hop);
        await cache.invalidate(hop.url);
      }
      const sent = lookup?.kind === 'stale' ? { ...hop, headers: lookup.headers } : hop;
      exchanged = await attempts(task, context, sent, previous);
      if (cache !== undefined) {
        exchanged = await cache.update(hop, lookup, exchanged.response, exchanged.content);
      }
    }
    const { response } = exchanged;
    if (!shouldFollow(response.status, hop.method, context.rules)) return exchanged;
    const next = nextHop(hop, response, exchanged.content, redirectsLeft);
    if (next === undefined) return exchanged;
    log(task, context, `redirect ${response.status} → ${next.method} ${next.url.href}`);
    redirectsLeft--;
    previous = response;
    hop = next;
  }
}

/** httplib2's lost-update guard: PUT and PATCH carry `If-Match` with the stored ETag. */
async function guardUpdate(cache: HttpCache, hop: Hop): Promise<Hop> {
  if (hop.method !== 'PUT' && hop.method !== 'PATCH') return hop;
  if (hop.headers.some(([name]) => name === 'if-match')) return hop;
  const etag = await cache.etag(hop.url);
  return etag === undefined ? hop : { ...hop, headers: withHeader(hop.headers, 'if-match', etag) };
}

/** `only-if-cached` with nothing usable stored: a 504 made here, without a network call. */
function gatewayTimeout(hop: Hop, previous: Response | undefined): Exchanged {
  const body = new TextEncoder().encode('Gateway Timeout: nothing usable in the cache (only-if-cached)');
  return {
    response: new Response({
      status: 504,
      reason: 'Gateway Timeout',
      rawHeaders: [['content-type', 'text/plain']],
      url: hop.url.href,
      previous,
    }),
    content: new Content(body, 'text/plain'),
  };
}

/** One hop: sends, answers a 401 with credentials, retries by the policy, then decodes the body. */
async function attempts(
  task: RequestTask<any>,
  context: ExchangeContext,
  hop: Hop,
  previous: Response | undefined,
): Promise<Exchanged> {
  const { credentials, timers } = context;
  const policy: RetryPolicy = task.retry;
  let headers = hop.headers;
  let authorization = credentials.size === 0 ? undefined : credentials.upFront(hop.url, hop.method);
  if (authorization !== undefined) {
    headers = withHeader(headers, 'authorization', credentials.header(authorization, hop.url, hop.method));
  }
  let answered: Answer | undefined;
  let tried: Set<string> | undefined;
  let sent = 0;
  let retries = 0;
  let droppedRetried = false;
  for (;;) {
    sent++;
    let result: AdapterResponse;
    // One attempt through the adapter, bounded by the request's timeout.
    const attempt = new AttemptRequest(hop.url, hop.method, headers, hop.body, context.maxResponseBytes);
    task.controller = attempt;
    const timer = Number.isFinite(task.timeout)
      ? timers.setTimeout(() => timedOut(task, context, attempt), task.timeout)
      : undefined;
    try {
      // When a timeout does not settle the request itself (a retry or a forced 408 follows), the attempt
      // must end on abort even if the adapter ignores its signal; otherwise the adapter's own settling
      // is awaited, with no extra promise on the common path.
      const sending = context.adapter.send(attempt);
      result = await (timer !== undefined && (context.forced || task.retry.onTimeout)
        ? endOnAbort(sending, attempt)
        : sending);
      checkAdapterResponse(result, context.adapter.name);
    } catch (failure) {
      const error = adapterFailure(failure, attempt, context.adapter.name);
      if (task.state !== RUNNING) throw error;
      if (!droppedRetried && isDroppedConnection(error) && policy.methods.includes(hop.method)) {
        droppedRetried = true;
        log(task, context, `retrying once on a dropped connection: ${(error as Error).message}`);
        continue;
      }
      if (retries < policy.limit && retriesError(policy, hop.method, error)) {
        retries++;
        await pause(task, timers, backoff(policy, retries, undefined, Date.now())!);
        log(task, context, `retry ${retries}/${policy.limit} after ${(error as Error).name}`);
        continue;
      }
      throw error;
    } finally {
      if (timer !== undefined) timers.clearTimeout(timer);
      task.controller = undefined;
    }
    if (result.status === 401 && credentials.size > 0) {
      tried ??= new Set();
      const values = headerValues(result.headers, 'www-authenticate');
      const answer = credentials.answer(parseChallenges(values), hop.url, hop.method, tried);
      if (answer !== undefined) {
        if (authorization !== undefined) credentials.forget(authorization);
        authorization = undefined;
        answered = answer;
        headers = withHeader(headers, 'authorization', answer.header);
        log(task, context, `answering a ${answer.authorization.scheme} challenge`);
        continue;
      }
    }
    if (result.status !== 401) {
      const earned = answered?.authorization ?? authorization;
      if (earned !== undefined) {
        credentials.remember(earned);
        credentials.nextNonce(earned, headerValue(result.headers, 'authentication-info'));
      }
    } else if (authorization !== undefined) {
      credentials.forget(authorization);
    }
    if (
      retries < policy.limit &&
      policy.statusCodes.includes(result.status) &&
      policy.methods.includes(hop.method)
    ) {
      const wait = backoff(policy, retries + 1, headerValue(result.headers, 'retry-after'), Date.now());
      if (wait !== undefined) {
        retries++;
        await pause(task, timers, wait);
        log(task, context, `retry ${retries}/${policy.limit} after status ${result.status}`);
        continue;
      }
    }
    return settleBody(result, context, hop, previous, sent);
  }
}

/** `sending`, or the abort reason as soon as `attempt` is aborted; a late result is dropped, handled. */
function endOnAbort<T>(sending: Promise<T>, attempt: AttemptRequest): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    if (attempt.aborted) reject(attempt.reason);
    else attempt.addEventListener('abort', () => reject(attempt.reason));
    Promise.resolve(sending).then(resolve, reject);
  });
}

function timedOut(task: RequestTask<any>, context: ExchangeContext, attempt: AttemptRequest): void {
  const { method, url } = attempt;
  const error = new TimeoutError(`Request timed out after ${task.timeout} ms: ${method} ${url.href}`, {
    request: { method, url: url.href },
  });
  attempt.abort(error);
  // Settle at once, even if the adapter is slow to give up, unless a retry or a forced 408 follows.
  if (!context.forced && (!task.retry.onTimeout || task.retry.limit === 0)) task.fail(error);
}

/** Decodes the body unless the adapter did (never for HEAD), checks its size, builds the response. */
function settleBody(
  result: AdapterResponse,
  context: ExchangeContext,
  hop: Hop,
  previous: Response | undefined,
  attempts: number,
): Exchanged | Promise<Exchanged> {
  const encoding = headerValue(result.headers, 'content-encoding');
  if (encoding === undefined || hop.method === 'HEAD' || result.body.byteLength === 0) {
    return finish(result, result.body, context, hop, previous, attempts, undefined);
  }
  if (result.decoded) return finish(result, result.body, context, hop, previous, attempts, encoding);
  const codings = parseCodings(encoding);
  if (codings === undefined) return finish(result, result.body, context, hop, previous, attempts, undefined);
  const limits = { maxBytes: context.maxResponseBytes, maxRatio: context.maxCompressionRatio };
  return decodeBody(result.body, codings, limits).then(
    (body) => finish(result, body, context, hop, previous, attempts, encoding),
    (error: unknown) => {
      if (!(error instanceof DecompressionError)) throw error;
      const response = makeResponse(result, hop, previous, attempts, undefined);
      throw new DecompressionError(error.message, {
        cause: error.cause,
        response,
        content: new Content(result.body, response.get('content-type')),
      });
    },
  );
}

function finish(
  result: AdapterResponse,
  body: Uint8Array,
  context: ExchangeContext,
  hop: Hop,
  previous: Response | undefined,
  attempts: number,
  decodedFrom: string | undefined,
): Exchanged {
  if (body.byteLength > context.maxResponseBytes) {
    throw new ResponseTooLargeError(
      `Response body of ${body.byteLength} bytes exceeds maxResponseBytes (${context.maxResponseBytes})`,
      { limit: context.maxResponseBytes },
    );
  }
  const response = makeResponse(result, hop, previous, attempts, decodedFrom);
  return { response, content: new Content(body, headerValue(result.headers, 'content-type')) };
}

function makeResponse(
  result: AdapterResponse,
  hop: Hop,
  previous: Response | undefined,
  attempts: number,
  decodedFrom: string | undefined,
): Response {
  return new Response({
    status: result.status,
    reason: result.reason,
    version: result.version,
    rawHeaders: result.headers,
    // An adapter whose transport followed redirects itself (fetch in a browser) reports where it ended.
    url: typeof result.url === 'string' ? result.url : hop.url.href,
    previous,
    attempts,
    decodedFrom,
  });
}

/** Waits `ms` inside the worker slot; a cancel or close wakes it at once. */
function pause(task: RequestTask<any>, timers: Timers, ms: number): Promise<void> {
  return new Promise<void>((resolve) => {
    const handle = timers.setTimeout(() => {
      task.wake = undefined;
      resolve();
    }, ms);
    task.wake = () => {
      timers.clearTimeout(handle);
      task.wake = undefined;
      resolve();
    };
  }).then(() => {
    if (task.state !== RUNNING) throw task.error;
  });
}

function log(task: RequestTask<any>, context: ExchangeContext, message: string): void {
  if (task.queuedAt !== 0) context.logger.debug(`#${task.id} ${message}`);
}

function withHeader(headers: Hop['headers'], name: string, value: string): Hop['headers'] {
  const out: Hop['headers'] = headers.filter(([key]) => key !== name);
  out.push([name, value]);
  return out;
}

/** The first value of a header, by lower-case name, from raw pairs. */
export function headerValue(
  pairs: ReadonlyArray<readonly [string, string]>,
  name: string,
): string | undefined {
  for (const [key, value] of pairs) {
    if (key.length === name.length && key.toLowerCase() === name) return value;
  }
  return undefined;
}

/** Every value of a header, by lower-case name, from raw pairs. */
export function headerValues(pairs: ReadonlyArray<readonly [string, string]>, name: string): string[] {
  const values: string[] = [];
  for (const [key, value] of pairs) {
    if (key.length === name.length && key.toLowerCase() === name) values.push(value);
  }
  return values;
}

/** Core's error for whatever the adapter threw: the abort reason wins, foreign errors are wrapped. */
function adapterFailure(error: unknown, attempt: AttemptRequest, adapter: string): unknown {
  if (attempt.aborted && isAsyncHttpError(attempt.reason)) return attempt.reason;
  if (isAsyncHttpError(error)) return error;
  return new ConnectionError(`The ${adapter} adapter failed: ${failureReason(error)}`, { cause: error });
}

function checkAdapterResponse(result: AdapterResponse, adapter: string): void {
  if (
    typeof result !== 'object' ||
    result === null ||
    !Number.isInteger(result.status) ||
    result.status < 100 ||
    result.status > 999 ||
    !Array.isArray(result.headers) ||
    !(result.body instanceof Uint8Array)
  ) {
    // A broken adapter answers the same way every time: retrying would only multiply the failure.
    throw neverRetried(
      new ConnectionError(
        `The ${adapter} adapter returned an invalid response (needs an integer status, header pairs and a Uint8Array body)`,
      ),
    );
  }
}
