/**
 * pnpm model <command>: the model registry (SWITCHBOARD_MODELS_DIR, else SWITCHBOARD_DATA_DIR/models).
 *   list                          every stored model: version, when, data, scores, which one is in use
 *   show <version>                one model's record as JSON
 *   rollback [--reason TEXT]      back to the model in use before the last promotion
 *   promote <version> --reason T  put a stored model in use by hand
 *   [--by NAME] who does it (default: $USER); [--registry DIR] another registry
 * A running router follows the change within its poll interval, without a restart.
 */
import { parseArgs } from 'node:util';
import { currentVersion, readManifest, registryDirFromEnv, type RegisteredModel } from '@switchboard/classifier';
import { promoteModel, rollbackModel, withRegistryLock } from '../src/registry-write.ts';

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: { reason: { type: 'string' }, by: { type: 'string' }, registry: { type: 'string' } },
});
const [command, version] = positionals;
const dir = values.registry ?? registryDirFromEnv();
const by = values.by ?? process.env.USER;

function summary(model: RegisteredModel): string {
  const base = model.evaluation.sets.filter((set) => set.kind === 'base');
  const corrections = model.evaluation.sets.find((set) => set.kind === 'corrections');
  const scores = base.map((set) => `${set.set} ${set.candidate.accuracy.toFixed(4)}`).join(', ');
  const learnt = corrections ? `; held-out corrections ${corrections.candidate.accuracy.toFixed(4)} (was ${corrections.current.accuracy.toFixed(4)})` : '';
  return `${model.createdAt}  data ${model.dataHash.slice(0, 12)}  corrections ${model.corrections.trained}+${model.corrections.heldOut} held out  ${scores}${learnt}`;
}

async function main(): Promise<void> {
  switch (command) {
    case 'list': {
      const manifest = readManifest(dir);
      const current = currentVersion(manifest);
      console.log(`registry ${dir}; in use: ${current ?? 'the committed model'}`);
      for (const model of Object.values(manifest.models)) {
        const mark = model.version === current ? '*' : manifest.promoted.includes(model.version) ? '^' : ' ';
        console.log(`${mark} ${model.version}  ${model.evaluation.promote ? 'passed' : 'rejected'}  ${summary(model)}`);
      }
      for (const entry of manifest.events.slice(-10)) console.log(`  ${entry.at} ${entry.action} ${entry.version ?? 'committed model'}${entry.by ? ` by ${entry.by}` : ''}: ${entry.reason}`);
      return;
    }
    case 'show': {
      const model = version && readManifest(dir).models[version];
      if (!model) throw new Error(`no model ${version ?? '(none given)'} in ${dir}`);
      console.log(JSON.stringify(model, null, 2));
      return;
    }
    case 'rollback': {
      const { from, to } = await withRegistryLock(dir, () => rollbackModel(dir, values.reason ?? 'rolled back by hand', by));
      console.log(`rolled back from ${from} to ${to ?? 'the committed model'}`);
      return;
    }
    case 'promote': {
      if (!version || !values.reason) throw new Error('usage: pnpm model promote <version> --reason "why"');
      await withRegistryLock(dir, () => promoteModel(dir, version, values.reason!, by));
      console.log(`promoted ${version}`);
      return;
    }
    default:
      console.error('usage: pnpm model list | show <version> | rollback [--reason TEXT] | promote <version> --reason TEXT');
      process.exit(2);
  }
}

main().catch((error: unknown) => {
  console.error((error as Error).message);
  process.exit(1);
});
