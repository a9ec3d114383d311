export { undiciAdapter } from './adapter.js';
export type { UndiciAdapterOptions } from './options.js';
