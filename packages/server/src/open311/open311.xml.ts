/**
 * GeoReport v2's XML: the JSON shapes turned into elements by a maintained builder, which escapes
 * every text node (a description of `<script>&"` stays text). A list becomes repeated child
 * elements named as the specification names them: `<services><service>…`, `<formats><format>…`.
 */
import { XMLBuilder } from 'fast-xml-parser';

type Json = string | number | boolean | null | undefined | Json[] | { [key: string]: Json };
type Xml = string | Xml[] | { [key: string]: Xml };

/** The element of each item in a list, by the list's element name. */
const itemElement: Record<string, string> = {
  services: 'service',
  service_requests: 'request',
  errors: 'error',
  endpoints: 'endpoint',
  formats: 'format',
  attributes: 'attribute',
  values: 'value',
};

const builder = new XMLBuilder({
  ignoreAttributes: false,
  format: true,
  indentBy: '  ',
  suppressEmptyNode: true,
  processEntities: true,
});

/** Drops what XML 1.0 cannot carry at all, escaped or not: control characters, lone surrogates. */
function xmlText(s: string): string {
  let out = '';
  for (const ch of s) {
    const c = ch.codePointAt(0) ?? 0;
    const ok =
      c === 0x9 ||
      c === 0xa ||
      c === 0xd ||
      (c >= 0x20 && c <= 0xd7ff) ||
      (c >= 0xe000 && c <= 0xfffd) ||
      c >= 0x10000;
    if (ok) out += ch;
  }
  return out;
}

function toXml(name: string, value: Json): Xml {
  if (Array.isArray(value)) {
    const item = itemElement[name];
    if (!item) throw new Error(`No XML element is defined for the items of <${name}>`);
    return { [item]: value.map((v) => toXml(item, v)) };
  }
  if (value === null || value === undefined) return '';
  if (typeof value === 'object') {
    const out: Record<string, Xml> = {};
    for (const [k, v] of Object.entries(value)) out[k] = toXml(k, v);
    return out;
  }
  return xmlText(String(value));
}

/** A whole document: `root` is the outer element (`services`, `service_definition`, `errors` …). */
export function xmlDocument(root: string, value: unknown): string {
  return builder.build({
    '?xml': { '@_version': '1.0', '@_encoding': 'utf-8' },
    [root]: toXml(root, value as Json),
  }) as string;
}
