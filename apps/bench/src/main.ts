import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { type Client, clients } from './clients.js';
import { type MeasureOptions, measure, median, type Sample } from './measure.js';
import { type MemorySample, measureMemory, memoryKinds, originsMemoryRequests } from './memory.js';
import { formatMemory, formatTable, formatTargets, machine, type Row, targets, writeJson } from './report.js';
import {
  formatScheduling,
  fullScheduling,
  quickScheduling,
  runScheduling,
  type SchedulingResult,
  schedulingTargets,
} from './scheduling.js';
import { type BenchServer, startServer, type VariantName, variants } from './server.js';

interface Scenario {
  variant: VariantName;
  concurrency: number;
  requests: number;
}

/** The full run: a few minutes on 2 cores. */
const fullPlan: Scenario[] = [
  { variant: 'small', concurrency: 1, requests: 3_000 },
  { variant: 'small', concurrency: 16, requests: 20_000 },
  { variant: 'small', concurrency: 64, requests: 20_000 },
  { variant: 'large', concurrency: 1, requests: 1_000 },
  { variant: 'large', concurrency: 16, requests: 4_000 },
  { variant: 'large', concurrency: 64, requests: 4_000 },
  { variant: 'delayed', concurrency: 64, requests: 10_000 },
];

/** The CI smoke run: proves every client and the memory probe run, in seconds. */
const quickPlan: Scenario[] = [{ variant: 'small', concurrency: 16, requests: 300 }];

const usage = `Usage: node --expose-gc dist/main.js [options]

  --quick            smoke run for CI: N = 300, one round, C = 16, 64 B only, memory N = 20,000,
                     scheduling on 20 origins × 10 requests and a 100 per 100 ms rate limit
  --parts <l>        comma-separated parts to run: throughput, origins, rate, memory (default: all;
                     scheduling means origins and rate)
  --rounds <n>       alternating rounds per scenario (default 3; 1 with --quick)
  --requests <n>     N for every scenario (default: per scenario, see README)
  --concurrency <l>  comma-separated C values to keep, e.g. 64 or 1,16
  --body <l>         comma-separated variants to keep: small (64 B), large (64 KiB), delayed (64 B + 1 ms)
  --only <l>         comma-separated client names (or parts of names) to keep, e.g. "asynchttp + undici"
  --memory-requests <n>  N for the memory part (default 1,000,000; 20,000 with --quick)
  --no-memory        skip the memory part
  --out <path>       JSON results (default results/latest.json; results/quick.tmp.json with --quick)
  --help             this text`;

function list(value: string | undefined): string[] | undefined {
  return value
    ?.split(',')
    .map((part) => part.trim())
    .filter((part) => part !== '');
}

function count(value: string | undefined, name: string): number | undefined {
  if (value === undefined) return undefined;
  const parsed = Number(value.replaceAll('_', ''));
  if (!Number.isSafeInteger(parsed) || parsed <= 0)
    throw new RangeError(`${name} must be a positive integer`);
  return parsed;
}

function options() {
  const { values } = parseArgs({
    options: {
      quick: { type: 'boolean', default: false },
      rounds: { type: 'string' },
      requests: { type: 'string' },
      concurrency: { type: 'string' },
      body: { type: 'string' },
      only: { type: 'string' },
      'memory-requests': { type: 'string' },
      'no-memory': { type: 'boolean', default: false },
      parts: { type: 'string' },
      out: { type: 'string' },
      help: { type: 'boolean', default: false },
    },
    strict: true,
  });
  const quick = values.quick;
  const requests = count(values.requests, '--requests');
  const concurrency = list(values.concurrency)?.map((c) => count(c, '--concurrency')!);
  const bodies = list(values.body);
  for (const body of bodies ?? []) {
    if (!(body in variants)) throw new RangeError(`--body takes ${Object.keys(variants).join(', ')}`);
  }
  const only = list(values.only);
  const parts = (list(values.parts) ?? ['throughput', 'scheduling', 'memory']).flatMap((part) =>
    part === 'scheduling' ? ['origins', 'rate'] : [part],
  );
  for (const part of parts) {
    if (!['throughput', 'origins', 'rate', 'memory'].includes(part)) {
      throw new RangeError('--parts takes throughput, origins, rate, scheduling (both), memory');
    }
  }
  const plan = (quick ? quickPlan : fullPlan)
    .filter((s) => concurrency === undefined || concurrency.includes(s.concurrency))
    .filter((s) => bodies === undefined || bodies.includes(s.variant))
    .map((s) => ({ ...s, requests: requests ?? s.requests }));
  // --concurrency may ask for a C outside the plan: run it with each kept body.
  for (const c of concurrency ?? []) {
    for (const variant of bodies ?? (['small'] as VariantName[])) {
      if (!plan.some((s) => s.concurrency === c && s.variant === variant)) {
        plan.push({ variant: variant as VariantName, concurrency: c, requests: requests ?? 10_000 });
      }
    }
  }
  // A part that is a client's whole name picks that client only; any other part picks every name containing it.
  const picks = (part: string, name: string) =>
    clients.some((client) => client.name === part) ? name === part : name.includes(part);
  const chosen = clients.filter(
    (client) => only === undefined || only.some((part) => picks(part, client.name)),
  );
  if (chosen.length === 0) throw new RangeError(`--only ${values.only} matches no client`);
  return {
    help: values.help,
    quick,
    plan: parts.includes('throughput') ? plan : [],
    scheduling:
      parts.includes('origins') || parts.includes('rate')
        ? {
            plan: quick ? quickScheduling : fullScheduling,
            origins: parts.includes('origins'),
            rate: parts.includes('rate'),
          }
        : undefined,
    clients: chosen,
    rounds: count(values.rounds, '--rounds') ?? (quick ? 1 : 3),
    memoryRequests:
      values['no-memory'] || !parts.includes('memory')
        ? 0
        : (count(values['memory-requests'], '--memory-requests') ?? (quick ? 20_000 : 1_000_000)),
    out:
      values.out === undefined
        ? fileURLToPath(
            new URL(quick ? '../results/quick.tmp.json' : '../results/latest.json', import.meta.url),
          )
        : resolve(values.out),
  };
}

/** Every client, the same N at the same C, in rounds; each round starts from a different client. */
async function runScenario(
  server: BenchServer,
  scenario: Scenario,
  chosen: readonly Client[],
  rounds: number,
): Promise<Row[]> {
  const variant = variants[scenario.variant];
  const label = `${variant.label}, C = ${scenario.concurrency}`;
  const measureOptions: MeasureOptions = {
    url: server.origin + variant.path,
    requests: scenario.requests,
    concurrency: scenario.concurrency,
    bodyBytes: variant.bytes,
    warmup: Math.min(scenario.requests, Math.max(4 * scenario.concurrency, 500)),
    timeoutMs: 120_000,
  };
  const samples = new Map<Client, Sample[]>(chosen.map((client) => [client, []]));
  for (let round = 0; round < rounds; round++) {
    const started = performance.now();
    for (let i = 0; i < chosen.length; i++) {
      const client = chosen[(i + round) % chosen.length]!;
      samples.get(client)!.push(await measure(client, measureOptions));
    }
    const seconds = ((performance.now() - started) / 1000).toFixed(1);
    process.stderr.write(`  ${label}: round ${round + 1}/${rounds} done in ${seconds} s\n`);
  }
  const baseline = chosen.find((client) => client.baseline);
  const baseRate =
    baseline === undefined ? Number.NaN : median(samples.get(baseline)!.map((s) => s.requestsPerSecond));
  return chosen.map((client) => {
    const runs = samples.get(client)!;
    const requestsPerSecond = median(runs.map((s) => s.requestsPerSecond));
    return {
      scenario: label,
      variant: scenario.variant,
      concurrency: scenario.concurrency,
      requests: scenario.requests,
      client: client.name,
      mode: client.mode,
      baseline: client.baseline === true,
      requestsPerSecond,
      cpuMicrosPerRequest: median(runs.map((s) => s.cpuMicrosPerRequest)),
      p50Micros: median(runs.map((s) => s.p50Micros)),
      p99Micros: median(runs.map((s) => s.p99Micros)),
      ratio: requestsPerSecond / baseRate,
      rounds: runs,
    };
  });
}

async function main(): Promise<void> {
  const settings = options();
  if (settings.help) {
    console.log(usage);
    return;
  }
  if ((globalThis as { gc?: unknown }).gc === undefined) {
    process.stderr.write('note: run with node --expose-gc so each client starts from a collected heap\n');
  }
  const info = machine();
  console.log(`asynchttp bench: ${info.cpu}, ${info.cores} cores, Node ${info.node}, ${info.date}`);
  console.log(
    `${settings.plan.length} scenario(s) × ${settings.clients.length} client(s) × ${settings.rounds} round(s)\n`,
  );

  const server = await startServer();
  const stopOnSignal = (signal: NodeJS.Signals) => {
    process.stderr.write(`\n${signal}: stopping the server\n`);
    void server.stop().finally(() => process.exit(130));
  };
  process.once('SIGINT', stopOnSignal);
  process.once('SIGTERM', stopOnSignal);
  const rows: Row[] = [];
  try {
    for (const scenario of settings.plan) {
      rows.push(...(await runScenario(server, scenario, settings.clients, settings.rounds)));
    }
  } finally {
    await server.stop();
  }

  let scheduling: SchedulingResult | undefined;
  if (settings.scheduling !== undefined) {
    const { plan, ...parts } = settings.scheduling;
    scheduling = await runScheduling(plan, settings.rounds, parts);
  }

  const memory: MemorySample[] = [];
  if (settings.memoryRequests > 0) {
    for (const kind of memoryKinds) {
      const requests = kind.includes('origins')
        ? Math.min(settings.memoryRequests, originsMemoryRequests)
        : settings.memoryRequests;
      memory.push(await measureMemory(kind, requests));
    }
  }

  const results = [...targets(rows, memory), ...schedulingTargets(scheduling, memory)];
  if (rows.length > 0) console.log(`\n${formatTable(rows)}`);
  if (scheduling !== undefined) console.log(`\n${formatScheduling(scheduling)}`);
  if (memory.length > 0) console.log(`\n${formatMemory(memory)}`);
  console.log(`\n${formatTargets(results)}`);
  writeJson(settings.out, {
    machine: info,
    settings: {
      quick: settings.quick,
      rounds: settings.rounds,
      plan: settings.plan,
      scheduling: settings.scheduling,
      clients: settings.clients.map((client) => client.name),
      memoryRequests: settings.memoryRequests,
    },
    rows,
    scheduling,
    memory,
    targets: results,
  });
  console.log(`\nResults written to ${settings.out}`);
  process.removeListener('SIGINT', stopOnSignal);
  process.removeListener('SIGTERM', stopOnSignal);
}

main().then(
  // Clients may keep idle sockets (the global fetch's pool): the run is over, so is the process.
  () => process.exit(0),
  (error: unknown) => {
    console.error(error);
    process.exit(1);
  },
);
