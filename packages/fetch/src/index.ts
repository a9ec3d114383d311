export { type FetchAdapterOptions, type FetchFunction, fetchAdapter } from './fetch-adapter.js';
