/**
 * The transit data set the embedded server serves: agencies, their routes, each route's stops. The
 * shape follows proximobus, the public API the original asynchttp examples used:
 *
 * - `GET /agencies.json` → `{ items: [{ id, display_name }] }`
 * - `GET /agencies/<agency>/routes.json` → `{ items: [{ id, display_name }] }`
 * - `GET /agencies/<agency>/routes/<route>.json` → `{ id, display_name, agency_id, type, stops: [{ id, name, lat, lon }] }`
 */

export interface AgencyRecord {
  id: string;
  display_name: string;
}

export interface StopRecord {
  id: string;
  name: string;
  lat: number;
  lon: number;
}

export interface RouteRecord {
  id: string;
  display_name: string;
  agency_id: string;
  type: 'bus' | 'tram' | 'rail' | 'ferry';
  stops: StopRecord[];
}

export interface TransitData {
  agencies: AgencyRecord[];
  /** Routes by agency id, in the order they are listed. */
  routes: Map<string, RouteRecord[]>;
}

/** The seed of the embedded data set, so every run (and every test) sees the same routes. */
export const defaultSeed = 4;

const cities = [
  ['sf-muni', 'San Francisco Muni', 37.77, -122.42],
  ['ac-transit', 'AC Transit', 37.8, -122.27],
  ['bart', 'Bay Area Rapid Transit', 37.75, -122.2],
  ['caltrain', 'Caltrain', 37.44, -122.16],
  ['vta', 'Santa Clara VTA', 37.34, -121.89],
  ['golden-gate', 'Golden Gate Transit', 37.97, -122.53],
] as const;
const streets = [
  'Market',
  'Mission',
  'Geary',
  'Haight',
  'Judah',
  'Taraval',
  'Fillmore',
  'Divisadero',
  'Castro',
  'Church',
  'Valencia',
  'Folsom',
  'Howard',
  'Bryant',
  'Polk',
  'Van Ness',
  'Irving',
  'Noriega',
  'Clement',
  'Balboa',
  'Fulton',
  'Hayes',
  'Oak',
  'Pine',
  'Bush',
  'Sutter',
  'Post',
  'Union',
];
const places = [
  'Downtown',
  'Wharves',
  'Ocean Beach',
  'Civic Center',
  'Airport',
  'University',
  'Harbor',
  'Stadium',
  'Hospital',
  'Park',
  'Transit Center',
  'Marina',
  'Hills',
  'Station',
];
const types = ['bus', 'bus', 'bus', 'tram', 'rail', 'ferry'] as const;

/** mulberry32: a tiny seeded generator, enough to make the data set reproducible. */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** A few agencies and a few hundred routes in total, the same for the same seed. */
export function generateTransitData(seed = defaultSeed): TransitData {
  const random = seededRandom(seed);
  const pick = <T>(list: readonly T[]): T => list[Math.floor(random() * list.length)]!;
  const between = (low: number, high: number): number => low + Math.floor(random() * (high - low + 1));

  const agencies: AgencyRecord[] = [];
  const routes = new Map<string, RouteRecord[]>();
  const agencyCount = between(4, cities.length);
  for (const [id, name, lat, lon] of cities.slice(0, agencyCount)) {
    agencies.push({ id, display_name: name });
    const list: RouteRecord[] = [];
    const routeCount = between(40, 90);
    for (let index = 0; index < routeCount; index++) {
      // Letters for the first few lines, numbers after, as real networks mix both (F, N, 14, 38R).
      const routeId =
        index < 6 ? String.fromCharCode(65 + index) : `${index + 1}${random() < 0.1 ? 'R' : ''}`;
      const stops: StopRecord[] = [];
      const stopCount = between(8, 30);
      for (let stop = 0; stop < stopCount; stop++) {
        stops.push({
          id: `${id}-${routeId}-${stop + 1}`,
          name: `${pick(streets)} St & ${pick(streets)} St`,
          lat: Number((lat + (random() - 0.5) / 5).toFixed(5)),
          lon: Number((lon + (random() - 0.5) / 5).toFixed(5)),
        });
      }
      list.push({
        id: routeId,
        display_name: `${routeId}-${pick(streets)} & ${pick(places)}`,
        agency_id: id,
        type: pick(types),
        stops,
      });
    }
    routes.set(id, list);
  }
  return { agencies, routes };
}

/** How many routes the data set holds, over every agency. */
export function routeCount(data: TransitData): number {
  let count = 0;
  for (const list of data.routes.values()) count += list.length;
  return count;
}
