import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { CATEGORIES, RoutedMessage, TOPIC_EXAMPLES } from '@switchboard/schema';
import { DEFAULT_TAXONOMY_PATH, loadTaxonomy, parseTaxonomy, type TaxonomyFile } from '../src/taxonomy.ts';

function messageOf(run: () => unknown): string {
  try {
    run();
  } catch (error) {
    return (error as Error).message;
  }
  throw new Error('expected an error');
}

const committed = (): TaxonomyFile => JSON.parse(readFileSync(DEFAULT_TAXONOMY_PATH, 'utf8')) as TaxonomyFile;

describe('the taxonomy file', () => {
  it('defines the default categories, each with English and Chinese labels, in the schema’s order', () => {
    const taxonomy = loadTaxonomy();
    expect(taxonomy.categoryIds).toEqual([...CATEGORIES]);
    expect(taxonomy.categories.fees_fx!.label).toEqual({ en: 'Fees & FX', zh: '费用与汇率' });
    expect(Object.keys(taxonomy.sourceIntents)).toHaveLength(77);
  });

  it('takes a team category with its labels and example lines, and the schema accepts its id on a routed message', () => {
    const file = committed();
    file.categories.red_packet = { label: { en: 'Red packets', zh: '红包' }, description: 'Red packets sent, received or refunded.', examples: ['红包没收到'] };
    const taxonomy = parseTaxonomy(file);
    expect(taxonomy.categoryIds.at(-1)).toBe('red_packet');
    expect(RoutedMessage.safeParse({ ...(TOPIC_EXAMPLES.routed as object), category: 'red_packet' }).success).toBe(true);
  });

  it('names every problem with its place in the file', () => {
    const file = committed() as unknown as Record<string, any>;
    file.categories['Fees-FX'] = { label: { en: 'x', zh: 'x' }, description: 'x' };
    delete file.categories.refund.label.zh;
    file.sourceIntents.exchange_rate = 'forex';
    file.priority.rules[0].patterns.push('(unclosed');
    file.priority.rules[0].intents.push('no_such_intent');
    file.triageThreshold = 2;
    const problems = messageOf(() => parseTaxonomy(file, 'team.json'));
    expect(problems).toMatch(/^invalid taxonomy team.json:\n/);
    expect(problems).toContain('  triageThreshold: Too big');
    expect(problems).toContain('  categories.Fees-FX: Invalid key');
    expect(problems).toContain('  categories.refund.label.zh: Invalid input');
    // The cross-references are checked once the shape is right.
    const shaped = committed() as unknown as Record<string, any>;
    shaped.sourceIntents.exchange_rate = 'forex';
    shaped.priority.rules[0].patterns.push('(unclosed');
    shaped.priority.rules[0].intents.push('no_such_intent');
    shaped.priority.categoryDefaults.gifts = 'low';
    const message = messageOf(() => parseTaxonomy(shaped, 'team.json'));
    expect(message).toContain('sourceIntents.exchange_rate: unknown category "forex"');
    expect(message).toContain('priority.categoryDefaults.gifts: unknown category "gifts"');
    expect(message).toMatch(/priority\.rules\.0\.patterns\.\d+: Invalid regular expression/);
    expect(message).toContain('priority.rules.0.intents: unknown intent no_such_intent');
  });

  it('says which file could not be read', () => {
    expect(() => loadTaxonomy('/nonexistent/taxonomy.json')).toThrow(/cannot read taxonomy \/nonexistent\/taxonomy.json/);
  });
});
