/** XML reading for the arXiv feeds: fast-xml-parser with the settings both feeds need. */
import { XMLParser, XMLValidator } from 'fast-xml-parser';

/** Elements that may repeat; always arrays so that one entry and many look alike. */
const REPEATED = new Set(['entry', 'item', 'author', 'category', 'link', 'record', 'setSpec', 'error']);

const parser = new XMLParser({
  ignoreAttributes: false,
  attributeNamePrefix: '@_',
  // "arxiv:primary_category" → "primary_category", "dc:creator" → "creator".
  removeNSPrefix: true,
  // Keep every value a string: "2401.12340" must not become the number 2401.1234.
  parseTagValue: false,
  isArray: (name) => REPEATED.has(name),
});

export type XmlNode = Record<string, unknown>;

/** The parsed document, or the reason it is not well-formed XML (with line and column). */
export function parseXml(text: string): { doc: XmlNode } | { error: string } {
  const valid = XMLValidator.validate(text);
  if (valid !== true) {
    return { error: `not well-formed XML: ${valid.err.msg} (line ${valid.err.line}, column ${valid.err.col})` };
  }
  try {
    return { doc: parser.parse(text) as XmlNode };
  } catch (error) {
    return { error: `not readable XML: ${(error as Error).message}` };
  }
}

/** The text of an element, whether it was parsed as a string or as a node with attributes. */
export function textOf(value: unknown): string | undefined {
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  if (value && typeof value === 'object' && '#text' in value) return textOf((value as XmlNode)['#text']);
  return undefined;
}

export function attrOf(value: unknown, name: string): string | undefined {
  if (!value || typeof value !== 'object') return undefined;
  const v = (value as XmlNode)[`@_${name}`];
  return typeof v === 'string' ? v : undefined;
}

export function nodeOf(value: unknown): XmlNode | undefined {
  return value && typeof value === 'object' && !Array.isArray(value) ? (value as XmlNode) : undefined;
}

export function listOf(value: unknown): unknown[] {
  if (value === undefined || value === null || value === '') return [];
  return Array.isArray(value) ? value : [value];
}
