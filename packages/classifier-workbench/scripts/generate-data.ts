/**
 * pnpm generate-data: writes data/train/generated-*.jsonl from the templates in
 * templates-zh.ts and templates-en.ts. Deterministic (seeded), so re-running gives the same files.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { CATEGORIES } from '@switchboard/schema';
import { TRADITIONAL_TO_SIMPLIFIED } from '@switchboard/classifier';
import { OWN_TRAINING_DIR } from '../src/data.ts';
import { seededRandom } from '@switchboard/runtime';
import { FORMAL_CONTACT_SLOTS, FORMAL_CONTACT_TEMPLATES, SOCIAL_SLOTS, SOCIAL_TEMPLATES } from './templates-en.ts';
import { ZH_SLOTS, ZH_TEMPLATES, ZH_TO_TRADITIONAL_SKIP, ZH_TRADITIONAL_WORDING } from './templates-zh.ts';

const LINES_PER_CATEGORY = 160;
/** Share of Chinese lines rendered in Traditional characters. */
const TRADITIONAL_SHARE = 0.4;
const random = seededRandom(20261124);

const pick = <T>(values: readonly T[]): T => values[Math.floor(random() * values.length)]!;

function fill(template: string, slots: Record<string, string[]>): string {
  return template.replace(/\{(\w+)\}/g, (_, slot: string) => {
    const values = slots[slot];
    if (!values) throw new Error(`template uses unknown slot {${slot}}: ${template}`);
    return pick(values);
  });
}

/** First Traditional form of each Simplified character in the fold table, minus ambiguous ones. */
const SIMPLIFIED_TO_TRADITIONAL = new Map<string, string>();
for (const [traditional, simplified] of TRADITIONAL_TO_SIMPLIFIED) {
  const simplifiedChar = String.fromCodePoint(simplified);
  if (!ZH_TO_TRADITIONAL_SKIP.has(simplifiedChar) && !SIMPLIFIED_TO_TRADITIONAL.has(simplifiedChar)) {
    SIMPLIFIED_TO_TRADITIONAL.set(simplifiedChar, String.fromCodePoint(traditional));
  }
}
// Where the first pair is the wrong word for money: 汇款 is 匯款, 发 (send) is 發, 钟 is 鐘.
SIMPLIFIED_TO_TRADITIONAL.set('汇', '匯');
SIMPLIFIED_TO_TRADITIONAL.set('发', '發');
SIMPLIFIED_TO_TRADITIONAL.set('里', '裡');

function toTraditional(text: string): string {
  let worded = text;
  for (const [mainland, taiwan] of ZH_TRADITIONAL_WORDING) worded = worded.split(mainland).join(taiwan);
  return [...worded].map((char) => SIMPLIFIED_TO_TRADITIONAL.get(char) ?? char).join('');
}

/** Up to `count` distinct lines from the templates; gives up on a template set that cannot vary enough. */
function generate(templates: string[], slots: Record<string, string[]>, count: number, render = (line: string) => line): string[] {
  const lines = new Set<string>();
  for (let attempt = 0; lines.size < count && attempt < count * 50; attempt++) {
    lines.add(render(fill(pick(templates), slots).trim()));
  }
  return [...lines];
}

function writeJsonl(name: string, rows: Array<{ text: string; category: string }>): void {
  const path = join(OWN_TRAINING_DIR, name);
  writeFileSync(path, rows.map((row) => JSON.stringify(row)).join('\n') + '\n');
  console.log(`wrote ${rows.length} lines to ${path}`);
}

const chinese: Array<{ text: string; category: string }> = [];
const social: Array<{ text: string; category: string }> = [];
for (const category of CATEGORIES) {
  const renderChinese = (line: string) => (random() < TRADITIONAL_SHARE ? toTraditional(line) : line);
  for (const text of generate(ZH_TEMPLATES[category], ZH_SLOTS, LINES_PER_CATEGORY, renderChinese)) chinese.push({ text, category });
  for (const text of generate(SOCIAL_TEMPLATES[category], SOCIAL_SLOTS, LINES_PER_CATEGORY)) social.push({ text, category });
}
const formalContact = generate(FORMAL_CONTACT_TEMPLATES, FORMAL_CONTACT_SLOTS, LINES_PER_CATEGORY).map((text) => ({
  text,
  category: 'contact' as const,
}));

writeJsonl('generated-zh.jsonl', chinese);
writeJsonl('generated-social-en.jsonl', social);
writeJsonl('generated-contact-en.jsonl', formalContact);
