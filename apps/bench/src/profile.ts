import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { parseArgs } from 'node:util';

/** The parts of V8's `.cpuprofile` (written by `node --cpu-prof`) that self time needs. */
interface CpuProfile {
  nodes: {
    id: number;
    callFrame: { functionName: string; url: string; lineNumber: number };
    children?: number[];
  }[];
  samples: number[];
  timeDeltas: number[];
}

interface Entry {
  name: string;
  where: string;
  selfMicros: number;
}

const usage = `Usage: node dist/profile.js <file.cpuprofile | directory> [--top 15] [--filter packages/core/dist]

Prints the functions with the most self time in a V8 CPU profile (the newest one of a directory):
overall, and only those whose file path contains --filter (default packages/core/dist).`;

/** Self time per function (name, file and line), summed over every node of the call tree. */
export function selfTimes(profile: CpuProfile): { entries: Entry[]; totalMicros: number } {
  const byNode = new Map(profile.nodes.map((node) => [node.id, node]));
  const self = new Map<string, Entry>();
  let totalMicros = 0;
  for (let i = 0; i < profile.samples.length; i++) {
    const node = byNode.get(profile.samples[i]!);
    const delta = profile.timeDeltas[i] ?? 0;
    if (node === undefined) continue;
    totalMicros += delta;
    const { functionName, url, lineNumber } = node.callFrame;
    const where = url === '' ? '' : `${url.replace(/^file:\/\//, '')}:${lineNumber + 1}`;
    const key = `${functionName}@${where}`;
    const entry = self.get(key) ?? { name: functionName || '(anonymous)', where, selfMicros: 0 };
    entry.selfMicros += delta;
    self.set(key, entry);
  }
  return { entries: [...self.values()].sort((a, b) => b.selfMicros - a.selfMicros), totalMicros };
}

/**
 * Time spent in `filter` code plus the runtime built-ins it calls directly (AbortController, timers,
 * URL parsing, promise jobs it creates are not included): each sample goes to its nearest `filter`
 * frame, unless code of another package (an adapter, undici, p-queue) sits in between.
 */
export function attributed(profile: CpuProfile, filter: string): Entry[] {
  const byNode = new Map(profile.nodes.map((node) => [node.id, node]));
  const parent = new Map<number, number>();
  for (const node of profile.nodes) for (const child of node.children ?? []) parent.set(child, node.id);
  const owner = new Map<number, string | null>();
  const ownerOf = (id: number): string | null => {
    const known = owner.get(id);
    if (known !== undefined) return known;
    const { functionName, url, lineNumber } = byNode.get(id)!.callFrame;
    let result: string | null;
    if (url.includes(filter))
      result = `${functionName || '(anonymous)'}@${url.replace(/^file:\/\//, '')}:${lineNumber + 1}`;
    else if (url.startsWith('file:') || url.startsWith('/')) result = null;
    else {
      const up = parent.get(id);
      result = up === undefined ? null : ownerOf(up);
    }
    owner.set(id, result);
    return result;
  };
  const totals = new Map<string, number>();
  for (let i = 0; i < profile.samples.length; i++) {
    const key = ownerOf(profile.samples[i]!);
    if (key !== null) totals.set(key, (totals.get(key) ?? 0) + (profile.timeDeltas[i] ?? 0));
  }
  return [...totals]
    .map(([key, selfMicros]) => {
      const at = key.indexOf('@');
      return { name: key.slice(0, at), where: key.slice(at + 1), selfMicros };
    })
    .sort((a, b) => b.selfMicros - a.selfMicros);
}

function newest(path: string): string {
  if (!statSync(path).isDirectory()) return path;
  const files = readdirSync(path)
    .filter((name) => name.endsWith('.cpuprofile'))
    .map((name) => join(path, name))
    .sort((a, b) => statSync(b).mtimeMs - statSync(a).mtimeMs);
  if (files[0] === undefined) throw new Error(`no .cpuprofile in ${path}`);
  return files[0];
}

function main(): void {
  const { values, positionals } = parseArgs({
    options: {
      top: { type: 'string', default: '15' },
      filter: { type: 'string', default: 'packages/core/dist' },
    },
    allowPositionals: true,
    // `pnpm cpu-profile -- --requests 50000` hands its extra arguments to this step too: ignore them.
    strict: false,
  });
  if (positionals[0] === undefined) {
    console.log(usage);
    return;
  }
  const file = newest(positionals[0]);
  const top = Number(values.top);
  const filter = String(values.filter);
  const profile = JSON.parse(readFileSync(file, 'utf8')) as CpuProfile;
  const { entries, totalMicros } = selfTimes(profile);
  const share = (micros: number) => `${((100 * micros) / totalMicros).toFixed(1).padStart(5)} %`;
  const ms = (micros: number) => `${(micros / 1000).toFixed(0).padStart(7)} ms`;
  const print = (list: Entry[]) => {
    for (const entry of list) {
      const where = entry.where === '' ? '' : `  ${relative(process.cwd(), entry.where)}`;
      console.log(`${ms(entry.selfMicros)} ${share(entry.selfMicros)}  ${entry.name}${where}`);
    }
  };
  console.log(`${file}: ${(totalMicros / 1000).toFixed(0)} ms sampled\n\nTop ${top} by self time, overall:`);
  print(entries.slice(0, top));
  const mine = entries.filter((entry) => entry.where.includes(filter));
  const mineTotal = mine.reduce((sum, entry) => sum + entry.selfMicros, 0);
  console.log(`\nTop ${top} in ${filter} (${share(mineTotal).trim()} of all samples in total):`);
  print(mine.slice(0, top));
  const owned = attributed(profile, filter);
  const ownedTotal = owned.reduce((sum, entry) => sum + entry.selfMicros, 0);
  console.log(
    `\nTop ${top} in ${filter} with the runtime built-ins they call ` +
      `(${share(ownedTotal).trim()} of all samples in total):`,
  );
  print(owned.slice(0, top));
}

main();
