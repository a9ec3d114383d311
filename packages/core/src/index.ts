export type { Adapter, AdapterFactory, AdapterRequest, AdapterResponse } from './adapter.js';
export { type AbortTarget, abortTarget } from './attempt.js';
export {
  type CacheEntry,
  type CacheStore,
  MemoryCacheStore,
  type MemoryCacheStoreOptions,
} from './cache/store.js';
export { concatBytes, readStream } from './compression.js';
export { Content } from './content.js';
export * from './errors/index.js';
export { Http } from './http.js';
export type { Interceptor, Send } from './interceptor.js';
export { debugLogger, type Logger } from './logger.js';
export type { CloseOptions, HttpOptions, RequestOptions } from './options.js';
export type {
  Callback,
  CallbackInput,
  ContentPromise,
  DataPromise,
  RequestPromise,
  RequestResult,
  ResponsePromise,
} from './promise-objects.js';
export type { BodyInit, HeadersInit } from './request.js';
export { Response, type ResponseInit } from './response.js';
export type { RetryOptions } from './retry.js';
export type {
  HttpEventName,
  HttpEvents,
  HttpListener,
} from './scheduler/events.js';
export type { OriginLimits, OriginsLimits } from './scheduler/limits.js';
export type { RateLimit } from './scheduler/rate-window.js';
export type { OriginStats } from './scheduler/scheduler.js';
export { defaultTimers, type Timers } from './timers.js';
