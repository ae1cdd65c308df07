// FNV-1a of a string (unsigned 32 bits): cheap, and stable across releases, so it may decide
// anything that must come out the same on every run (a paper's shard, a sample of papers).

export function fnv1a(s: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}
