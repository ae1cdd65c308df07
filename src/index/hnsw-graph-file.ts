// hnswlib's saved graph file (hnswalg.h saveIndex), read in place. The layout: a 96-byte header
// (size_t fields, then `maxlevel` int32 and `enterpoint_node` uint32 at 48 and 52, `mult` double
// at 80), then `count` fixed-size bottom-layer records (uint16 link count, deleted flag in byte 2,
// maxM0 uint32 links, the vector, the uint64 label), then for each element a uint32 byte count and
// its upper-layer link lists (uint32 count header, maxM uint32 links, per level above 0).
//
// GraphFileSearcher answers searchKnn as hnswlib does (searchKnn, searchBaseLayerST) but keeps only
// the header and the upper layers in memory (a few MB at 250k elements) and reads each bottom-layer
// record a search visits with a positional read. A one-shot query then reads a few thousand records
// instead of the whole graph (2 KB per paper). Reads are synchronous: this is for a process that
// runs one query and exits (the CLI's `similar`/`search`), never for a server's event loop.
import { closeSync, openSync, readSync } from 'node:fs';
import { open } from 'node:fs/promises';

export const HEADER_BYTES = 96;

/** What the header says, with where the upper-layer lists of each element start in `upper`. */
export interface GraphLayout {
  count: number;
  maxElements: number;
  perElement: number;
  dataOffset: number;
  labelOffset: number;
  maxLevel: number;
  enterPoint: number;
  maxM: number;
  maxM0: number;
  /** Every element's uint32 byte count and link lists, as saved. */
  upper: Buffer;
  /** Byte offset in `upper` of each element's first list (after its byte count); -1 when it has none. */
  upperAt: Int32Array;
}

export type LayoutResult = { ok: true; layout: GraphLayout } | { ok: false; problem: string };

/** Reads and checks the header and the whole upper-layer tail against the expected dimension and count. */
export async function readGraphLayout(path: string, dimension: number, count: number): Promise<LayoutResult> {
  const handle = await open(path, 'r');
  try {
    const size = (await handle.stat()).size;
    if (size < HEADER_BYTES) return { ok: false, problem: `file is ${size} bytes, shorter than its header` };
    const header = Buffer.alloc(HEADER_BYTES);
    await handle.read(header, 0, HEADER_BYTES, 0);
    const u64 = (at: number) => Number(header.readBigUInt64LE(at));
    const head = {
      maxElements: u64(8),
      current: u64(16),
      perElement: u64(24),
      labelOffset: u64(32),
      dataOffset: u64(40),
      maxLevel: header.readInt32LE(48),
      enterPoint: header.readUInt32LE(52),
      maxM: u64(56),
      maxM0: u64(64),
    };
    const { current, perElement, labelOffset, dataOffset, maxM, maxM0 } = head;
    if (current !== count) return { ok: false, problem: `holds ${current} vectors, the label map has ${count}` };
    if (head.maxElements < current) return { ok: false, problem: 'header capacity is smaller than its count' };
    if (labelOffset - dataOffset !== dimension * 4) {
      return { ok: false, problem: `vectors are ${(labelOffset - dataOffset) / 4}-dimensional, ${dimension} expected` };
    }
    if (u64(0) !== 0 || dataOffset !== maxM0 * 4 + 4 || perElement !== dataOffset + dimension * 4 + 8 || maxM < 1 || maxM > 10_000) {
      return { ok: false, problem: 'header fields are inconsistent' };
    }
    const linksStart = HEADER_BYTES + current * perElement;
    if (linksStart + 4 * current > size) return { ok: false, problem: 'file is truncated' };
    if (size - linksStart > 0x7fff_ffff) return { ok: false, problem: 'upper layers are larger than 2 GB' };
    const upper = Buffer.alloc(size - linksStart);
    await handle.read(upper, 0, upper.length, linksStart);
    const linkRecord = maxM * 4 + 4;
    const upperAt = new Int32Array(current);
    let at = 0;
    for (let i = 0; i < current; i++) {
      if (at + 4 > upper.length) return { ok: false, problem: 'file is truncated' };
      const bytes = upper.readUInt32LE(at);
      if (bytes % linkRecord !== 0) return { ok: false, problem: `element ${i} has a malformed link list` };
      upperAt[i] = bytes ? at + 4 : -1;
      at += 4 + bytes;
    }
    if (at !== upper.length) {
      return { ok: false, problem: at > upper.length ? 'file is truncated' : 'file has trailing bytes' };
    }
    if (current > 0) {
      const entry = head.enterPoint;
      const entryLevels = entry < current && upperAt[entry]! >= 0 ? upper.readUInt32LE(upperAt[entry]! - 4) / linkRecord : 0;
      if (entry >= current || head.maxLevel !== entryLevels) return { ok: false, problem: 'header entry point is inconsistent' };
    }
    const layout: GraphLayout = { count: current, ...head, upper, upperAt };
    return { ok: true, layout };
  } finally {
    await handle.close();
  }
}

/** A graph file that turned out unreadable mid-search (changed under us, or damaged past what the checks see). */
export class GraphFileError extends Error {
  constructor(path: string, problem: string) {
    super(`vector index graph ${path} is unusable: ${problem}; rebuild it with \`paperfeed reindex\``);
    this.name = 'GraphFileError';
  }
}

/** Bottom-layer records kept between searches of one process (2 KB each at 512 dimensions). */
const CACHED_RECORDS = 1 << 15;
/** Records read into one allocation: a fresh 2 KB buffer per record cost more than its read. */
const SLAB_RECORDS = 256;

/**
 * The search side of hnswlib-node's HierarchicalNSW (cosine space) over a saved graph file, with the
 * same answers: the query is normalized as hnswlib-node does, distance is 1 - dot, deleted elements
 * are traversed but never returned, and `filter` is asked about labels as hnswlib asks it.
 */
export class GraphFileSearcher {
  private fd: number | undefined;
  private ef = 10;
  private readonly records = new Map<number, Uint8Array>();
  private slab = new Uint8Array(0);
  private slabUsed = 0;
  private readonly visited: Uint32Array;
  private visitTag = 0;
  private internalOf: Map<number, number> | undefined;

  /** `layout` is readGraphLayout's for this file: its checks are not repeated here. */
  constructor(
    readonly path: string,
    private readonly layout: GraphLayout,
    /** Whether any element is marked deleted (hnswlib's num_deleted_): it decides the stop rule. */
    private readonly hasDeleted: boolean,
  ) {
    this.fd = openSync(path, 'r');
    this.visited = new Uint32Array(layout.count);
  }

  getCurrentCount(): number {
    return this.layout.count;
  }

  getMaxElements(): number {
    return this.layout.maxElements;
  }

  setEf(ef: number): void {
    this.ef = ef;
  }

  close(): void {
    if (this.fd !== undefined) closeSync(this.fd);
    this.fd = undefined;
    this.records.clear();
  }

  searchKnn(query: ArrayLike<number>, k: number, filter?: (label: number) => boolean): { neighbors: number[]; distances: number[] } {
    const { count, maxLevel, maxM, upper, upperAt } = this.layout;
    if (count === 0) return { neighbors: [], distances: [] };
    const q = normalized(query);
    let current = this.layout.enterPoint;
    let currentDist = this.distance(q, current);
    for (let level = maxLevel; level > 0; level--) {
      for (let changed = true; changed; ) {
        changed = false;
        const at = upperAt[current]! + (level - 1) * (maxM * 4 + 4);
        if (upperAt[current]! < 0 || at + 4 > upper.length) throw new GraphFileError(this.path, `element ${current} lacks level ${level}`);
        const size = upper.readUInt16LE(at);
        if (size > maxM) throw new GraphFileError(this.path, `element ${current} has ${size} links at level ${level}`);
        for (let i = 0; i < size; i++) {
          const candidate = upper.readUInt32LE(at + 4 + 4 * i);
          const d = this.distance(q, candidate);
          if (d < currentDist) {
            currentDist = d;
            current = candidate;
            changed = true;
          }
        }
      }
    }
    const top = this.searchBottom(current, q, Math.max(this.ef, k), filter, !this.hasDeleted && !filter);
    while (top.size > k) top.pop();
    const neighbors: number[] = new Array(top.size);
    const distances: number[] = new Array(top.size);
    for (let i = top.size - 1; i >= 0; i--) {
      distances[i] = top.topKey();
      neighbors[i] = this.label(top.pop());
    }
    return { neighbors, distances };
  }

  /** The stored (normalized) vector of a label. */
  getPoint(label: number): Float32Array {
    const internal = label < this.layout.count && this.label(label) === label ? label : this.findInternal(label);
    if (internal === undefined) throw new GraphFileError(this.path, `label ${label} is not in the graph`);
    return this.vector(internal).slice();
  }

  /** searchBaseLayerST: a beam of `ef` over the bottom layer from `entry`. */
  private searchBottom(entry: number, q: Float32Array, ef: number, filter: ((label: number) => boolean) | undefined, bareBone: boolean): Heap {
    const top = new Heap(true);
    const candidates = new Heap(false);
    const tag = this.nextVisitTag();
    const counts = (id: number) => bareBone || (!this.deleted(id) && (!filter || filter(this.label(id))));
    let lowerBound: number;
    if (counts(entry)) {
      const d = this.distance(q, entry);
      lowerBound = d;
      top.push(d, entry);
      candidates.push(d, entry);
    } else {
      lowerBound = Infinity;
      candidates.push(Infinity, entry);
    }
    this.visited[entry] = tag;
    const { count, maxM0 } = this.layout;
    while (candidates.size > 0) {
      const candidateDist = candidates.topKey();
      if (candidateDist > lowerBound && (bareBone || top.size === ef)) break;
      const node = candidates.pop();
      const record = this.record(node);
      const links = new Uint32Array(record.buffer, record.byteOffset, 1 + maxM0);
      const size = links[0]! & 0xffff;
      if (size > maxM0) throw new GraphFileError(this.path, `element ${node} has ${size} bottom-layer links`);
      for (let j = 1; j <= size; j++) {
        const id = links[j]!;
        if (id >= count) throw new GraphFileError(this.path, `element ${node} links to ${id}, beyond its ${count} elements`);
        if (this.visited[id] === tag) continue;
        this.visited[id] = tag;
        const d = this.distance(q, id);
        if (top.size < ef || lowerBound > d) {
          candidates.push(d, id);
          if (counts(id)) top.push(d, id);
          while (top.size > ef) top.pop();
          if (top.size > 0) lowerBound = top.topKey();
        }
      }
    }
    return top;
  }

  private nextVisitTag(): number {
    if (++this.visitTag === 0xffff_ffff) {
      this.visited.fill(0);
      this.visitTag = 1;
    }
    return this.visitTag;
  }

  private distance(q: Float32Array, id: number): number {
    const v = this.vector(id);
    let dot = 0;
    for (let i = 0; i < q.length; i++) dot += q[i]! * v[i]!;
    return 1 - dot;
  }

  private vector(id: number): Float32Array {
    const record = this.record(id);
    const { dataOffset, labelOffset } = this.layout;
    return new Float32Array(record.buffer, record.byteOffset + dataOffset, (labelOffset - dataOffset) / 4);
  }

  private deleted(id: number): boolean {
    return (this.record(id)[2]! & 1) !== 0;
  }

  private label(id: number): number {
    const record = this.record(id);
    const view = new DataView(record.buffer, record.byteOffset + this.layout.labelOffset, 8);
    return view.getUint32(0, true) + view.getUint32(4, true) * 2 ** 32;
  }

  /** The bottom-layer record of an element, read at its offset on first use. */
  private record(id: number): Uint8Array {
    const cached = this.records.get(id);
    if (cached) return cached;
    if (this.fd === undefined) throw new Error(`the vector index graph ${this.path} was closed`);
    const { perElement } = this.layout;
    if (this.slabUsed + perElement > this.slab.length) {
      this.slab = new Uint8Array(perElement * SLAB_RECORDS);
      this.slabUsed = 0;
    }
    const record = this.slab.subarray(this.slabUsed, this.slabUsed + perElement);
    const read = readSync(this.fd, record, 0, perElement, HEADER_BYTES + id * perElement);
    if (read !== perElement) throw new GraphFileError(this.path, `element ${id} is cut short (file truncated?)`);
    this.slabUsed += perElement;
    if (this.records.size >= CACHED_RECORDS) this.records.clear();
    this.records.set(id, record);
    return record;
  }

  /** Labels equal element numbers in the graphs HnswIndex writes; anything else is looked up once by a scan. */
  private findInternal(label: number): number | undefined {
    if (!this.internalOf) {
      this.internalOf = new Map();
      for (let id = 0; id < this.layout.count; id++) this.internalOf.set(this.label(id), id);
    }
    return this.internalOf.get(label);
  }
}

/** The query as hnswlib-node normalizes it for the cosine space: a float32 norm, float32 quotients. */
function normalized(query: ArrayLike<number>): Float32Array {
  const q = Float32Array.from(query);
  let sum = 0;
  for (let i = 0; i < q.length; i++) sum = Math.fround(sum + Math.fround(q[i]! * q[i]!));
  const norm = Math.fround(Math.sqrt(Math.abs(sum)));
  if (norm > 0) for (let i = 0; i < q.length; i++) q[i] = q[i]! / norm;
  return q;
}

/** A binary heap of (distance, element) pairs: the largest distance on top when `max`, else the smallest. */
class Heap {
  private keys: number[] = [];
  private ids: number[] = [];

  constructor(private readonly max: boolean) {}

  get size(): number {
    return this.keys.length;
  }

  topKey(): number {
    return this.keys[0]!;
  }

  push(key: number, id: number): void {
    const { keys, ids } = this;
    let i = keys.length;
    keys.push(key);
    ids.push(id);
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (!this.above(key, keys[parent]!)) break;
      keys[i] = keys[parent]!;
      ids[i] = ids[parent]!;
      i = parent;
    }
    keys[i] = key;
    ids[i] = id;
  }

  /** Removes the top pair and returns its element. */
  pop(): number {
    const { keys, ids } = this;
    const top = ids[0]!;
    const lastKey = keys.pop()!;
    const lastId = ids.pop()!;
    const n = keys.length;
    if (n === 0) return top;
    let i = 0;
    for (;;) {
      let child = 2 * i + 1;
      if (child >= n) break;
      if (child + 1 < n && this.above(keys[child + 1]!, keys[child]!)) child++;
      if (!this.above(keys[child]!, lastKey)) break;
      keys[i] = keys[child]!;
      ids[i] = ids[child]!;
      i = child;
    }
    keys[i] = lastKey;
    ids[i] = lastId;
    return top;
  }

  private above(a: number, b: number): boolean {
    return this.max ? a > b : a < b;
  }
}
