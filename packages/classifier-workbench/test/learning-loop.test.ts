import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_MODEL_PATH, DEFAULT_TAXONOMY_PATH, LiveClassifier, loadTaxonomy, readManifest, type TaxonomyFile } from '@switchboard/classifier';
import { routedMessage } from '@switchboard/testkit';
import { openTicketStore, type TicketStore } from '@switchboard/ticket-store';
import { isHeldOut, readCorrections } from '../src/corrections.ts';
import { rollbackModel } from '../src/registry-write.ts';
import { retrain } from '../src/retrain.ts';

/**
 * Issue 27's loop, on the real ticket store and the real registry: the team splits red packets
 * (红包) out of `transaction` into a category of their own; agents correct the tickets the model in
 * use opened; a retrain on those corrections is scored in the shadow of the model in use and
 * promoted; the router's live classifier swaps to it; a rollback swaps back.
 */
const RED_PACKETS = readFileSync(join(import.meta.dirname, 'fixtures/red-packets.txt'), 'utf8').split('\n').filter(Boolean);
const committedVersion = (JSON.parse(readFileSync(DEFAULT_MODEL_PATH, 'utf8')) as { classifierVersion: string }).classifierVersion;

function teamTaxonomyFile(dir: string): string {
  const file = JSON.parse(readFileSync(DEFAULT_TAXONOMY_PATH, 'utf8')) as TaxonomyFile;
  file.categories.red_packet = { label: { en: 'Red packets', zh: '红包' }, description: 'Red packets (hongbao) sent, grabbed, not received, expired or returned.', examples: [] };
  const path = join(dir, 'team-taxonomy.json');
  writeFileSync(path, JSON.stringify(file, null, 2));
  return path;
}

describe('learning from corrections', () => {
  let store: TicketStore;
  beforeAll(async () => {
    store = await openTicketStore();
  });
  afterAll(async () => {
    await store?.close();
  });

  it('scores a new sub-intent before and after 30 corrections, keeps the base sets within the tolerance, and goes live', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'learning-loop-'));
    const registryDir = join(dir, 'models');
    const taxonomy = loadTaxonomy(teamTaxonomyFile(dir));
    const router = new LiveClassifier({ registryDir });
    const swaps: string[] = [];
    const live = new LiveClassifier({ registryDir, onSwap: ({ to }) => swaps.push(to) });

    // The model in use routes the customers' messages; the store opens a ticket for each.
    const opened = await store.writeRouted(
      RED_PACKETS.map((text) => {
        const decision = router.classify(text);
        return routedMessage({ text, subject: undefined, category: decision.category, priority: decision.priority, classifierVersion: decision.classifierVersion });
      }),
    );
    expect(opened.newTickets).toHaveLength(RED_PACKETS.length);
    // Agents put every one of them into the team's new category.
    for (const ticket of opened.newTickets) await store.updateTicket(ticket.id, { category: 'red_packet', by: 'agent.chen' });

    const heldOut = RED_PACKETS.filter(isHeldOut);
    const before = heldOut.filter((text) => live.classify(text).category === 'red_packet').length;
    const outcome = await retrain({ registryDir, taxonomy, corrections: await readCorrections(store), by: 'test' });
    if (outcome.kind !== 'registered') throw new Error('expected a new model');
    const { record, lines } = outcome;
    expect(lines!.trained).toHaveLength(30);
    expect(lines!.heldOut.map((line) => line.text).sort()).toEqual([...heldOut].sort());
    // Never trained on what it is scored on.
    expect(lines!.trained.some((line) => isHeldOut(line.text))).toBe(false);

    const corrections = record.evaluation.sets.find((set) => set.kind === 'corrections')!;
    const base = record.evaluation.sets.filter((set) => set.kind === 'base');
    console.log(
      `red packets, ${heldOut.length} held-out corrections: ${corrections.current.accuracy} before, ${corrections.candidate.accuracy} after; ` +
        base.map((set) => `${set.set} ${set.current.accuracy} → ${set.candidate.accuracy}`).join(', '),
    );
    expect(before).toBe(0);
    expect(corrections.current.accuracy).toBe(0);
    // 9 of the 13 with the committed seed; 0.69–0.77 with seeds 7, 8 and 9 (docs/classifier-notes.md).
    expect(corrections.candidate.accuracy).toBeGreaterThanOrEqual(0.6);
    expect(base.map((set) => set.set)).toEqual(['banking77-test.jsonl', 'social-en-2.jsonl', 'social-en.jsonl', 'zh-2.jsonl', 'zh.jsonl']);
    for (const set of base) expect(set.passed, `${set.set}: ${set.why}`).toBe(true);
    expect(record.evaluation).toMatchObject({ promote: true, against: committedVersion });
    expect(readManifest(registryDir).promoted).toEqual([record.version]);

    // The router follows the promotion without a restart, and its decisions name the new model.
    expect(live.refresh()).toBe(true);
    expect(swaps).toEqual([record.version]);
    const decision = live.classify('我发的红包对方说没收到');
    expect(decision).toMatchObject({ category: 'red_packet', classifierVersion: record.version });
    expect(Object.keys(decision.scores)).toContain('red_packet');

    // The same corrections again: nothing new to learn, nothing trained.
    const again = await retrain({ registryDir, taxonomy, corrections: await readCorrections(store) });
    expect(again).toMatchObject({ kind: 'unchanged', version: record.version });

    // An admin rolls back: the router is back on the committed model.
    expect(rollbackModel(registryDir, 'test rollback', 'admin.zhao')).toMatchObject({ from: record.version, to: undefined });
    expect(live.refresh()).toBe(true);
    expect(live.classify('我发的红包对方说没收到').classifierVersion).toBe(committedVersion);
  }, 600_000);
});
