// What crosses between the main thread and a pool thread: one message each way. Shared by
// threads.ts (main thread) and thread-runner.ts (in the thread); types only.

/** A plain copy of a `Response`, as a thread callback gets it (with `get(name)` added in the thread). */
export interface ResponseSnapshotData {
  status: number;
  reason: string;
  version: string;
  headers: Record<string, string>;
  rawHeaders: Array<[string, string]>;
  url: string;
  fromCache: boolean;
  attempts: number;
}

/** The task a thread runs: which export of which module, on which response and body. */
export interface ThreadTask {
  /** The module's `file:` URL, as imported in the thread. */
  href: string;
  exportName: string;
  response: ResponseSnapshotData;
  /** The body's bytes: a copy made for the thread and transferred to it, so never copied again. */
  body: ArrayBuffer;
  contentType: string | undefined;
}

/** An error thrown by a thread callback, in parts that survive the trip. */
export interface SerializedError {
  name: string;
  message: string;
  stack: string | undefined;
  /** Own enumerable properties that could be cloned (the others are left out). */
  props: Record<string, unknown>;
  /** The error's `cause`, when it could be cloned. */
  cause?: unknown;
  /** The thrown value was not an Error (a string, say): rebuilt as an Error with its text as message. */
  notError: boolean;
}

/**
 * What the runner answers when the callback did not return: never a rejection, so a thread task that
 * rejects means the thread itself died. A returned value comes back as an `ArrayBuffer` instead: the
 * result serialized in the thread (`v8.serialize`, the structured-clone algorithm) and transferred, so a
 * result that cannot be cloned is found in the thread, where it does not kill the thread.
 */
export type ThreadReply =
  | { kind: 'threw'; error: SerializedError }
  | { kind: 'no-module' | 'no-export' | 'not-function' | 'not-cloneable'; detail: string };
