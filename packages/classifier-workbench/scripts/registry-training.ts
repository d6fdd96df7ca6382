/**
 * `pnpm train --registry` and `pnpm train --with-corrections`: a candidate trained for the model
 * registry and promoted only when the shadow evaluation passes (src/retrain.ts). The taxonomy is
 * the team's (--taxonomy, else SWITCHBOARD_TAXONOMY, else the package's). Corrections come from the
 * ticket store at DATABASE_URL, or from a file (--corrections) exported from GET /api/v1/corrections
 * when the store is the embedded PGlite, which only the process that runs it may open.
 */
import { isAbsolute, resolve } from 'node:path';
import { DEFAULT_TAXONOMY_PATH, loadTaxonomy, registryDirFromEnv } from '@switchboard/classifier';
import { openTicketStore, type Correction } from '@switchboard/ticket-store';
import { readCorrections, readCorrectionsFile } from '../src/corrections.ts';
import { RegistryBusyError } from '../src/registry-write.ts';
import { retrain } from '../src/retrain.ts';
import type { TrainingOptions } from '../src/train.ts';

export interface RegistryTrainingArgs {
  withCorrections: boolean;
  correctionsFile?: string;
  taxonomy?: string;
  registry?: string;
  tolerance?: string;
  by?: string;
}

const fromCaller = (path: string) => (isAbsolute(path) ? path : resolve(process.env.INIT_CWD ?? process.cwd(), path));

async function loadCorrections(args: RegistryTrainingArgs): Promise<Correction[] | undefined> {
  if (args.correctionsFile) return readCorrectionsFile(fromCaller(args.correctionsFile));
  if (!args.withCorrections) return undefined;
  const url = process.env.DATABASE_URL;
  if (!url) {
    throw new Error(
      '--with-corrections reads the ticket store at DATABASE_URL, which is not set. With the embedded PGlite (one process\'s database) ' +
        'export them instead: curl -H "authorization: Bearer $TOKEN" "http://127.0.0.1:8080/api/v1/corrections?excluded=false&limit=1000" > corrections.json, ' +
        'then pnpm train --corrections corrections.json',
    );
  }
  const store = await openTicketStore({ url });
  try {
    return await readCorrections(store);
  } finally {
    await store.close();
  }
}

/** Returns the process's exit code: 0 promoted or unchanged, 3 trained but not promoted, 4 another run holds the registry. */
export async function trainForRegistryOrBusy(args: RegistryTrainingArgs, training: TrainingOptions): Promise<number> {
  try {
    return await trainForRegistry(args, training);
  } catch (error) {
    if (!(error instanceof RegistryBusyError)) throw error;
    console.error(error.message);
    return 4;
  }
}

async function trainForRegistry(args: RegistryTrainingArgs, training: TrainingOptions): Promise<number> {
  const taxonomyPath = args.taxonomy ? fromCaller(args.taxonomy) : process.env.SWITCHBOARD_TAXONOMY ? fromCaller(process.env.SWITCHBOARD_TAXONOMY) : DEFAULT_TAXONOMY_PATH;
  const registryDir = args.registry ? fromCaller(args.registry) : registryDirFromEnv();
  const corrections = await loadCorrections(args);
  console.log(`registry ${registryDir}; taxonomy ${taxonomyPath}${corrections ? `; ${corrections.length} corrections not excluded` : ''}`);
  const outcome = await retrain({
    registryDir,
    taxonomy: loadTaxonomy(taxonomyPath),
    ...(corrections ? { corrections } : {}),
    training,
    ...(args.tolerance !== undefined ? { tolerance: Number(args.tolerance) } : {}),
    ...(args.by ? { by: args.by } : {}),
    log: (line) => console.log(line),
  });
  if (outcome.kind !== 'registered') return 0;
  const { evaluation } = outcome.record;
  for (const set of evaluation.sets) console.log(`  ${set.passed ? 'ok  ' : 'FAIL'} ${set.set.padEnd(22)} ${set.why}`);
  if (evaluation.priorityAgreement) {
    const { n, candidate, current } = evaluation.priorityAgreement;
    console.log(`  priority agrees with ${n} agents' priorities: ${candidate.toFixed(4)} (in use: ${current.toFixed(4)})`);
  }
  console.log(JSON.stringify({ version: outcome.record.version, promoted: evaluation.promote, dataHash: outcome.record.dataHash, corrections: outcome.record.corrections }));
  return evaluation.promote ? 0 : 3;
}
