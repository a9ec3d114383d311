import { before, type OriginState } from './origin-state.js';

/**
 * The origins that could start a request now, ordered by their next request (priority, then call
 * order): the scheduler starts the head's request, so a full or paused origin never holds up another
 * (no head-of-line blocking). An indexed binary heap: insert, remove and re-order are O(log origins).
 */
export class ReadyHeap {
  readonly #items: OriginState[] = [];

  get size(): number {
    return this.#items.length;
  }

  peek(): OriginState | undefined {
    return this.#items[0];
  }

  has(state: OriginState): boolean {
    return state.heapIndex !== -1;
  }

  /** Adds `state`, or re-orders it when its next request changed. */
  update(state: OriginState): void {
    if (state.heapIndex === -1) {
      state.heapIndex = this.#items.length;
      this.#items.push(state);
      this.#up(state.heapIndex);
    } else {
      this.#down(this.#up(state.heapIndex));
    }
  }

  remove(state: OriginState): void {
    const index = state.heapIndex;
    if (index === -1) return;
    const items = this.#items;
    const last = items.pop()!;
    state.heapIndex = -1;
    if (last === state) return;
    items[index] = last;
    last.heapIndex = index;
    this.#down(this.#up(index));
  }

  #up(index: number): number {
    const items = this.#items;
    const item = items[index]!;
    while (index > 0) {
      const parent = (index - 1) >> 1;
      if (!before(item, items[parent]!)) break;
      items[index] = items[parent]!;
      items[index]!.heapIndex = index;
      index = parent;
    }
    items[index] = item;
    item.heapIndex = index;
    return index;
  }

  #down(index: number): number {
    const items = this.#items;
    const item = items[index]!;
    const length = items.length;
    for (;;) {
      const left = 2 * index + 1;
      if (left >= length) break;
      const right = left + 1;
      const child = right < length && before(items[right]!, items[left]!) ? right : left;
      if (!before(items[child]!, item)) break;
      items[index] = items[child]!;
      items[index]!.heapIndex = index;
      index = child;
    }
    items[index] = item;
    item.heapIndex = index;
    return index;
  }
}
