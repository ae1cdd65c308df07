// fsync helpers for the index files: a rename is only durable once the file and its directory are.
import { open, rename, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';

export async function fsyncFile(path: string): Promise<void> {
  const handle = await open(path, 'r+');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}

export async function fsyncDir(dir: string): Promise<void> {
  // Makes the renames durable; some platforms cannot open a directory, which is not an error.
  try {
    const handle = await open(dir, 'r');
    try {
      await handle.sync();
    } finally {
      await handle.close();
    }
  } catch {
    /* best effort */
  }
}

/** Replaces `path` with `content` all at once: a crash leaves the old content or the new, never a mix. */
export async function replaceFileDurably(path: string, content: string | Uint8Array, tmp = `${path}.tmp`): Promise<void> {
  await writeFile(tmp, content);
  await fsyncFile(tmp);
  await rename(tmp, path);
  await fsyncDir(dirname(path));
}
