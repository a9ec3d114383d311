export type { __TYPE__Options } from './adapter.js';
export { __FACTORY__ } from './adapter.js';
