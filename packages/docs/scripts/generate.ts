/**
 * `pnpm generate`: writes every generated file (topic schemas, AsyncAPI, the README's channel table, each
 * README's config tables). `--check` compares instead and exits 1 when a committed file is stale;
 * `--publish` freezes the current topic schemas as the published version later changes are checked against.
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { REPO_ROOT } from '@switchboard/runtime';
import { SCHEMA_VERSION } from '@switchboard/schema';
import { generatedFiles, topicSchemaFiles } from '../src/index.ts';

const check = process.argv.includes('--check');
let stale = 0;
for (const [file, content] of Object.entries(await generatedFiles(REPO_ROOT))) {
  const path = join(REPO_ROOT, file);
  if (check) {
    if (!existsSync(path) || readFileSync(path, 'utf8') !== content) {
      console.error(`stale: ${file}`);
      stale++;
    }
    continue;
  }
  if (existsSync(path) && readFileSync(path, 'utf8') === content) continue;
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, content);
  console.log(`wrote ${file}`);
}
if (process.argv.includes('--publish')) {
  for (const [file, content] of Object.entries(topicSchemaFiles())) {
    const target = join(REPO_ROOT, 'packages/schema/published', `v${SCHEMA_VERSION}`, file.slice('docs/schemas/'.length));
    mkdirSync(dirname(target), { recursive: true });
    writeFileSync(target, content);
    console.log(`published ${file} as v${SCHEMA_VERSION}`);
  }
}
if (stale > 0) {
  console.error(`${stale} generated file(s) differ: run \`pnpm generate\` and commit them`);
  process.exit(1);
}
