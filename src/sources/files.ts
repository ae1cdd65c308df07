/**
 * Papers from a file or a directory tree: `.txt` is a Hugging Face page copy, `.jsonl`, `.ndjson`
 * and `.json` are JSON Lines / a JSON array. Other files are reported as skipped. Bytes are decoded
 * as strict UTF-8; a line with invalid bytes costs only the paper(s) on it.
 */
import { readdir, readFile, stat } from 'node:fs/promises';
import { extname, join } from 'node:path';
import type { PaperSource, SourceBatch } from './source.ts';
import { parseHfPage } from './hf-page.ts';
import { parseJsonl } from './jsonl.ts';
import { emptyBatch, issue, mergeBatches, type ParseOptions } from './validate.ts';

export interface FileSourceOptions {
  /** Reference day for year-less dates on Hugging Face pages. */
  now?: Date;
  /** Files larger than this are skipped (reported). */
  maxBytes?: number;
}

const DEFAULT_MAX_BYTES = 100 * 1024 * 1024;

type Parser = (text: string, where: string, options: ParseOptions & FileSourceOptions) => SourceBatch;

const PARSERS: Record<string, Parser> = {
  '.txt': parseHfPage,
  '.jsonl': parseJsonl,
  '.ndjson': parseJsonl,
  '.json': parseJsonl,
};

export const SUPPORTED_EXTENSIONS = Object.keys(PARSERS);

/** A source reading a file, or every file under a directory (see readPaperFiles). */
export function readFileSource(path: string, options: FileSourceOptions = {}): PaperSource {
  return { name: `file:${path}`, read: () => readPaperFiles(path, options) };
}

/** Reads a file, or every file under a directory (sorted, recursively). Throws only if `path` cannot be read at all. */
export async function readPaperFiles(path: string, options: FileSourceOptions = {}): Promise<SourceBatch> {
  let info;
  try {
    info = await stat(path);
  } catch (error) {
    throw new Error(`cannot read ${path}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`);
  }
  if (!info.isDirectory()) return readOneFile(path, options);
  const files = await listFiles(path);
  const batches: SourceBatch[] = [];
  for (const file of files) batches.push(await readOneFile(file, options));
  return mergeBatches(batches);
}

async function listFiles(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { withFileTypes: true });
  const out: string[] = [];
  for (const entry of entries.sort((a, b) => a.name.localeCompare(b.name))) {
    const path = join(dir, entry.name);
    // Symlinked directories are not followed: they can loop.
    if (entry.isDirectory()) out.push(...(await listFiles(path)));
    else if (entry.isFile() || entry.isSymbolicLink()) out.push(path);
  }
  return out;
}

async function readOneFile(path: string, options: FileSourceOptions): Promise<SourceBatch> {
  const parse = PARSERS[extname(path).toLowerCase()];
  if (!parse) {
    const ext = extname(path) || 'no extension';
    return skipped(path, `skipped: unsupported file type (${ext}); expected ${SUPPORTED_EXTENSIONS.join(', ')}`);
  }
  const maxBytes = options.maxBytes ?? DEFAULT_MAX_BYTES;
  let bytes: Buffer;
  try {
    const info = await stat(path);
    if (!info.isFile()) return skipped(path, 'skipped: not a regular file');
    if (info.size > maxBytes) return skipped(path, `skipped: ${info.size} bytes is over the ${maxBytes}-byte limit`);
    bytes = await readFile(path);
  } catch (error) {
    return skipped(path, `cannot read: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`);
  }
  const { text, badLines } = decodeUtf8(bytes);
  return parse(text, path, { ...options, badLines });
}

function skipped(path: string, problem: string): SourceBatch {
  const batch = emptyBatch();
  batch.issues.push(issue(path, problem));
  return batch;
}

const strict = new TextDecoder('utf-8', { fatal: true });
const lossy = new TextDecoder('utf-8');

/**
 * Strict UTF-8 decoding that localizes damage: when the whole does not decode, each line is
 * decoded on its own, and lines that fail are kept lossily (so layouts still line up) and listed.
 */
export function decodeUtf8(bytes: Uint8Array): { text: string; badLines: Set<number> } {
  const badLines = new Set<number>();
  try {
    return { text: strict.decode(bytes), badLines };
  } catch {
    // fall through to line-by-line decoding
  }
  const lines: string[] = [];
  let start = 0;
  for (let i = 0; i <= bytes.length; i++) {
    if (i < bytes.length && bytes[i] !== 0x0a) continue;
    const line = bytes.subarray(start, i);
    try {
      lines.push(strict.decode(line));
    } catch {
      badLines.add(lines.length + 1);
      lines.push(lossy.decode(line));
    }
    start = i + 1;
  }
  return { text: lines.join('\n'), badLines };
}
