/**
 * Generated sections inside hand-written Markdown: `<!-- generated:KIND ARGUMENT -->` … `<!-- /generated:KIND -->`.
 * The text between the markers is replaced by what the section's renderer returns; the rest of the file
 * is left as written.
 */
export interface Section {
  kind: string;
  argument: string;
}

const SECTION = /<!-- generated:([a-z-]+)(?: ([^>]*?))? -->\n[\s\S]*?<!-- \/generated:\1 -->/g;

export function sectionsIn(markdown: string): Section[] {
  return [...markdown.matchAll(SECTION)].map((m) => ({ kind: m[1]!, argument: (m[2] ?? '').trim() }));
}

/** `markdown` with every section's body rendered anew. */
export async function renderSections(markdown: string, render: (section: Section) => Promise<string>): Promise<string> {
  let out = '';
  let last = 0;
  for (const match of markdown.matchAll(SECTION)) {
    const section = { kind: match[1]!, argument: (match[2] ?? '').trim() };
    const opening = `<!-- generated:${section.kind}${section.argument ? ` ${section.argument}` : ''} -->`;
    out += markdown.slice(last, match.index) + `${opening}\n${(await render(section)).trimEnd()}\n<!-- /generated:${section.kind} -->`;
    last = match.index! + match[0].length;
  }
  return out + markdown.slice(last);
}
