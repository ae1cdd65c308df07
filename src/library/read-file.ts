// The one module of the library import that touches the disk: a library file named on the CLI.
import { readFile, stat } from 'node:fs/promises';
import { basename } from 'node:path';
import { UserError } from '../errors.ts';
import { checkLibrarySize } from './detect.ts';

/** The bytes of a library file, its size checked before it is read. */
export async function readLibraryFile(path: string): Promise<{ name: string; content: Uint8Array }> {
  const name = basename(path);
  let size: number;
  try {
    const s = await stat(path);
    if (!s.isFile()) throw new UserError(`${path} is not a file`);
    size = s.size;
  } catch (err) {
    if (err instanceof UserError) throw err;
    throw new UserError(`cannot read ${path}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
  }
  checkLibrarySize(size, name);
  return { name, content: await readFile(path) };
}
