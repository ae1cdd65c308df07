/**
 * Downloads a chat attachment with its size bounded twice: the size the platform declares is
 * checked before the request, and the body is counted while it arrives (a server that declares
 * less, or no length, is cut off at the limit).
 */
import { UserError } from '../errors.ts';
import { checkLibrarySize, SIZE_LIMIT_TEXT } from './detect.ts';

export interface DownloadOptions {
  /** The file's name, for messages. */
  name: string;
  maxBytes: number;
  /** What the platform says the file's size is. */
  declaredSize?: number;
  headers?: Record<string, string>;
  timeoutMs?: number;
}

export async function downloadBounded(url: string, o: DownloadOptions): Promise<Uint8Array> {
  if (o.declaredSize !== undefined) checkLibrarySize(o.declaredSize, o.name);
  let res: Response;
  try {
    res = await fetch(url, { headers: o.headers ?? {}, signal: AbortSignal.timeout(o.timeoutMs ?? 30_000) });
  } catch (err) {
    throw new UserError(`${o.name} could not be downloaded (${(err as Error).message}); please try again`);
  }
  if (!res.ok) {
    await res.body?.cancel().catch(() => undefined);
    throw new UserError(`${o.name} could not be downloaded (HTTP ${res.status}); please try again`);
  }
  const length = Number(res.headers.get('content-length') ?? Number.NaN);
  if (Number.isFinite(length) && length > o.maxBytes) {
    await res.body?.cancel().catch(() => undefined);
    checkLibrarySize(length, o.name);
  }
  const chunks: Uint8Array[] = [];
  let total = 0;
  const reader = res.body?.getReader();
  while (reader) {
    const { done, value } = await reader.read();
    if (done) break;
    total += value.length;
    if (total > o.maxBytes) {
      await reader.cancel().catch(() => undefined);
      throw new UserError(`${o.name} is larger than declared, over ${SIZE_LIMIT_TEXT} (the download was stopped there); a library file may be at most ${SIZE_LIMIT_TEXT}`);
    }
    chunks.push(value);
  }
  return Buffer.concat(chunks);
}
