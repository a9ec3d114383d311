export { Http } from './http.js';
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
export { Response, type ResponseInit } from './response.js';
export { Content } from './content.js';
export type { Adapter, AdapterFactory, AdapterRequest, AdapterResponse } from './adapter.js';
export type { BodyInit, HeadersInit } from './request.js';
export { debugLogger, type Logger } from './logger.js';
export { defaultTimers, type Timers } from './timers.js';
export * from './errors/index.js';
