import { test } from 'vitest';
import type { AdapterCase } from './cases.js';

/** Per-case bound: each case talks to a loopback server; the slowest reads a few MiB. */
export const caseTimeout = 10_000;

/**
 * Registers conformance case `id`, or skips it when the adapter says why (`reason`): a skip carries its
 * reason in the test title and prints it, so a capability gap is never silent.
 */
export function caseTest(
  adapter: string,
  id: AdapterCase,
  title: string,
  reason: string | undefined,
  fn: () => Promise<void>,
): void {
  if (reason === undefined) {
    test(`${id}: ${title}`, fn, caseTimeout);
    return;
  }
  console.warn(`[adapter-tests] ${adapter}: skipping "${id}": ${reason}`);
  test.skip(`${id}: ${title} (skipped: ${reason})`, fn);
}
