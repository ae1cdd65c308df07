// The vector index as a set of HNSW shards: a build puts every paper id in one shard by a hash of
// the id, searches ask every shard and merge. Shards exist so that a rebuild can use every core
// (hnswlib-node inserts on one thread; see build-shards.ts); one shard behaves like a single graph.
//
// Papers added to a built set (loaded or committed) go to an open shard after the hashed ones
// instead of their hash shard, so a daily ingest writes one small graph, not every shard; a paper
// already in the set stays where its label is. With `deferGraph` a load reads only the sidecars
// (ids, counts, checksums) and a shard's graph is read when a write touches it (prepare()); a
// rebuild partitions everything by hash again, which folds the open shards in.
//
// On disk: `<dir>/shards.json` (how many shards, how many of them are hashed when some are open,
// what they hold, the corpus checksum of the set and the graph file of each shard) and one
// HnswIndex directory per shard, `<dir>/shard-<i>/`. A save writes only the shards that changed,
// then the manifest: a shard whose graph file is not the one the manifest names was saved by an
// interrupted save, and the set then reads as stale (an open shard a manifest does not count yet
// is not read at all).
//
// Several processes share one directory (serve, a CLI ingest, a CLI reindex). Each set a build
// makes carries a random generation id in its manifest; a save refuses to write over a set with
// another id (IndexReplacedError): that set was built since by another process, which replaced
// the whole directory, and this process's in-memory set is the older one.
import { randomBytes } from 'node:crypto';
import { readdir, readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { z } from 'zod';
import { replaceFileDurably } from './durable-files.ts';
import {
  createHnswIndex,
  DEFAULT_HNSW_PARAMS,
  type HnswIndex,
  type HnswParams,
  loadHnswIndex,
  type LoadHnswOptions,
  type LoadHnswResult,
} from './hnsw-index.ts';
import { fnv1a } from '../fnv1a.ts';
import { byScoreThenId, type Hit, type IndexInfo, type VectorIndex, type VectorUseOptions } from './vector-index.ts';

export const MANIFEST_FILE = 'shards.json';
export const MAX_SHARDS = 64;
/** An open shard takes new papers until it holds this many; then the next one opens. */
export const OPEN_SHARD_CAP = 100_000;
const SHARD_DIR = /^shard-(\d+)$/;
/** What an unsharded index of earlier versions left in the directory. */
const LEGACY_FILE = /^(index\.json|hnsw-[a-z0-9-]+\.bin)$/;

const manifestSchema = z.object({
  format: z.literal('paperfeed-hnsw-shards'),
  /** 2 when some shard is open: a release that knows only 1 reads the set as unusable and rebuilds it, rather than routing new ids by hash over the open shards too. */
  version: z.union([z.literal(1), z.literal(2)]),
  shards: z.number().int().min(1).max(MAX_SHARDS),
  providerKey: z.string().min(1),
  dimension: z.number().int().positive(),
  /** Absent in manifests of earlier releases: then the shards' own checksums must agree. */
  corpusChecksum: z.string().optional(),
  graphFiles: z.array(z.string()).optional(),
  /** Shards partitioned by hash; those after them are open. Absent: every shard is hashed. */
  hashed: z.number().int().min(1).max(MAX_SHARDS).optional(),
  /** The build that made this set; absent in sets of earlier releases. */
  generation: z.string().min(1).max(64).optional(),
}).refine((m) => m.hashed === undefined || m.hashed <= m.shards, { message: 'more hashed shards than shards', path: ['hashed'] });
type Manifest = z.infer<typeof manifestSchema>;

export const shardDir = (dir: string, shard: number): string => join(dir, `shard-${shard}`);

/** The shard a paper id lives in: FNV-1a of the id, so it never changes for a given count. */
export function shardOf(id: string, shards: number): number {
  return fnv1a(id) % shards;
}

/** The set on disk is not the one this process holds: another process built and swapped in a new one. */
export class IndexReplacedError extends Error {
  constructor(dir: string, readonly onDisk: string | undefined) {
    super(`the vector index in ${dir} was replaced by another generation (${onDisk ?? 'unnamed'}); this one is not written over it`);
    this.name = 'IndexReplacedError';
  }
}

const newGeneration = (): string => `${Date.now().toString(36)}-${randomBytes(4).toString('hex')}`;

export class ShardedIndex implements VectorIndex {
  private committed: string | undefined;
  /** The build that made this set (manifest `generation`); undefined for a set of an earlier release. */
  readonly generation: string | undefined;
  /** Shards partitioned by hash: shards[0..hashed). Those after are open. */
  readonly hashed: number;
  /** New ids go to an open shard (a built set) rather than to their hash shard (a set being built). */
  private readonly appends: boolean;
  private readonly openShardCap: number;

  /** Use createShardedIndex, loadShardedIndex or commitShards. */
  constructor(
    private directory: string,
    readonly shards: HnswIndex[],
    private corpusChecksum: string | undefined = agreedChecksum(shards),
    layout: { hashed?: number; appends?: boolean; openShardCap?: number; generation?: string } = {},
  ) {
    if (shards.length < 1) throw new RangeError('a sharded index needs at least one shard');
    this.generation = layout.generation;
    this.hashed = layout.hashed ?? shards.length;
    this.appends = layout.appends ?? false;
    this.openShardCap = layout.openShardCap ?? OPEN_SHARD_CAP;
  }

  get dir(): string {
    return this.directory;
  }

  /** Points the set at the directory its files were moved to (the caller moved them). */
  relocate(dir: string): void {
    this.directory = dir;
    this.shards.forEach((s, i) => s.relocate(shardDir(dir, i)));
  }

  get providerKey(): string {
    return this.shards[0]!.providerKey;
  }

  get dimension(): number {
    return this.shards[0]!.dimension;
  }

  info(): IndexInfo {
    const first = this.shards[0]!.info();
    return {
      providerKey: first.providerKey,
      dimension: first.dimension,
      count: this.shards.reduce((n, s) => n + s.info().count, 0),
      ...(this.corpusChecksum === undefined ? {} : { corpusChecksum: this.corpusChecksum }),
    };
  }

  /** Recorded in the manifest (and in the sidecars of the shards the next save writes anyway). */
  setCorpusChecksum(checksum: string): void {
    this.corpusChecksum = checksum;
  }

  setEfSearch(ef: number): void {
    for (const s of this.shards) s.setEfSearch(ef);
  }

  has(id: string): boolean {
    return this.holder(id)?.has(id) ?? false;
  }

  /** Reads the graphs that writing (upsert or remove) these ids will touch, if deferred. */
  async prepare(ids: Iterable<string>): Promise<void> {
    const touched = new Set<HnswIndex>();
    for (const id of ids) {
      // A new id with no open shard to take it opens one, which needs no reading.
      const shard = this.holder(id) ?? (this.appends ? this.openShard() : this.shards[shardOf(id, this.hashed)]);
      if (shard) touched.add(shard);
    }
    await Promise.all([...touched].map((s) => s.load()));
  }

  /** Reads every deferred graph (a search needs them all). */
  async loadAll(): Promise<void> {
    await Promise.all(this.shards.map((s) => s.load()));
  }

  ids(): string[] {
    return this.shards.flatMap((s) => s.ids());
  }

  upsert(items: { id: string; vector: Float32Array }[], opts?: VectorUseOptions): void {
    const groups = new Map<HnswIndex, { id: string; vector: Float32Array }[]>();
    for (const item of items) {
      const shard = this.holder(item.id) ?? this.newHome(item.id);
      const group = groups.get(shard);
      if (group) group.push(item);
      else groups.set(shard, [item]);
    }
    for (const [shard, group] of groups) shard.upsert(group, opts);
  }

  remove(id: string): void {
    this.holder(id)?.remove(id);
  }

  search(vector: Float32Array, k: number, accept?: (id: string) => boolean, opts?: VectorUseOptions): Hit[] {
    if (this.shards.length === 1) return this.shards[0]!.search(vector, k, accept, opts);
    // Each shard's own top k holds every hit of the global top k that lives in that shard.
    const hits = this.shards.flatMap((s) => s.search(vector, k, accept, opts));
    return hits.sort(byScoreThenId).slice(0, Math.max(0, k));
  }

  /**
   * Writes the shards that changed since their last save, then the manifest if it changed; nothing
   * at all when the directory holds another generation now (IndexReplacedError).
   */
  async save(): Promise<void> {
    const changed = this.shards.filter((s) => s.unsaved);
    const onDisk = await savedGeneration(this.dir);
    if (onDisk && onDisk.generation !== this.generation) throw new IndexReplacedError(this.dir, onDisk.generation);
    for (const s of changed) if (this.corpusChecksum !== undefined) s.setCorpusChecksum(this.corpusChecksum);
    await Promise.all(changed.map((s) => s.save()));
    this.saves.shardWrites += changed.length;
    if (JSON.stringify(manifestOf(this)) !== this.committed) await this.commit();
  }

  /** Files written by save() so far: what a daily save costs is the shards the day touched. */
  readonly saves = { shardWrites: 0, manifestWrites: 0 };

  /**
   * Writes the manifest atomically, then removes shards beyond its count and files of the
   * unsharded layout.
   */
  async commit(): Promise<void> {
    const manifest = manifestOf(this);
    await replaceFileDurably(join(this.dir, MANIFEST_FILE), JSON.stringify(manifest));
    this.saves.manifestWrites++;
    this.committed = JSON.stringify(manifest);
    for (const name of await readdir(this.dir)) {
      const shard = SHARD_DIR.exec(name);
      if ((shard && Number(shard[1]) >= this.shards.length) || LEGACY_FILE.test(name)) {
        await rm(join(this.dir, name), { recursive: true, force: true });
      }
    }
  }

  /** Releases the graph files of shards opened `fromFile`. */
  close(): void {
    for (const s of this.shards) s.close();
  }

  /** @internal a loaded set: its manifest is on disk already. */
  markCommitted(manifest: Manifest): void {
    this.committed = JSON.stringify(manifest);
  }

  /** The shard where the id has a label (live or deleted), if any. */
  private holder(id: string): HnswIndex | undefined {
    const hashed = this.shards[shardOf(id, this.hashed)]!;
    if (hashed.holds(id)) return hashed;
    for (let i = this.hashed; i < this.shards.length; i++) if (this.shards[i]!.holds(id)) return this.shards[i];
    return undefined;
  }

  /** The open shard that takes new ids now, if one exists and has room. */
  private openShard(): HnswIndex | undefined {
    const last = this.shards.at(-1)!;
    if (!this.appends || this.shards.length === this.hashed) return undefined;
    return last.info().count < this.openShardCap || this.shards.length >= MAX_SHARDS ? last : undefined;
  }

  /** Where an id no shard holds goes: its hash shard while building, else the open shard (opened if need be). */
  private newHome(id: string): HnswIndex {
    if (!this.appends) return this.shards[shardOf(id, this.hashed)]!;
    const open = this.openShard();
    if (open) return open;
    const first = this.shards[0]!;
    const shard = createHnswIndex({
      ...first.params,
      dir: shardDir(this.dir, this.shards.length),
      providerKey: first.providerKey,
      dimension: first.dimension,
      seed: 100 + this.shards.length,
    });
    this.shards.push(shard);
    return shard;
  }
}

export interface CreateShardedOptions extends Partial<HnswParams> {
  /** A directory owned by this index. */
  dir: string;
  providerKey: string;
  dimension: number;
  shards: number;
  /** Slots per shard allocated up front; shards grow when full. */
  initialCapacity?: number;
  seed?: number;
}

export function checkShardCount(shards: number): void {
  if (!Number.isInteger(shards) || shards < 1 || shards > MAX_SHARDS) {
    throw new RangeError(`shard count must be an integer from 1 to ${MAX_SHARDS}, got ${shards}`);
  }
}

/** A new, empty sharded index; nothing is written until save(). */
export function createShardedIndex(opts: CreateShardedOptions): ShardedIndex {
  checkShardCount(opts.shards);
  const { shards, seed = 100, ...rest } = opts;
  return new ShardedIndex(
    opts.dir,
    Array.from({ length: shards }, (_, i) =>
      createHnswIndex({ ...DEFAULT_HNSW_PARAMS, ...rest, dir: shardDir(opts.dir, i), seed: seed + i }),
    ),
    undefined,
    { generation: newGeneration() },
  );
}

type LoadShardedFailure = Exclude<LoadHnswResult, { ok: true }>;
export type LoadShardedResult = { ok: true; index: ShardedIndex } | LoadShardedFailure;

/**
 * Opens the sharded index saved in `dir`, or says why it cannot be used (missing, corrupt, built
 * with another provider). Every shard gets loadHnswIndex's full checks; `fromFile` opens them all
 * to be queried from their files (read-only). `oneAtATime` reads the shards one after another, for
 * a process already serving queries: hnswlib reads a graph on a libuv thread, and four reads at
 * once (2.1 GB at 1M) held a busy event loop off both cores for 0.3-1.3 s, one at a time for at
 * most 0.19 s (bench/adoption-loop.ts; the four took 12-15 s against 17-23 s).
 */
export async function loadShardedIndex(
  dir: string,
  expected: { providerKey: string; dimension: number },
  opts: LoadHnswOptions & { openShardCap?: number; oneAtATime?: boolean } = {},
): Promise<LoadShardedResult> {
  const read = await readManifest(dir);
  if (!read.ok) return read;
  const { manifest } = read;
  const dirs = Array.from({ length: manifest.shards }, (_, i) => shardDir(dir, i));
  const loaded: LoadHnswResult[] = [];
  if (opts.oneAtATime) {
    for (const at of dirs) {
      const r = await loadHnswIndex(at, expected, opts);
      loaded.push(r);
      if (!r.ok) break;
    }
  } else {
    loaded.push(...(await Promise.all(dirs.map((at) => loadHnswIndex(at, expected, opts)))));
  }
  const shards: HnswIndex[] = [];
  for (const [i, r] of loaded.entries()) {
    if (r.ok) {
      shards.push(r.index);
      continue;
    }
    for (const other of loaded) if (other.ok) other.index.close();
    // A shard of the manifest's count that is absent means the set is damaged, not empty.
    return r.reason === 'missing' ? corrupt(dir, `shard ${i} of ${manifest.shards} is missing (${r.message})`) : r;
  }
  // A shard saved after the manifest was written (an interrupted save) does not describe its corpus.
  const checksum = manifest.graphFiles
    ? shards.every((s, i) => s.graphFile === manifest.graphFiles![i])
      ? manifest.corpusChecksum
      : undefined
    : agreedChecksum(shards);
  const index = new ShardedIndex(dir, shards, checksum, {
    hashed: manifest.hashed ?? manifest.shards,
    appends: true,
    ...(opts.openShardCap === undefined ? {} : { openShardCap: opts.openShardCap }),
    ...(manifest.generation === undefined ? {} : { generation: manifest.generation }),
  });
  index.markCommitted(manifest);
  return { ok: true, index };
}

/** The checksum every shard records, if they agree (sets saved before the manifest held one). */
function agreedChecksum(shards: readonly HnswIndex[]): string | undefined {
  const checksum = shards[0]?.info().corpusChecksum;
  return shards.every((s) => s.info().corpusChecksum === checksum) ? checksum : undefined;
}

function manifestOf(index: ShardedIndex): Manifest {
  const checksum = index.info().corpusChecksum;
  return {
    format: 'paperfeed-hnsw-shards',
    version: index.hashed < index.shards.length ? 2 : 1,
    shards: index.shards.length,
    providerKey: index.providerKey,
    dimension: index.dimension,
    ...(checksum === undefined ? {} : { corpusChecksum: checksum }),
    graphFiles: index.shards.map((s) => s.graphFile ?? ''),
    // Written only when some shard is open, so a set without one reads as it did before.
    ...(index.hashed < index.shards.length ? { hashed: index.hashed } : {}),
    ...(index.generation === undefined ? {} : { generation: index.generation }),
  };
}

/**
 * The generation and provider of the set saved in `dir` (generation undefined for a set of an
 * earlier release), or undefined when no usable manifest is there: a cheap look at whether
 * another process replaced the set.
 */
export async function savedGeneration(dir: string): Promise<{ generation: string | undefined; providerKey: string } | undefined> {
  const read = await readManifest(dir);
  return read.ok ? { generation: read.manifest.generation, providerKey: read.manifest.providerKey } : undefined;
}

/** The manifest saved in `dir`, or why there is none to use (missing, unreadable, invalid). */
async function readManifest(dir: string): Promise<{ ok: true; manifest: Manifest } | LoadShardedFailure> {
  const path = join(dir, MANIFEST_FILE);
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') {
      return { ok: false, reason: 'missing', message: `no vector index in ${dir} (${MANIFEST_FILE} not found)` };
    }
    return corrupt(dir, `cannot read ${path}: ${(err as Error).message}`);
  }
  try {
    const parsed = manifestSchema.safeParse(JSON.parse(text));
    if (!parsed.success) {
      const issue = parsed.error.issues[0]!;
      return corrupt(dir, `${path}: ${issue.path.join('.') || '(root)'}: ${issue.message}`);
    }
    return { ok: true, manifest: parsed.data };
  } catch (err) {
    return corrupt(dir, `${path} is not valid JSON (${(err as Error).message})`);
  }
}

function corrupt(dir: string, problem: string): LoadShardedFailure {
  return {
    ok: false,
    reason: 'corrupt',
    message: `vector index in ${dir} is unusable: ${problem}; rebuild it with \`paperfeed reindex\``,
  };
}

/** Makes shards already saved in `dir` (by save() or by build workers) the index. */
export async function commitShards(dir: string, shards: HnswIndex[], corpusChecksum?: string): Promise<ShardedIndex> {
  const index = new ShardedIndex(dir, shards, corpusChecksum ?? agreedChecksum(shards), { appends: true, generation: newGeneration() });
  await index.commit();
  return index;
}
