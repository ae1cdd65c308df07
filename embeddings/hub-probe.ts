// A bounded check that a model can be downloaded, so `auto` can decide quickly and quietly when
// the hub is unreachable instead of letting a model load hang or print errors.

export const DEFAULT_MODEL_HUB = 'https://huggingface.co/';
export const DEFAULT_PROBE_TIMEOUT_MS = 2_500;

export interface ProbeResult {
  ok: boolean;
  /** Why not, in a few words (for the one selection log line). */
  reason?: string;
}

/** Asks the hub for the model's config.json (HEAD); never throws, never waits past timeoutMs. */
export async function probeModelDownload(
  model: string,
  hub: string = DEFAULT_MODEL_HUB,
  timeoutMs: number = DEFAULT_PROBE_TIMEOUT_MS,
): Promise<ProbeResult> {
  const url = `${hub.replace(/\/+$/, '')}/${model}/resolve/main/config.json`;
  try {
    const res = await fetch(url, { method: 'HEAD', redirect: 'follow', signal: AbortSignal.timeout(timeoutMs) });
    await res.body?.cancel();
    return res.ok ? { ok: true } : { ok: false, reason: `hub answered HTTP ${res.status} for ${model}` };
  } catch (err) {
    const e = err as Error & { cause?: { code?: string } };
    const why = e.name === 'TimeoutError' ? `no answer within ${timeoutMs} ms` : (e.cause?.code ?? e.message);
    return { ok: false, reason: `hub ${new URL(hub).host} unreachable (${why})` };
  }
}
