/**
 * Papers from a file or a directory tree, streamed: `.txt` is a Hugging Face page copy, `.jsonl`,
 * `.ndjson` and `.json` are JSON Lines, the arXiv metadata snapshot or a JSON array (see
 * file-formats.ts). Other files, and folders that cannot be read, are reported as skipped.
 *
 * The position after each chunk is the file and the byte offset of the next line, so an
 * interrupted backfill resumes where it stopped, whatever the file size.
 */
import { readdir, stat } from 'node:fs/promises';
import { extname, join, resolve, sep } from 'node:path';
import { z } from 'zod';
import { describeFilter } from './arxiv-filter.ts';
import { lineReaderFor, SUPPORTED_EXTENSIONS, type FormatOptions } from './file-formats.ts';
import { readLines, type LineStart } from './lines.ts';
import { collectSource, type PaperSource, type SourceBatch, type SourceChunk, type SourceIssue } from './source.ts';
import { emptyBatch, issue } from './validate.ts';

export { SUPPORTED_EXTENSIONS } from './file-formats.ts';

export interface FileSourceOptions extends FormatOptions {
  /**
   * paperfeed's data dir: never read as papers. A folder source holding it passes over it (its
   * index keeps paper ids in .txt files, which read as page copies); a source inside it is refused.
   */
  dataDir?: string;
}

const positionSchema = z.object({
  file: z.string(),
  offset: z.number().int().nonnegative(),
  line: z.number().int().nonnegative(),
});
export type FilePosition = z.infer<typeof positionSchema>;

interface ListedFile {
  path: string;
  size: number;
}

/** A source reading a file, or every file under a directory (sorted, recursively). */
export function readFileSource(path: string, options: FileSourceOptions = {}): PaperSource {
  const filters = describeFilter(options.filter ?? {});
  return {
    name: `file:${path}`,
    resumeKey: `file:${resolve(path)}|format=${options.format ?? 'auto'}${filters ? `|${filters}` : ''}`,
    check: async () => {
      await checkPath(path);
      refuseDataDir(path, options.dataDir);
    },
    // A position that does not parse (written by another version) means reading from the start.
    read: (from) => readFiles(path, options, positionSchema.safeParse(from).data),
  };
}

/** Reads a whole file or folder into one batch (small inputs and tests). Throws only if `path` cannot be read at all. */
export function readPaperFiles(path: string, options: FileSourceOptions = {}): Promise<SourceBatch> {
  return collectSource(readFileSource(path, options));
}

async function checkPath(path: string) {
  try {
    return await stat(path);
  } catch (error) {
    throw new Error(`cannot read ${path}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`);
  }
}

function refuseDataDir(path: string, dataDir: string | undefined): void {
  if (dataDir && within(resolve(path), resolve(dataDir))) {
    throw new Error(`cannot read ${path}: it is in paperfeed's data dir ${dataDir} (PAPERFEED_DATA_DIR), which holds the store and the index, not papers`);
  }
}

const within = (path: string, dir: string): boolean => path === dir || path.startsWith(dir + sep);

async function* readFiles(path: string, options: FileSourceOptions, from?: FilePosition): AsyncGenerator<SourceChunk> {
  const info = await checkPath(path);
  refuseDataDir(path, options.dataDir);
  const listing = info.isDirectory() ? await listFiles(path, options.dataDir) : { files: [{ path, size: info.size }], issues: [] };
  const total = listing.files.reduce((n, f) => n + f.size, 0);
  let first = 0;
  let start: LineStart | undefined;
  if (from) {
    const at = listing.files.findIndex((f) => f.path === from.file);
    // A file that is gone or shrank since: its position means nothing any more, read it again.
    if (at >= 0) {
      first = at;
      if (from.offset <= listing.files[at]!.size) start = { offset: from.offset, line: from.line };
    }
  }
  let done = listing.files.slice(0, first).reduce((n, f) => n + f.size, 0);
  // Folders that could not be listed are reported once, on a fresh read.
  if (listing.issues.length && !from) yield { ...emptyBatch(), issues: listing.issues, progress: { done, total, unit: 'bytes' } };
  for (const file of listing.files.slice(first)) {
    for await (const chunk of readOneFile(file, options, start)) {
      yield { ...chunk, progress: { done: done + (chunk.position as FilePosition).offset, total, unit: 'bytes' } };
    }
    start = undefined;
    done += file.size;
  }
}

/** Every file under `dir`, sorted, but those in `skip`; a subfolder that cannot be read is an issue, not the end of the listing. */
async function listFiles(dir: string, skip: string | undefined): Promise<{ files: ListedFile[]; issues: SourceIssue[] }> {
  const skipped = skip === undefined ? undefined : resolve(skip);
  const files: ListedFile[] = [];
  const issues: SourceIssue[] = [];
  const walk = async (at: string): Promise<void> => {
    let entries;
    try {
      entries = await readdir(at, { withFileTypes: true });
    } catch (error) {
      if (at === dir) throw new Error(`cannot read ${dir}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`);
      issues.push(issue(at, `folder skipped: cannot read it (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`));
      return;
    }
    for (const entry of entries.sort((a, b) => a.name.localeCompare(b.name))) {
      const path = join(at, entry.name);
      // Symlinked directories are not followed: they can loop.
      if (entry.isDirectory()) {
        if (resolve(path) !== skipped) await walk(path);
      } else if (entry.isFile() || entry.isSymbolicLink()) files.push({ path, size: await sizeOf(path) });
    }
  };
  await walk(dir);
  return { files, issues };
}

async function sizeOf(path: string): Promise<number> {
  try {
    return (await stat(path)).size;
  } catch {
    return 0; // reported when the file is read
  }
}

async function* readOneFile(file: ListedFile, options: FileSourceOptions, start?: LineStart): AsyncGenerator<SourceChunk> {
  const { path } = file;
  const atStart = { file: path, offset: start?.offset ?? 0, line: start?.line ?? 0 };
  const atEnd = { file: path, offset: file.size, line: 0 };
  const reader = lineReaderFor(extname(path), path, options);
  if (!reader) {
    const ext = extname(path) || 'no extension';
    yield skipped(path, `skipped: unsupported file type (${ext}); expected ${SUPPORTED_EXTENSIONS.join(', ')}`, atEnd);
    return;
  }
  try {
    const info = await stat(path);
    if (!info.isFile()) {
      yield skipped(path, 'skipped: not a regular file', atEnd);
      return;
    }
  } catch (error) {
    yield skipped(path, `cannot read: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`, atEnd);
    return;
  }
  let position: FilePosition = atStart;
  let lastLine = atStart.line;
  let filteredBefore = 0;
  try {
    for await (const lines of readLines(path, start)) {
      const batch = emptyBatch();
      for (const line of lines) reader.line(line, batch);
      const last = lines[lines.length - 1]!;
      lastLine = last.no;
      if (!reader.holding) position = { file: path, offset: last.end, line: last.no };
      yield { ...batch, position, filtered: reader.filtered - filteredBefore };
      filteredBefore = reader.filtered;
    }
  } catch (error) {
    // A read error mid-file (EIO, EACCES) costs the rest of this file, not the other files.
    const batch = emptyBatch();
    reader.end(batch);
    batch.issues.push(issue(path, `cannot read: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`));
    yield { ...batch, position: atEnd };
    return;
  }
  const batch = emptyBatch();
  reader.end(batch);
  const end = { file: path, offset: Math.max(position.offset, file.size), line: lastLine };
  yield { ...batch, position: end, filtered: reader.filtered - filteredBefore };
}

function skipped(path: string, problem: string, position: FilePosition): SourceChunk {
  return { papers: [], issues: [issue(path, problem)], position };
}
