import { XMLParser, XMLValidator } from 'fast-xml-parser';
import { PermanentError } from '@switchboard/runtime';

export class UnsafeXmlError extends PermanentError {
  override readonly name = 'UnsafeXmlError';
}

export class MalformedXmlError extends PermanentError {
  override readonly name = 'MalformedXmlError';
}

const CDATA = '#cdata';

/**
 * Entities are never processed (no external entities, no expansion bombs); the few predefined ones
 * are decoded by hand below, and only outside CDATA.
 */
const parser = new XMLParser({
  processEntities: false,
  htmlEntities: false,
  ignoreAttributes: true,
  ignoreDeclaration: true,
  ignorePiTags: true,
  parseTagValue: false, // MsgId is a 64-bit number: it must stay a string
  trimValues: false,
  cdataPropName: CDATA,
});

const PREDEFINED: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" };

function decodePredefined(text: string): string {
  return text.replace(/&(amp|lt|gt|quot|apos|#\d+|#x[0-9a-fA-F]+);/g, (whole, name: string) => {
    if (name.startsWith('#x')) return safeCodePoint(Number.parseInt(name.slice(2), 16)) ?? whole;
    if (name.startsWith('#')) return safeCodePoint(Number.parseInt(name.slice(1), 10)) ?? whole;
    return PREDEFINED[name] ?? whole;
  });
}

function safeCodePoint(code: number): string | undefined {
  return code > 0 && code <= 0x10ffff ? String.fromCodePoint(code) : undefined;
}

/** `<![CDATA[...]]>` and comments removed, so a customer's text that mentions `<!DOCTYPE` is not mistaken for one. */
function markupOutsideCdata(xml: string): string {
  return xml.replace(/<!\[CDATA\[[\s\S]*?\]\]>/g, '').replace(/<!--[\s\S]*?-->/g, '');
}

/**
 * Parses WeChat's flat callback XML (`<xml><Field>value</Field>...</xml>`) into field → string.
 * Any DTD is refused outright: WeChat never sends one, so its presence is an attack (XXE, entity bombs).
 */
export function parseWechatXml(xml: string): Record<string, string> {
  const markup = markupOutsideCdata(xml);
  if (/<!DOCTYPE/i.test(markup) || /<!ENTITY/i.test(markup)) throw new UnsafeXmlError('XML with a DOCTYPE or ENTITY declaration is refused');
  if (/<!(?!\[CDATA\[|--)/.test(markup)) throw new UnsafeXmlError('XML with a markup declaration is refused');
  const valid = XMLValidator.validate(xml);
  if (valid !== true) throw new MalformedXmlError(`malformed XML: ${valid.err.msg} (line ${valid.err.line})`);

  const document = parser.parse(xml) as Record<string, unknown>;
  const root = document.xml;
  if (!root || typeof root !== 'object' || Array.isArray(root)) throw new MalformedXmlError('the root element is not <xml>');
  const fields: Record<string, string> = {};
  for (const [name, value] of Object.entries(root as Record<string, unknown>)) {
    const text = textOf(value);
    if (text !== undefined) fields[name] = text;
  }
  return fields;
}

/** A leaf's text: plain text (entities decoded) and CDATA sections joined; nested elements are ignored. */
function textOf(value: unknown): string | undefined {
  if (typeof value === 'string') return decodePredefined(value);
  if (Array.isArray(value)) return textOf(value[0]); // a repeated field: WeChat sends none, keep the first
  if (value && typeof value === 'object') {
    const record = value as Record<string, unknown>;
    const parts: string[] = [];
    if (typeof record['#text'] === 'string') parts.push(decodePredefined(record['#text']));
    const cdata = record[CDATA];
    if (typeof cdata === 'string') parts.push(cdata);
    else if (Array.isArray(cdata)) parts.push(...cdata.filter((c): c is string => typeof c === 'string'));
    return parts.length > 0 ? parts.join('') : undefined;
  }
  return undefined;
}
