import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { CATEGORIES, PRIORITIES, type Category, type Priority } from '@switchboard/schema';

export const PACKAGE_DIR = fileURLToPath(new URL('..', import.meta.url));
export const DEFAULT_TAXONOMY_PATH = fileURLToPath(new URL('../taxonomy.json', import.meta.url));

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
  categories: Record<Category, string>;
  /** Source-data intent → category (BANKING77's 77 intents). */
  sourceIntents: Record<string, Category>;
  priority: {
    default: Priority;
    categoryDefaults: Partial<Record<Category, Priority>>;
    rules: PriorityRule[];
    escalations: Escalation[];
  };
}

interface RawRule {
  name: string;
  priority?: Priority;
  intents?: string[];
  patterns?: string[];
  categories?: Category[];
}

export function loadTaxonomy(path: string = DEFAULT_TAXONOMY_PATH): Taxonomy {
  const raw = JSON.parse(readFileSync(path, 'utf8')) as {
    triageThreshold: number;
    categories: Record<Category, string>;
    sourceIntents: Record<string, Category>;
    priority: {
      default: Priority;
      categoryDefaults?: Partial<Record<Category, Priority>>;
      rules?: RawRule[];
      escalations?: RawRule[];
    };
  };
  const problems: string[] = [];
  const checkCategory = (value: unknown, where: string) => {
    if (!CATEGORIES.includes(value as Category)) problems.push(`${where}: unknown category ${JSON.stringify(value)}`);
  };
  const checkPriority = (value: unknown, where: string) => {
    if (!PRIORITIES.includes(value as Priority)) problems.push(`${where}: unknown priority ${JSON.stringify(value)}`);
  };
  if (!(raw.triageThreshold >= 0 && raw.triageThreshold <= 1)) problems.push('triageThreshold must be within [0, 1]');
  for (const category of CATEGORIES) if (!raw.categories?.[category]) problems.push(`categories.${category} is missing`);
  for (const [intent, category] of Object.entries(raw.sourceIntents ?? {})) checkCategory(category, `sourceIntents.${intent}`);
  checkPriority(raw.priority?.default, 'priority.default');
  for (const [category, priority] of Object.entries(raw.priority?.categoryDefaults ?? {})) {
    checkCategory(category, 'priority.categoryDefaults');
    checkPriority(priority, `priority.categoryDefaults.${category}`);
  }
  const compile = (rule: RawRule, where: string): RegExp[] =>
    (rule.patterns ?? []).map((pattern) => {
      try {
        return new RegExp(pattern, 'u');
      } catch (error) {
        problems.push(`${where}: ${(error as Error).message}`);
        return /$^/u;
      }
    });
  // Each pattern in its own non-capturing group: "a|b" inside one pattern stays inside it. A
  // pattern that does not compile has been reported by compile(), so loading fails anyway.
  const alternation = (rule: RawRule): RegExp => {
    const patterns = rule.patterns ?? [];
    try {
      return patterns.length === 0 ? /$^/u : new RegExp(patterns.map((pattern) => `(?:${pattern})`).join('|'), 'u');
    } catch {
      return /$^/u;
    }
  };
  const rules = (raw.priority?.rules ?? []).map((rule, index): PriorityRule => {
    const where = `priority.rules[${index}] (${rule.name})`;
    checkPriority(rule.priority, where);
    for (const category of rule.categories ?? []) checkCategory(category, where);
    for (const intent of rule.intents ?? []) if (!(intent in raw.sourceIntents)) problems.push(`${where}: unknown intent ${intent}`);
    return {
      name: rule.name,
      priority: rule.priority!,
      intents: rule.intents ?? [],
      patterns: compile(rule, where),
      anyPattern: alternation(rule),
      ...(rule.categories ? { categories: rule.categories } : {}),
    };
  });
  const escalations = (raw.priority?.escalations ?? []).map(
    (rule, index): Escalation => ({
      name: rule.name,
      patterns: compile(rule, `priority.escalations[${index}]`),
      anyPattern: alternation(rule),
    }),
  );
  if (problems.length > 0) throw new Error(`invalid taxonomy ${path}:\n  ${problems.join('\n  ')}`);
  return {
    triageThreshold: raw.triageThreshold,
    categories: raw.categories,
    sourceIntents: raw.sourceIntents,
    priority: {
      default: raw.priority.default,
      categoryDefaults: raw.priority.categoryDefaults ?? {},
      rules,
      escalations,
    },
  };
}
