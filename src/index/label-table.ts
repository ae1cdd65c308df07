// Whether a shard holds a paper id, answered from its label list without a Set: a write-only
// open (a daily ingest opens every shard so) asks each shard about the day's ids, and at 250k ids
// this open-addressing table over label numbers builds in ~20 ms where new Set(ids) took
// 75-240 ms. Building it is also where a repeated id is found.
import { fnv1a } from '../fnv1a.ts';

export class LabelTable {
  private constructor(
    private readonly ids: readonly string[],
    /** Label + 1 by slot (0: empty), at most half full so probes stay short. */
    private readonly slots: Int32Array,
  ) {}

  /** The table of `ids` (label = position), or the first id found twice. */
  static build(ids: readonly string[]): LabelTable | { repeated: string } {
    const slots = new Int32Array(2 ** Math.ceil(Math.log2(Math.max(2, ids.length * 2))));
    const mask = slots.length - 1;
    for (let label = 0; label < ids.length; label++) {
      const id = ids[label]!;
      let slot = fnv1a(id) & mask;
      for (; slots[slot] !== 0; slot = (slot + 1) & mask) {
        if (ids[slots[slot]! - 1] === id) return { repeated: id };
      }
      slots[slot] = label + 1;
    }
    return new LabelTable(ids, slots);
  }

  has(id: string): boolean {
    const mask = this.slots.length - 1;
    for (let slot = fnv1a(id) & mask; this.slots[slot] !== 0; slot = (slot + 1) & mask) {
      if (this.ids[this.slots[slot]! - 1] === id) return true;
    }
    return false;
  }
}
