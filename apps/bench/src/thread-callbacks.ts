// The callbacks of the threads scenario (src/threads.ts). The same functions run as plain callbacks on
// the main thread and, through `ThreadPool.callback(<this module>, name)`, in worker threads.
import type { Content } from '@asynchttp/core';

interface StopRecord {
  id: number;
  name: string;
  lat: number;
  lon: number;
  routes: number[];
}

/** What `parseAndWalk` returns: small, so cloning it back costs next to nothing. */
export interface WalkSummary {
  stops: number;
  meanLat: number;
  routes: number;
  longestName: number;
}

/** Parses the JSON body (about 1 MiB in the scenario) and walks every record: several ms of CPU. */
export function parseAndWalk({ content }: { content: Content }): WalkSummary {
  const stops = content.json<StopRecord[]>();
  let lat = 0;
  let routes = 0;
  let longestName = 0;
  for (const stop of stops) {
    lat += stop.lat;
    for (const route of stop.routes) routes += route >= 0 ? 1 : 0;
    if (stop.name.length > longestName) longestName = stop.name.length;
  }
  return { stops: stops.length, meanLat: lat / stops.length, routes, longestName };
}

/** Next to no work: the body's size (the scenario's 1 KiB body). */
export function trivial({ content }: { content: Content }): number {
  return content.byteLength;
}
