import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { foldText, type Taxonomy } from '@switchboard/classifier';
import type { Correction, TicketStore } from '@switchboard/ticket-store';
import type { LabelledText } from './data.ts';

/**
 * Agents' corrections as training lines. Per message, the latest category correction not excluded
 * by an admin is its label (an agent who changes a category twice meant the second). A quarter of
 * the texts are held out for the shadow evaluation, chosen by a hash of the folded text: the same
 * text is always on the same side, in this run and every later one, so no model is ever trained on
 * a correction it is scored on, and identical texts cannot fall on both sides.
 */
export interface CorrectionLines {
  trained: LabelledText[];
  heldOut: LabelledText[];
  /** The agents' priorities, per message: the decisions' priorities are scored on them (priority rules are not trained). */
  priorities: Array<{ text: string; priority: string }>;
  dropped: Array<{ id: string; reason: string }>;
}

/** One text in four (by the first byte of the folded text's sha256) is held out. */
export const HELD_OUT_SHARE = 0.25;

export function isHeldOut(text: string): boolean {
  return createHash('sha256').update(foldText(text.trim())).digest()[0]! < 256 * HELD_OUT_SHARE;
}

/** The text as the router classifies it: subject and body, as `classify(text, subject)` joins them. */
const classifiedText = (correction: Correction) => (correction.subject ? `${correction.subject}\n${correction.text}` : correction.text);

/**
 * @param corrections not excluded, oldest first (as `listCorrections` gives them)
 * @param evaluationTexts folded texts of the evaluation sets: a correction of one of them is dropped
 */
export function correctionLines(corrections: readonly Correction[], taxonomy: Taxonomy, evaluationTexts: ReadonlySet<string>): CorrectionLines {
  const latest = new Map<string, Correction>();
  for (const correction of corrections) latest.set(`${correction.field}\u001f${correction.messageId}`, correction);
  const result: CorrectionLines = { trained: [], heldOut: [], priorities: [], dropped: [] };
  const seenTexts = new Map<string, string>();
  for (const correction of latest.values()) {
    const text = classifiedText(correction);
    const reason = dropReason(correction, text, taxonomy, evaluationTexts);
    if (reason) {
      result.dropped.push({ id: correction.id, reason });
      continue;
    }
    if (correction.field === 'priority') {
      result.priorities.push({ text, priority: correction.to });
      continue;
    }
    // The same text corrected on two messages: the later correction is the label.
    const folded = foldText(text.trim());
    const earlier = seenTexts.get(folded);
    if (earlier) result.dropped.push({ id: earlier, reason: 'the same text was corrected again later' });
    seenTexts.set(folded, correction.id);
  }
  const kept = new Set(seenTexts.values());
  for (const correction of latest.values()) {
    if (!kept.has(correction.id)) continue;
    const line = { text: classifiedText(correction), category: correction.to };
    (isHeldOut(line.text) ? result.heldOut : result.trained).push(line);
  }
  return result;
}

function dropReason(correction: Correction, text: string, taxonomy: Taxonomy, evaluationTexts: ReadonlySet<string>): string | undefined {
  if (correction.messageDeletedAt) return 'the customer deleted the message';
  if (text.trim() === '') return 'the message has no text';
  if (evaluationTexts.has(foldText(text.trim()))) return 'the same text is in an evaluation set';
  if (correction.field === 'category' && !(correction.to in taxonomy.categories)) return `category ${correction.to} is not in the taxonomy`;
  return undefined;
}

/** Every correction not excluded, oldest first, from the ticket store. */
export async function readCorrections(store: TicketStore): Promise<Correction[]> {
  const all: Correction[] = [];
  for (let offset = 0; ; offset += 1000) {
    const page = await store.listCorrections({ excluded: false, limit: 1000, offset });
    all.push(...page);
    if (page.length < 1000) return all;
  }
}

/**
 * Corrections from a file: what `GET /api/v1/corrections` answers (`{"corrections": [...]}`, or the
 * pages of it concatenated as JSON lines), for a store that only its own process may open (PGlite).
 */
export function readCorrectionsFile(path: string): Correction[] {
  const text = readFileSync(path, 'utf8').trim();
  let documents: unknown[];
  try {
    documents = [JSON.parse(text) as unknown];
  } catch {
    documents = text.split('\n').filter(Boolean).map((line) => JSON.parse(line) as unknown);
  }
  return documents
    .flatMap((document) => (Array.isArray(document) ? document : ((document as { corrections?: unknown[] }).corrections ?? [document])))
    .map((entry) => entry as Correction)
    .filter((correction) => !correction.excluded);
}
