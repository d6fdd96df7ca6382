import type { Entities } from '@switchboard/schema';
import { findAmounts } from './amounts.ts';
import { DEFAULT_REFERENCES, findReferences, type CompiledReference } from './references.ts';
import { findCounterparties, findTypedCards } from './parties.ts';
import { BARRIER, Claims, prepare, type Found } from './spans.ts';
import { findTimes } from './times.ts';

export { DEFAULT_REFERENCE_PATTERNS, ReferencePattern, compileReferences, type CompiledReference } from './references.ts';

export interface EntityOptions {
  /** Where the customer's "yesterday at 3pm" is read (IANA name). */
  timeZone: string;
  references: readonly CompiledReference[];
}

export const DEFAULT_TIME_ZONE = 'Asia/Shanghai';
export const DEFAULT_ENTITY_OPTIONS: EntityOptions = { timeZone: DEFAULT_TIME_ZONE, references: DEFAULT_REFERENCES };
/** The schema's bound on each list. */
const MAX_EACH = 20;

function readOne(input: string, sentAt: Date, options: EntityOptions): Entities {
  const text = prepare(input);
  const claims = new Claims();
  // Ids first, so their digits are not also dates or amounts; then times, so `15:30` is not "paid 15".
  const references = findReferences(text, claims, options.references);
  const times = findTimes(text, claims, sentAt, options.timeZone);
  const amounts = findAmounts(text, claims);
  const cards = findTypedCards(text, claims);
  const counterparties = findCounterparties(text, claims);
  const values = <T>(found: Found<T>[]) => found.sort((a, b) => a.start - b.start).map((f) => f.value);
  return {
    amounts: values(amounts),
    references: values(references),
    times: values(times),
    cardLast4: [...text.maskedCards, ...values(cards)],
    counterparties: values(counterparties),
  };
}

/** The same entity named twice (in the subject and the text, or twice in the text) is listed once. */
function unique<T>(items: T[], key: (item: T) => string): T[] {
  const seen = new Set<string>();
  return items.filter((item) => !seen.has(key(item)) && (seen.add(key(item)), true)).slice(0, MAX_EACH);
}

/**
 * What a wallet agent looks up, read from the masked subject and text: amounts, ids, times, cards and
 * counterparties. Pure: the same message and options always give the same entities.
 */
export function extractEntities(text: string, subject: string | undefined, sentAt: Date, options: EntityOptions = DEFAULT_ENTITY_OPTIONS): Entities {
  // One pass over both: a barrier between them, so nothing reads across from the subject into the text.
  const read = readOne(subject ? `${subject}${BARRIER}${text}` : text, sentAt, options);
  return {
    amounts: unique(read.amounts, (a) => `${a.value}|${a.currency ?? ''}`),
    references: unique(read.references, (r) => `${r.kind}|${r.value}`),
    times: unique(read.times, (t) => `${t.date}|${t.at ?? ''}`),
    cardLast4: unique(read.cardLast4, (c) => c),
    counterparties: unique(read.counterparties, (c) => c),
  };
}
