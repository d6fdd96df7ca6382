import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { z } from 'zod';
import { Category, Priority } from '@switchboard/schema';

export const DEFAULT_TAXONOMY_PATH = fileURLToPath(new URL('../taxonomy.json', import.meta.url));

const RulePatterns = z.array(z.string().min(1)).default([]).describe('JavaScript regular expressions (flag u) matched against the folded text.');

/**
 * The team's taxonomy as a file: its categories (id, labels in English and Chinese, description,
 * example lines), the triage threshold, BANKING77's intents mapped onto the categories, and the
 * priority rules. One file, validated here; training reads the example lines, classifying the rest.
 */
export const TaxonomyFile = z
  .object({
    _comment: z.string().optional(),
    triageThreshold: z.number().min(0).max(1).describe('Under this confidence a decision is flagged for triage.'),
    categories: z
      .record(
        Category,
        z
          .object({
            label: z.object({ en: z.string().min(1), zh: z.string().min(1) }).strict().describe('What people see: English and Chinese.'),
            description: z.string().min(1).describe('What belongs here; the writers of our training lines worked from these.'),
            examples: z.array(z.string().trim().min(1)).default([]).describe('Training lines of this category, one message each.'),
          })
          .strict(),
      )
      .refine((categories) => Object.keys(categories).length >= 2, 'at least two categories'),
    sourceIntents: z.record(z.string().min(1), Category).default({}).describe("BANKING77 intent → category; a BANKING77 line is learnt as its intent."),
    priority: z
      .object({
        default: Priority,
        categoryDefaults: z.record(Category, Priority).default({}),
        rules: z
          .array(
            z
              .object({
                name: z.string().min(1),
                priority: Priority,
                why: z.string().optional(),
                intents: z.array(z.string().min(1)).default([]),
                patterns: RulePatterns,
                categories: z.array(Category).optional().describe('When given, the rule fires only for messages classified into one of these.'),
              })
              .strict(),
          )
          .default([]),
        escalations: z
          .array(z.object({ name: z.string().min(1), why: z.string().optional(), patterns: RulePatterns }).strict())
          .default([])
          .describe('Anger and urgency cues: each raises the priority one level.'),
      })
      .strict(),
  })
  .strict()
  .superRefine((file, context) => {
    const known = (category: string, path: (string | number)[]) => {
      if (!(category in file.categories)) context.addIssue({ code: 'custom', path, message: `unknown category ${JSON.stringify(category)}` });
    };
    for (const [intent, category] of Object.entries(file.sourceIntents)) known(category, ['sourceIntents', intent]);
    for (const category of Object.keys(file.priority.categoryDefaults)) known(category, ['priority', 'categoryDefaults', category]);
    file.priority.rules.forEach((rule, index) => {
      for (const category of rule.categories ?? []) known(category, ['priority', 'rules', index, 'categories']);
      for (const intent of rule.intents) {
        if (!(intent in file.sourceIntents)) context.addIssue({ code: 'custom', path: ['priority', 'rules', index, 'intents'], message: `unknown intent ${intent}` });
      }
    });
    const checkPatterns = (patterns: string[], path: (string | number)[]) =>
      patterns.forEach((pattern, index) => {
        try {
          new RegExp(pattern, 'u');
        } catch (error) {
          context.addIssue({ code: 'custom', path: [...path, index], message: (error as Error).message });
        }
      });
    file.priority.rules.forEach((rule, index) => checkPatterns(rule.patterns, ['priority', 'rules', index, 'patterns']));
    file.priority.escalations.forEach((rule, index) => checkPatterns(rule.patterns, ['priority', 'escalations', index, 'patterns']));
  });
export type TaxonomyFile = z.infer<typeof TaxonomyFile>;
export type CategoryDefinition = TaxonomyFile['categories'][string];

/** A priority rule: fires when the top intent is one of `intents` or the folded text matches a pattern. */
export interface PriorityRule {
  name: string;
  priority: Priority;
  intents: string[];
  patterns: RegExp[];
  /** The patterns as one alternation: one regular-expression run per message instead of one per pattern. */
  anyPattern: RegExp;
  /** When given, the rule only fires for messages classified into one of these categories. */
  categories?: Category[];
}

/** An anger or urgency cue: raises the priority one level. */
export interface Escalation {
  name: string;
  patterns: RegExp[];
  anyPattern: RegExp;
}

export interface Taxonomy {
  triageThreshold: number;
  /** The categories in the file's order: the order of a decision's scores. */
  categoryIds: Category[];
  categories: Record<Category, CategoryDefinition>;
  /** Source-data intent → category (BANKING77's 77 intents). */
  sourceIntents: Record<string, Category>;
  priority: {
    default: Priority;
    categoryDefaults: Partial<Record<Category, Priority>>;
    rules: PriorityRule[];
    escalations: Escalation[];
  };
  /** The file as validated, for copying it beside a model that was trained with it. */
  file: TaxonomyFile;
}

const compile = (patterns: string[]): RegExp[] => patterns.map((pattern) => new RegExp(pattern, 'u'));

/** Each pattern in its own non-capturing group, so "a|b" inside one pattern stays inside it. */
function alternation(patterns: string[]): RegExp {
  return patterns.length === 0 ? /$^/u : new RegExp(patterns.map((pattern) => `(?:${pattern})`).join('|'), 'u');
}

/** Validates a taxonomy (parsed JSON); the error names every problem with its place in the file. */
export function parseTaxonomy(raw: unknown, source = 'taxonomy'): Taxonomy {
  const parsed = TaxonomyFile.safeParse(raw);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((issue) => `${issue.path.join('.') || '(file)'}: ${issue.message}`);
    throw new Error(`invalid taxonomy ${source}:\n  ${problems.join('\n  ')}`);
  }
  const file = parsed.data;
  return {
    triageThreshold: file.triageThreshold,
    categoryIds: Object.keys(file.categories),
    categories: file.categories,
    sourceIntents: file.sourceIntents,
    priority: {
      default: file.priority.default,
      categoryDefaults: file.priority.categoryDefaults,
      rules: file.priority.rules.map((rule) => ({
        name: rule.name,
        priority: rule.priority,
        intents: rule.intents,
        patterns: compile(rule.patterns),
        anyPattern: alternation(rule.patterns),
        ...(rule.categories ? { categories: rule.categories } : {}),
      })),
      escalations: file.priority.escalations.map((rule) => ({ name: rule.name, patterns: compile(rule.patterns), anyPattern: alternation(rule.patterns) })),
    },
    file,
  };
}

export function loadTaxonomy(path: string = DEFAULT_TAXONOMY_PATH): Taxonomy {
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(path, 'utf8'));
  } catch (error) {
    throw new Error(`cannot read taxonomy ${path}: ${(error as Error).message}`);
  }
  return parseTaxonomy(raw, path);
}
