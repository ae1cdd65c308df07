// The HNSW vector index (hnswlib-node) with string paper ids, persisted as three files in its
// own directory: the native graph `hnsw-<generation>.bin`, the label map `labels-<generation>.txt`
// (paper id by label, one per line: at 250k ids a split is several times cheaper than JSON.parse
// and zod over an array) and the sidecar `index.json` (provider, parameters, deleted labels, and
// size, mtime and SHA-256 of the other two). Each file is written to a temp name and renamed, and
// the sidecar, replaced last, names the files it describes; stale ones are removed after. A
// version-1 sidecar (labels inside it) still loads; the next save writes the new layout.
// A save with no change since the last one is the caller's to skip (`unsaved`); a load re-hashes
// the graph only when its size or mtime differ from the sidecar's, so a start does not read every
// byte twice (the label file, read whole anyway, is always hashed).
// A load may defer the graph (`deferGraph`): ids, counts and the checksum come from the sidecar,
// and the graph is checked and read by load(), which a write must await first (a daily ingest
// then reads only the graphs it writes).
import { createHash, randomBytes } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { mkdir, readdir, readFile, rename, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import hnswlib from 'hnswlib-node';
import { z } from 'zod';
import { fsyncFile, replaceFileDurably } from './durable-files.ts';
import { GraphFileSearcher, readGraphLayout } from './hnsw-graph-file.ts';
import { LabelTable } from './label-table.ts';
import {
  assertCompatibleVector,
  byScoreThenId,
  type Hit,
  type IndexInfo,
  type VectorIndex,
  type VectorUseOptions,
} from './vector-index.ts';

type NativeIndex = InstanceType<typeof hnswlib.HierarchicalNSW>;
/** The graph an index searches: hnswlib-node's in memory, or a saved file read in place (read-only). */
type Graph = NativeIndex | GraphFileSearcher;

export interface HnswParams {
  /** Graph degree: links per node (twice that on the bottom layer). */
  m: number;
  /** Candidate list size while inserting: build time against graph quality. */
  efConstruction: number;
  /** Candidate list size while searching: query time against recall. */
  efSearch: number;
}

/** Matches PAPERFEED_HNSW_* defaults; see bench/index.bench.ts for the measured trade-offs. */
export const DEFAULT_HNSW_PARAMS: HnswParams = { m: 16, efConstruction: 200, efSearch: 100 };

export interface CreateHnswOptions extends Partial<HnswParams> {
  /** A directory owned by this index: save() removes stale graph files in it. */
  dir: string;
  providerKey: string;
  dimension: number;
  /** Slots allocated up front; the index doubles them when full. */
  initialCapacity?: number;
  /** Seed of hnswlib's level generator, for reproducible graphs. */
  seed?: number;
}

export type LoadHnswResult =
  | { ok: true; index: HnswIndex }
  | { ok: false; reason: 'missing'; message: string }
  | { ok: false; reason: 'corrupt'; message: string }
  | { ok: false; reason: 'provider-mismatch'; message: string; indexProvider: string; expectedProvider: string };

export interface LoadHnswOptions {
  /** Overrides the saved efSearch for this process. */
  efSearch?: number;
  /** Query the graph file in place instead of loading it (read-only; see loadHnswIndex). */
  fromFile?: boolean;
  /** Read the sidecar now and the graph when load() is called (a write must await it first). */
  deferGraph?: boolean;
}

export const SIDECAR_FILE = 'index.json';
const GRAPH_FILE = /^hnsw-[a-z0-9-]+\.bin$/;
const LABELS_FILE = /^labels-[a-z0-9-]+\.txt$/;
const STALE_FILE = /^(hnsw-[a-z0-9-]+\.bin(\.tmp)?|labels-[a-z0-9-]+\.txt(\.tmp)?|index\.json\.[a-z0-9-]+\.tmp)$/;
const DEFAULT_CAPACITY = 1024;

const sha256Hex = z.string().regex(/^[0-9a-f]{64}$/);
const sidecarFields = {
  format: z.literal('paperfeed-hnsw'),
  providerKey: z.string().min(1),
  dimension: z.number().int().positive(),
  params: z.object({
    m: z.number().int().min(2),
    efConstruction: z.number().int().positive(),
    efSearch: z.number().int().positive(),
  }),
  corpusChecksum: z.string().optional(),
  graphFile: z.string().regex(GRAPH_FILE),
  graphBytes: z.number().int().nonnegative(),
  graphSha256: sha256Hex,
  /** The graph file's mtime when saved: equal size and mtime at load spare the SHA-256 pass. */
  graphMtimeMs: z.number().optional(),
  /** Labels marked deleted in the graph. */
  deleted: z.array(z.number().int().nonnegative()),
  savedAt: z.string(),
};
const sidecarSchema = z.discriminatedUnion('version', [
  z.object({
    ...sidecarFields,
    version: z.literal(1),
    /** Paper id by integer label, checked with a loop at load (zod per element cost 0.1-0.2 s at 250k). */
    labels: z.array(z.unknown()),
  }),
  z.object({
    ...sidecarFields,
    version: z.literal(2),
    /** Paper id by integer label, one per line; a removed paper keeps its label so a re-add reuses it. */
    labelsFile: z.string().regex(LABELS_FILE),
    labelCount: z.number().int().nonnegative(),
    labelsBytes: z.number().int().nonnegative(),
    labelsSha256: sha256Hex,
  }),
]);
type Sidecar = z.infer<typeof sidecarSchema>;
/** What the graph checks need of a sidecar, whichever its version. */
type GraphMeta = Pick<Sidecar, 'dimension' | 'graphBytes' | 'graphSha256' | 'graphMtimeMs' | 'deleted'> & { labelCount: number };

/** A write to an index opened to answer queries from its file (`fromFile`). */
export class ReadOnlyIndexError extends Error {
  constructor(dir: string) {
    super(`the vector index in ${dir} was opened read-only, to query it from its files; it cannot be changed`);
    this.name = 'ReadOnlyIndexError';
  }
}

export class IndexBusyError extends Error {
  constructor() {
    super('the vector index is being saved; wait for save() to finish before changing it');
    this.name = 'IndexBusyError';
  }
}

export class HnswIndex implements VectorIndex {
  private directory: string;
  readonly providerKey: string;
  readonly dimension: number;
  readonly params: Readonly<HnswParams>;
  private efSearch: number;
  private labels: string[];
  private labelMap: Map<string, number> | undefined;
  /** The load's table of ids: answers holds() for a shard that is never written, until the map exists. */
  private labelled: LabelTable | undefined;
  private deleted: Set<number>;
  private corpusChecksum: string | undefined;
  private saving: Promise<void> | undefined;
  private changed: boolean;
  private savedGraph: string | undefined;
  private graph: Graph | undefined;
  private readGraph: ((dir: string) => Promise<NativeIndex>) | undefined;
  private loading: Promise<void> | undefined;

  /** Use createHnswIndex or loadHnswIndex. A function for `graph` reads it when load() is called. */
  constructor(
    graph: Graph | ((dir: string) => Promise<NativeIndex>),
    init: {
      dir: string;
      providerKey: string;
      dimension: number;
      params: HnswParams;
      labels?: string[];
      /** The ids of `labels` as a table, when the caller made one (a load checks them with it). */
      labelled?: LabelTable;
      deleted?: number[];
      corpusChecksum?: string;
      /** The graph file this state was loaded from (a loaded index has nothing unsaved). */
      graphFile?: string;
    },
  ) {
    if (typeof graph === 'function') this.readGraph = graph;
    else this.graph = graph;
    this.directory = init.dir;
    this.savedGraph = init.graphFile;
    this.changed = init.graphFile === undefined;
    this.providerKey = init.providerKey;
    this.dimension = init.dimension;
    this.params = { ...init.params };
    this.efSearch = init.params.efSearch;
    this.labels = init.labels ?? [];
    this.labelled = init.labelled;
    this.deleted = new Set(init.deleted);
    this.corpusChecksum = init.corpusChecksum;
  }

  get dir(): string {
    return this.directory;
  }

  private get loadedGraph(): Graph {
    if (!this.graph) throw new Error(`the graph of the vector index in ${this.directory} is not loaded; await load() before using it`);
    return this.graph;
  }

  /** Whether the graph is in memory (a deferred load reads it in load()). */
  get loaded(): boolean {
    return this.graph !== undefined;
  }

  /** Reads a deferred graph (with every check of a load); rejects when it is unusable. */
  load(): Promise<void> {
    if (this.graph) return Promise.resolve();
    // Callers that ask at once share one read; a failed read may be tried again.
    this.loading ??= this.readGraph!(this.directory).then(
      (graph) => {
        this.graph = graph;
        this.readGraph = undefined;
      },
      (err: unknown) => {
        this.loading = undefined;
        throw err;
      },
    );
    return this.loading;
  }

  /**
   * Label by paper id, made on first use: a search reads labels only, and at 1M papers building
   * the map cost a one-shot query (a cold `paperfeed similar`) about a second for nothing.
   */
  private get labelOf(): Map<string, number> {
    if (!this.labelMap) {
      const map = new Map(this.labels.map((id, label) => [id, label]));
      if (map.size !== this.labels.length) {
        throw this.duplicateIds();
      }
      this.labelMap = map;
      this.labelled = undefined;
    }
    return this.labelMap;
  }

  /** Points the index at the directory its files were moved to (by the caller, with the files in it). */
  relocate(dir: string): void {
    this.directory = dir;
  }

  /** Whether anything changed since the last save or load. */
  get unsaved(): boolean {
    return this.changed;
  }

  /** The graph file of the last save or load, if any. */
  get graphFile(): string | undefined {
    return this.savedGraph;
  }

  info(): IndexInfo {
    return {
      providerKey: this.providerKey,
      dimension: this.dimension,
      count: this.labels.length - this.deleted.size,
      ...(this.corpusChecksum === undefined ? {} : { corpusChecksum: this.corpusChecksum }),
    };
  }

  /** Records the store's checksum at this sync; persisted by the next save(). */
  setCorpusChecksum(checksum: string): void {
    if (checksum !== this.corpusChecksum) this.changed = true;
    this.corpusChecksum = checksum;
  }

  /** Changes the search-time candidate list for this process (not persisted). */
  setEfSearch(ef: number): void {
    if (!Number.isInteger(ef) || ef < 1) throw new RangeError(`efSearch must be a positive integer, got ${ef}`);
    this.efSearch = ef;
  }

  get capacity(): number {
    return this.loadedGraph.getMaxElements();
  }

  /** Releases the graph file of an index opened `fromFile` (nothing to do for one in memory). */
  close(): void {
    if (this.graph instanceof GraphFileSearcher) this.graph.close();
  }

  has(id: string): boolean {
    const label = this.labelOf.get(id);
    return label !== undefined && !this.deleted.has(label);
  }

  /** A repeat found by the last check: a load checks for repeats only where it builds a table anyway. */
  private duplicateIds(): Error {
    return new Error(`the label map of the vector index in ${this.directory} has duplicate paper ids; rebuild it with \`paperfeed reindex\``);
  }

  /** Whether the id has a label here, live or deleted: an upsert of it reuses that label. */
  holds(id: string): boolean {
    if (this.labelMap) return this.labelMap.has(id);
    // Asking a shard the day does not write (a new id's hash shard) need not build its map: a
    // table builds in ~20 ms at 250k ids where the map took ~200 ms, and serve asks every shard
    // at its first write after a start (one 0.9 s stall of its event loop at 1M before this).
    if (!this.labelled) {
      const table = LabelTable.build(this.labels);
      if ('repeated' in table) {
        throw this.duplicateIds();
      }
      this.labelled = table;
    }
    return this.labelled.has(id);
  }

  /** Live paper ids, in label order. */
  ids(): string[] {
    return this.labels.filter((_, label) => !this.deleted.has(label));
  }

  upsert(items: { id: string; vector: Float32Array }[], opts?: VectorUseOptions): void {
    this.assertWritable();
    for (const item of items) assertCompatibleVector(this, item.vector, opts);
    const fresh = new Set(items.filter((i) => !this.labelOf.has(i.id)).map((i) => i.id)).size;
    this.ensureCapacity(this.labels.length + fresh);
    for (const { id, vector } of items) {
      const known = this.labelOf.get(id);
      const label = known ?? this.labels.length;
      // hnswlib updates an existing label in place (and revives it if it was marked deleted).
      this.writable.addPoint(Array.from(vector), label);
      if (known === undefined) {
        this.labels.push(id);
        this.labelOf.set(id, label);
      }
      this.deleted.delete(label);
    }
    if (items.length) this.changed = true;
  }

  remove(id: string): void {
    this.assertWritable();
    const label = this.labelOf.get(id);
    if (label === undefined || this.deleted.has(label)) return;
    this.writable.markDelete(label);
    this.deleted.add(label);
    this.changed = true;
  }

  search(vector: Float32Array, k: number, accept?: (id: string) => boolean, opts?: VectorUseOptions): Hit[] {
    assertCompatibleVector(this, vector, opts);
    const live = this.labels.length - this.deleted.size;
    const want = Math.min(Math.floor(k), live);
    if (!(want > 0)) return [];
    const query = Array.from(vector);

    // A throwing filter would abort the process inside hnswlib-node, so errors are caught here
    // and rethrown after the search returns.
    let failure: unknown;
    const labels = this.labels;
    const filter =
      accept &&
      ((label: number): boolean => {
        if (failure !== undefined) return false;
        try {
          return accept(labels[label]!);
        } catch (err) {
          failure = err ?? new Error('accept() threw');
          return false;
        }
      });

    let hits = this.knn(query, want, Math.max(this.efSearch, want), filter);
    if (failure !== undefined) throw failure;
    if (hits.length < want) {
      // The filtered search ran out of reachable candidates. Count what could match and, if more
      // exists, search again with a candidate list as large as the index, then scan exactly.
      const reachable = accept ? this.countAccepted(accept) : live;
      if (reachable > hits.length) {
        hits = this.knn(query, Math.min(want, reachable), this.labels.length, filter);
        if (failure !== undefined) throw failure;
        if (hits.length < Math.min(want, reachable)) hits = this.exactScan(vector, want, accept);
      }
    }
    return hits;
  }

  save(): Promise<void> {
    const run = (this.saving ?? Promise.resolve()).then(() => this.saveNow());
    const tracked = run.finally(() => {
      if (this.saving === tracked) this.saving = undefined;
    });
    this.saving = tracked;
    return tracked;
  }

  private async saveNow(): Promise<void> {
    const newline = this.labels.findIndex((id) => id.includes('\n'));
    if (newline >= 0) throw new Error(`cannot save the vector index in ${this.dir}: paper id ${JSON.stringify(this.labels[newline])} contains a newline`);
    await this.load();
    await mkdir(this.dir, { recursive: true });
    const generation = `${Date.now().toString(36)}-${randomBytes(4).toString('hex')}`;
    const graphFile = `hnsw-${generation}.bin`;
    const graphTmp = join(this.dir, `${graphFile}.tmp`);
    // hnswlib writes without checking stream errors, so the written file is verified before use.
    await this.writable.writeIndex(graphTmp);
    await fsyncFile(graphTmp);
    const structure = await readGraphLayout(graphTmp, this.dimension, this.labels.length);
    if (!structure.ok) throw new Error(`writing the vector index failed: ${structure.problem} in ${graphTmp}`);
    const { bytes, sha256 } = await hashFile(graphTmp);
    // A rename keeps the mtime: what is recorded here is what a later load sees.
    const { mtimeMs } = await stat(graphTmp);
    await rename(graphTmp, join(this.dir, graphFile));
    const labelsFile = `labels-${generation}.txt`;
    const labels = await writeLabels(join(this.dir, labelsFile), this.labels);

    const sidecar: Sidecar = {
      format: 'paperfeed-hnsw',
      version: 2,
      providerKey: this.providerKey,
      dimension: this.dimension,
      params: { ...this.params },
      ...(this.corpusChecksum === undefined ? {} : { corpusChecksum: this.corpusChecksum }),
      graphFile,
      graphBytes: bytes,
      graphSha256: sha256,
      graphMtimeMs: mtimeMs,
      labelsFile,
      labelCount: this.labels.length,
      labelsBytes: labels.bytes,
      labelsSha256: labels.sha256,
      deleted: [...this.deleted].sort((a, b) => a - b),
      savedAt: new Date().toISOString(),
    };
    // The sidecar names its graph and label files, so until it is replaced the previous set stays intact.
    await replaceFileDurably(join(this.dir, SIDECAR_FILE), JSON.stringify(sidecar), join(this.dir, `${SIDECAR_FILE}.${generation}.tmp`));
    for (const name of await readdir(this.dir)) {
      if (STALE_FILE.test(name) && name !== graphFile && name !== labelsFile) await rm(join(this.dir, name), { force: true });
    }
    this.savedGraph = graphFile;
    this.changed = false;
  }

  private assertWritable(): void {
    if (this.saving) throw new IndexBusyError();
  }

  private get writable(): NativeIndex {
    const graph = this.loadedGraph;
    if (graph instanceof GraphFileSearcher) throw new ReadOnlyIndexError(this.dir);
    return graph;
  }

  private ensureCapacity(needed: number): void {
    const capacity = this.writable.getMaxElements();
    if (needed <= capacity) return;
    this.writable.resizeIndex(Math.max(needed, capacity * 2));
  }

  private knn(query: number[], k: number, ef: number, filter?: (label: number) => boolean): Hit[] {
    this.loadedGraph.setEf(ef);
    const { neighbors, distances } = filter ? this.loadedGraph.searchKnn(query, k, filter) : this.loadedGraph.searchKnn(query, k);
    const hits: Hit[] = [];
    for (let i = 0; i < neighbors.length; i++) {
      hits.push({ id: this.labels[neighbors[i]!]!, score: 1 - distances[i]! });
    }
    return hits.sort(byScoreThenId);
  }

  private countAccepted(accept: (id: string) => boolean): number {
    let n = 0;
    for (let label = 0; label < this.labels.length; label++) {
      if (!this.deleted.has(label) && accept(this.labels[label]!)) n++;
    }
    return n;
  }

  /** Last resort for a graph that cannot reach every accepted node: exact cosine over all of them. */
  private exactScan(vector: Float32Array, k: number, accept?: (id: string) => boolean): Hit[] {
    let qn = 0;
    for (let i = 0; i < vector.length; i++) qn += vector[i]! * vector[i]!;
    const hits: Hit[] = [];
    for (let label = 0; label < this.labels.length; label++) {
      const id = this.labels[label]!;
      if (this.deleted.has(label) || (accept && !accept(id))) continue;
      const point = this.loadedGraph.getPoint(label);
      let dotp = 0;
      let pn = 0;
      for (let i = 0; i < point.length; i++) {
        dotp += point[i]! * vector[i]!;
        pn += point[i]! * point[i]!;
      }
      hits.push({ id, score: dotp / Math.sqrt(qn * pn) });
    }
    return hits.sort(byScoreThenId).slice(0, k);
  }
}

/** A new, empty index; nothing is written until save(). */
export function createHnswIndex(opts: CreateHnswOptions): HnswIndex {
  const params: HnswParams = {
    m: opts.m ?? DEFAULT_HNSW_PARAMS.m,
    efConstruction: opts.efConstruction ?? DEFAULT_HNSW_PARAMS.efConstruction,
    efSearch: opts.efSearch ?? DEFAULT_HNSW_PARAMS.efSearch,
  };
  if (!Number.isInteger(opts.dimension) || opts.dimension < 1) {
    throw new RangeError(`dimension must be a positive integer, got ${opts.dimension}`);
  }
  for (const [name, value] of Object.entries(params)) {
    if (!Number.isInteger(value) || value < (name === 'm' ? 2 : 1)) {
      throw new RangeError(`HNSW parameter ${name} must be a positive integer, got ${value}`);
    }
  }
  const native = new hnswlib.HierarchicalNSW('cosine', opts.dimension);
  native.initIndex({
    maxElements: Math.max(1, opts.initialCapacity ?? DEFAULT_CAPACITY),
    m: params.m,
    efConstruction: params.efConstruction,
    randomSeed: opts.seed ?? 100,
  });
  return new HnswIndex(native, { dir: opts.dir, providerKey: opts.providerKey, dimension: opts.dimension, params });
}

/**
 * Opens the index saved in `dir`, or says why it cannot be used. Every file is checked (schema,
 * size, SHA-256, graph structure, label map against the graph) before hnswlib reads it, so a
 * damaged file gives `corrupt` rather than a crash. `fromFile` leaves the graph on disk and
 * answers searches by reading only the records they visit: for a process that runs one query
 * (loading a 250k-paper shard costs a second and 500 MB; one search reads a few MB of it). Such
 * an index is read-only.
 */
export async function loadHnswIndex(
  dir: string,
  expected: { providerKey: string; dimension: number },
  opts: LoadHnswOptions = {},
): Promise<LoadHnswResult> {
  const sidecarPath = join(dir, SIDECAR_FILE);
  const unusable = (at: string, problem: string) => `vector index in ${at} is unusable: ${problem}; rebuild it with \`paperfeed reindex\``;
  const corrupt = (problem: string): LoadHnswResult => ({ ok: false, reason: 'corrupt', message: unusable(dir, problem) });

  let text: string;
  try {
    text = await readFile(sidecarPath, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') {
      return { ok: false, reason: 'missing', message: `no vector index in ${dir} (${SIDECAR_FILE} not found)` };
    }
    return corrupt(`cannot read ${sidecarPath}: ${(err as Error).message}`);
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (err) {
    return corrupt(`${sidecarPath} is not valid JSON (${(err as Error).message})`);
  }
  const parsed = sidecarSchema.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    return corrupt(`${sidecarPath}: ${issue.path.join('.') || '(root)'}: ${issue.message}`);
  }
  const meta = parsed.data;

  if (meta.providerKey !== expected.providerKey || meta.dimension !== expected.dimension) {
    return {
      ok: false,
      reason: 'provider-mismatch',
      indexProvider: meta.providerKey,
      expectedProvider: expected.providerKey,
      message:
        `vector index in ${dir} was built with provider "${meta.providerKey}" (${meta.dimension} dimensions) ` +
        `but the configured provider is "${expected.providerKey}" (${expected.dimension} dimensions); ` +
        'run `paperfeed reindex` to re-embed everything with the configured provider',
    };
  }

  let labels: string[];
  if (meta.version === 1) {
    const notString = meta.labels.findIndex((id) => typeof id !== 'string');
    if (notString >= 0) return corrupt(`${sidecarPath}: labels.${notString}: not a string`);
    labels = meta.labels as string[];
  } else {
    const read = await readLabels(join(dir, meta.labelsFile), meta);
    if (typeof read === 'string') return corrupt(read);
    labels = read;
  }
  const deletedProblem = checkDeleted(meta.deleted, labels.length);
  if (deletedProblem) return corrupt(`${sidecarPath}: ${deletedProblem}`);
  // A version-2 label file matches the checksum of a map save wrote (its ids unique by
  // construction), so a one-query open, which never asks which shard holds an id, skips the table;
  // every other open builds it here (~20 ms at 250k ids) rather than at its first write. A
  // version-1 sidecar has no checksum over its labels, so it is always checked.
  let labelled: LabelTable | undefined;
  if (meta.version === 1 || !opts.fromFile) {
    const table = LabelTable.build(labels);
    if ('repeated' in table) {
      const at = meta.version === 1 ? sidecarPath : join(dir, meta.labelsFile);
      return corrupt(`${at}: label map has duplicate paper ids (${JSON.stringify(table.repeated)})`);
    }
    labelled = table;
  }

  const gmeta: GraphMeta = { ...meta, labelCount: labels.length };
  const graphPath = join(dir, meta.graphFile);
  // A deferred graph is still stat-checked now: a missing or replaced one is found at open.
  const stated = await statGraph(graphPath, gmeta);
  if (typeof stated === 'string') return corrupt(stated);
  let graph: Graph | ((dir: string) => Promise<NativeIndex>);
  if (opts.deferGraph && !opts.fromFile) {
    // Read from wherever the index is by then (relocate() may have moved it).
    graph = async (at) => {
      const read = await readGraph(join(at, meta.graphFile), gmeta);
      if (typeof read === 'string') throw new Error(unusable(at, read));
      return read;
    };
  } else {
    const read = await readGraph(graphPath, gmeta, stated, opts.fromFile === true);
    if (typeof read === 'string') return corrupt(read);
    graph = read;
  }
  const index = new HnswIndex(graph, {
    dir,
    providerKey: meta.providerKey,
    dimension: meta.dimension,
    params: { ...meta.params, efSearch: opts.efSearch ?? meta.params.efSearch },
    labels,
    // Answers holds() until an id map exists (a few MB; the map is built only by a write).
    ...(labelled ? { labelled } : {}),
    deleted: meta.deleted,
    ...(meta.corpusChecksum === undefined ? {} : { corpusChecksum: meta.corpusChecksum }),
    graphFile: meta.graphFile,
  });
  return { ok: true, index };
}

/** The graph file's mtime, or what is wrong with its size. */
async function statGraph(graphPath: string, meta: GraphMeta): Promise<number | string> {
  let size: number;
  let mtimeMs: number;
  try {
    ({ size, mtimeMs } = await stat(graphPath));
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return `graph file ${graphPath} is missing`;
    return `cannot read ${graphPath}: ${(err as Error).message}`;
  }
  if (size !== meta.graphBytes) {
    return `graph file ${graphPath} has ${size} bytes, ${meta.graphBytes} expected (truncated or replaced)`;
  }
  return mtimeMs;
}

/**
 * Checks the graph file against the sidecar (structure, checksum when touched since) and reads it
 * (or, `fromFile`, opens it to be searched in place), or says what is wrong.
 */
async function readGraph(graphPath: string, meta: GraphMeta, stated?: number): Promise<NativeIndex | string>;
async function readGraph(graphPath: string, meta: GraphMeta, stated: number | undefined, fromFile: boolean): Promise<Graph | string>;
async function readGraph(graphPath: string, meta: GraphMeta, stated?: number, fromFile = false): Promise<Graph | string> {
  const mtimeMs = stated ?? (await statGraph(graphPath, meta));
  if (typeof mtimeMs === 'string') return mtimeMs;
  const structure = await readGraphLayout(graphPath, meta.dimension, meta.labelCount);
  if (!structure.ok) return `graph file ${graphPath}: ${structure.problem}`;
  // Untouched since its save (same size and mtime): hashing it again would only cost a full read.
  if (meta.graphMtimeMs === undefined || Math.trunc(mtimeMs) !== Math.trunc(meta.graphMtimeMs)) {
    const { sha256 } = await hashFile(graphPath);
    if (sha256 !== meta.graphSha256) return `graph file ${graphPath} does not match its checksum`;
  }
  let graph: Graph;
  try {
    if (fromFile) {
      graph = new GraphFileSearcher(graphPath, structure.layout, meta.deleted.length > 0);
    } else {
      graph = new hnswlib.HierarchicalNSW('cosine', meta.dimension);
      await graph.readIndex(graphPath);
    }
  } catch (err) {
    return `cannot read ${graphPath}: ${(err as Error).message}`;
  }
  if (graph.getCurrentCount() !== meta.labelCount) {
    return `graph holds ${graph.getCurrentCount()} vectors but the label map has ${meta.labelCount}`;
  }
  return graph;
}

/** What is wrong with the deleted labels, if anything. */
function checkDeleted(deleted: number[], labelCount: number): string | undefined {
  const unique = new Set(deleted);
  if (unique.size !== deleted.length) return 'deleted labels repeat';
  for (const label of unique) {
    if (label >= labelCount) return `deleted label ${label} is outside the label map`;
  }
  return undefined;
}

/** Writes the label map (each id followed by a newline) durably; returns what the sidecar records of it. */
async function writeLabels(path: string, labels: string[]): Promise<{ bytes: number; sha256: string }> {
  const bytes = Buffer.from(labels.length ? `${labels.join('\n')}\n` : '');
  await replaceFileDurably(path, bytes);
  return { bytes: bytes.length, sha256: createHash('sha256').update(bytes).digest('hex') };
}

/**
 * The ids of a version-2 label file, or what is wrong with it. Hashed on every load: the file is
 * read whole anyway and SHA-256 over 3 MB (250k ids) costs a few ms, so no mtime shortcut.
 */
async function readLabels(path: string, meta: { labelCount: number; labelsBytes: number; labelsSha256: string }): Promise<string[] | string> {
  let bytes: Buffer;
  try {
    bytes = await readFile(path);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return `label file ${path} is missing`;
    return `cannot read ${path}: ${(err as Error).message}`;
  }
  if (bytes.length !== meta.labelsBytes) {
    return `label file ${path} has ${bytes.length} bytes, ${meta.labelsBytes} expected (truncated or replaced)`;
  }
  if (createHash('sha256').update(bytes).digest('hex') !== meta.labelsSha256) return `label file ${path} does not match its checksum`;
  const text = bytes.toString('utf8');
  const ids = text === '' ? [] : text.slice(0, -1).split('\n');
  if (ids.length !== meta.labelCount) return `label file ${path} holds ${ids.length} ids, ${meta.labelCount} expected`;
  return ids;
}

async function hashFile(path: string): Promise<{ bytes: number; sha256: string }> {
  const hash = createHash('sha256');
  let bytes = 0;
  for await (const chunk of createReadStream(path, { highWaterMark: 4 << 20 })) {
    hash.update(chunk as Buffer);
    bytes += (chunk as Buffer).length;
  }
  return { bytes, sha256: hash.digest('hex') };
}
