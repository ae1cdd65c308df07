/**
 * The corpus checksum (of every paper id and content hash) costs a pass over the whole store, which
 * a cold process (a CLI `similar`) would pay at every open. Every paper write moves a counter in
 * its own transaction (SQLite: the change feed's head; PostgreSQL: corpus_version), so a checksum
 * recorded in meta together with the counter it was computed at stays right until the next write.
 */

/** Meta key of the last computed checksum, as `<counter>:<checksum>`. */
export const CHECKSUM_META = 'corpus-checksum';

/** The recorded checksum when it was computed at `counter`, else undefined. */
export function recordedChecksum(value: string | undefined, counter: string): string | undefined {
  if (!value) return undefined;
  const at = value.indexOf(':');
  return at > 0 && value.slice(0, at) === counter ? value.slice(at + 1) : undefined;
}
