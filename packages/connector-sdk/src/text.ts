import { convert } from 'html-to-text';

/** Readable plain text from an HTML body: links kept as "text [url]", images dropped, no wrapping. */
export function htmlToText(html: string): string {
  return convert(html, {
    wordwrap: false,
    selectors: [
      { selector: 'img', format: 'skip' },
      { selector: 'a', options: { hideLinkHrefIfSameAsText: true, ignoreHref: false } },
    ],
  }).trim();
}

/** Collapses runs of blank lines and trailing spaces that channels leave behind. */
export function tidyText(text: string): string {
  return text
    .replace(/\r\n?/g, '\n')
    .replace(/[ \t]+\n/g, '\n')
    .replace(/\n{3,}/g, '\n\n')
    .trim();
}

/** ISO 8601 from a Date, epoch milliseconds or seconds, or a string a Date understands. */
export function toIso(value: Date | number | string | undefined, fallback = new Date()): string {
  if (value === undefined) return fallback.toISOString();
  if (typeof value === 'number') return new Date(value < 1e12 ? value * 1000 : value).toISOString();
  const date = value instanceof Date ? value : new Date(value);
  return Number.isNaN(date.getTime()) ? fallback.toISOString() : date.toISOString();
}
