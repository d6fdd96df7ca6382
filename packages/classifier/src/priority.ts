import * as schema from '@switchboard/schema';
import type { Category, Priority } from '@switchboard/schema';
import type { Taxonomy } from './taxonomy.ts';

/** A module-local copy: imported bindings are read through a getter under tsx. */
const PRIORITIES: readonly Priority[] = [...schema.PRIORITIES];

export interface PriorityDecision {
  priority: Priority;
  /** Names of the rules and escalations that fired, in the order of the taxonomy. */
  firedRules: string[];
}

/**
 * The most severe rule that fires sets the priority (otherwise the category's default); any
 * anger or urgency cue then raises it by one level, never beyond `urgent`.
 *
 * @param foldedText the text as `foldText` returns it, which the patterns are written against
 * @param topIntent the most probable source intent, when the model has one for this message
 */
export function decidePriority(taxonomy: Taxonomy, category: Category, foldedText: string, topIntent?: string): PriorityDecision {
  const config = taxonomy.priority;
  let level = PRIORITIES.indexOf(config.categoryDefaults[category] ?? config.default);
  const firedRules: string[] = [];
  for (const rule of config.rules) {
    if (rule.categories && !rule.categories.includes(category)) continue;
    const fires =
      (topIntent !== undefined && rule.intents.includes(topIntent)) || rule.anyPattern.test(foldedText);
    if (!fires) continue;
    firedRules.push(rule.name);
    level = Math.min(level, PRIORITIES.indexOf(rule.priority));
  }
  let escalated = false;
  for (const escalation of config.escalations) {
    if (!escalation.anyPattern.test(foldedText)) continue;
    firedRules.push(escalation.name);
    escalated = true;
  }
  if (escalated) level = Math.max(0, level - 1);
  return { priority: PRIORITIES[level]!, firedRules };
}
