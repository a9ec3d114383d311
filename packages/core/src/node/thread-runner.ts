// Runs in a pool thread (piscina loads this file): imports the callback's module, calls its export with
// `{ response, content }` and answers with a `ThreadReply`. It never throws, so a rejected task always
// means the thread died.
import { serialize } from 'node:v8';
import { move } from 'piscina';
// The main entry itself, so the callback gets the very `Content` class a user imports from
// '@asynchttp/core' in the same thread.
import { Content } from '../index.js';
import type { ResponseSnapshotData, SerializedError, ThreadReply, ThreadTask } from './thread-task.js';

/** The `response` a thread callback gets: a plain snapshot with `get(name)`. */
export interface ResponseSnapshot extends Readonly<ResponseSnapshotData> {
  /** A header's value by case-insensitive name (repeated fields joined with `', '`), or `undefined`. */
  get(name: string): string | undefined;
}

// Modules this thread has loaded, so a task does not go through the loader's resolution again.
const loaded = new Map<string, Record<string, unknown>>();

export default async function runThreadTask(task: ThreadTask): Promise<ThreadReply | ArrayBuffer> {
  let module = loaded.get(task.href);
  if (module === undefined) {
    try {
      module = (await import(task.href)) as Record<string, unknown>;
    } catch (error) {
      return { kind: 'no-module', detail: describe(error) };
    }
    loaded.set(task.href, module);
  }
  if (!(task.exportName in module)) return { kind: 'no-export', detail: '' };
  const callback = module[task.exportName];
  if (typeof callback !== 'function') return { kind: 'not-function', detail: typeof callback };
  const response = snapshot(task.response);
  const content = new Content(new Uint8Array(task.body), task.contentType);
  let result: unknown;
  try {
    result = await callback({ response, content });
  } catch (error) {
    return { kind: 'threw', error: serializeError(error) };
  }
  let value: Buffer;
  try {
    value = serialize(result);
  } catch (error) {
    return { kind: 'not-cloneable', detail: describe(error) };
  }
  // Moved, not copied: the thread has no further use for it.
  return move(ownBuffer(value)) as ArrayBuffer;
}

function snapshot(data: ResponseSnapshotData): ResponseSnapshot {
  const { headers } = data;
  return Object.freeze({
    ...data,
    get: (name: string) => headers[String(name).toLowerCase()],
  });
}

/** The serialized bytes as a whole ArrayBuffer of their own, so it can be transferred. */
function ownBuffer(bytes: Uint8Array): ArrayBuffer {
  if (bytes.byteOffset === 0 && bytes.byteLength === bytes.buffer.byteLength) {
    return bytes.buffer as ArrayBuffer;
  }
  return bytes.slice().buffer as ArrayBuffer;
}

function cloneable(value: unknown): boolean {
  try {
    serialize(value);
    return true;
  } catch {
    return false;
  }
}

function serializeError(error: unknown): SerializedError {
  if (!(error instanceof Error)) {
    return { name: 'Error', message: describe(error), stack: undefined, props: {}, notError: true };
  }
  const props: Record<string, unknown> = {};
  for (const key of Object.keys(error)) {
    if (key === 'name' || key === 'message' || key === 'stack') continue;
    const value = (error as unknown as Record<string, unknown>)[key];
    if (cloneable(value)) props[key] = value;
  }
  const serialized: SerializedError = {
    name: error.name,
    message: error.message,
    stack: error.stack,
    props,
    notError: false,
  };
  if ('cause' in error && cloneable(error.cause)) serialized.cause = error.cause;
  return serialized;
}

function describe(error: unknown): string {
  if (error instanceof Error) return `${error.name}: ${error.message}`;
  try {
    return String(error);
  } catch {
    return 'a value that cannot be printed';
  }
}
