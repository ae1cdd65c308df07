/**
 * A file as a stream of lines with their byte offsets, so that a reader can stop anywhere and
 * resume at the next line. Bytes are checked as strict UTF-8 line by line: a damaged line is kept
 * (lossily decoded, flagged) so that layouts still line up, and costs only the items on it.
 * readline is not used because it cannot say where a line ends in bytes.
 */
import { createReadStream } from 'node:fs';
import { isUtf8 } from 'node:buffer';

export interface FileLine {
  /** 1-based line number in the file. */
  no: number;
  /** Without the line break. */
  text: string;
  /** Byte offset just past this line's line break: where the next line starts. */
  end: number;
  /** The bytes were not valid UTF-8 (text is a lossy decoding). */
  bad?: boolean;
  /** The line was longer than the limit; its text is empty. */
  tooLong?: boolean;
}

export interface LineStart {
  /** Byte offset of a line start. */
  offset: number;
  /** Lines before that offset. */
  line: number;
}

/** No real record is near this long; a longer "line" is binary data or a file without line breaks. */
export const MAX_LINE_BYTES = 32 * 1024 * 1024;

/**
 * Lines handed out at a time: the reader parses each group in one go, so a small group keeps that
 * piece of work short (a service ingesting a file lets other work run between groups).
 */
export const GROUP_BYTES = 64 * 1024;

/** Yields the lines of `path` from `start`, in groups of about GROUP_BYTES (one longer line is a group of its own). */
export async function* readLines(
  path: string,
  start: LineStart = { offset: 0, line: 0 },
  maxLineBytes = MAX_LINE_BYTES,
): AsyncGenerator<FileLine[]> {
  let pending: Buffer[] = [];
  let pendingBytes = 0;
  let skippingLong = false;
  let offset = start.offset;
  let no = start.line;
  const stream = createReadStream(path, { start: start.offset, highWaterMark: 1024 * 1024 });
  for await (const block of stream as AsyncIterable<Buffer>) {
    let lines: FileLine[] = [];
    let from = 0;
    let groupStart = 0;
    for (let nl = block.indexOf(0x0a); nl !== -1; nl = block.indexOf(0x0a, from)) {
      if (nl - groupStart > GROUP_BYTES && lines.length) {
        yield lines;
        lines = [];
        groupStart = from;
      }
      const piece = block.subarray(from, nl);
      offset += nl - from + 1;
      from = nl + 1;
      no++;
      if (skippingLong || pendingBytes + piece.length > maxLineBytes) {
        lines.push({ no, text: '', end: offset, tooLong: true });
        skippingLong = false;
      } else if (pendingBytes === 0) {
        lines.push(decodeLine(piece, no, offset));
      } else {
        pending.push(piece);
        lines.push(decodeLine(Buffer.concat(pending), no, offset));
      }
      pending = [];
      pendingBytes = 0;
    }
    if (from < block.length) {
      const rest = block.subarray(from);
      offset += rest.length;
      if (!skippingLong) {
        pending.push(Buffer.from(rest));
        pendingBytes += rest.length;
        if (pendingBytes > maxLineBytes) {
          // Drop what was kept and skip to the next line break: memory stays bounded.
          skippingLong = true;
          pending = [];
          pendingBytes = 0;
        }
      }
    }
    if (lines.length) yield lines;
  }
  if (skippingLong) yield [{ no: no + 1, text: '', end: offset, tooLong: true }];
  else if (pendingBytes > 0) yield [decodeLine(Buffer.concat(pending), no + 1, offset)];
}

function decodeLine(bytes: Buffer, no: number, end: number): FileLine {
  const body = bytes.length && bytes[bytes.length - 1] === 0x0d ? bytes.subarray(0, -1) : bytes;
  if (isUtf8(body)) return { no, text: body.toString('utf8'), end };
  return { no, text: body.toString('utf8'), end, bad: true };
}
