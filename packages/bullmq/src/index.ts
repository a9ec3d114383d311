export { bullmqAdapter } from './adapter.js';
export type {
  BullmqAdapterOptions,
  Connection,
  FleetLimits,
  QueueOptions,
  WorkerOptions,
} from './options.js';
export { FleetWorker, startWorker } from './worker.js';
