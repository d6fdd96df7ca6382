/**
 * Writes docs/schemas/<topic>.json (JSON Schema of each topic's value) and docs/asyncapi.yaml.
 * `--check` compares instead of writing and exits 1 when the committed files are stale.
 */
import { mkdirSync, readFileSync, writeFileSync, existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { generatedDocs } from '../src/generated-docs.ts';
import { SCHEMA_VERSION } from '../src/envelope.ts';

const repo = join(dirname(fileURLToPath(import.meta.url)), '../../..');
const check = process.argv.includes('--check');
const publish = process.argv.includes('--publish');
let stale = 0;
for (const [relative, content] of Object.entries(generatedDocs())) {
  const path = join(repo, relative);
  if (check) {
    if (!existsSync(path) || readFileSync(path, 'utf8') !== content) {
      console.error(`stale: ${relative}`);
      stale++;
    }
  } else {
    mkdirSync(dirname(path), { recursive: true });
    writeFileSync(path, content);
    console.log(`wrote ${relative}`);
  }
}
if (publish) {
  // Freezes the current schemas as the published version every later change is checked against.
  for (const [relative, content] of Object.entries(generatedDocs())) {
    if (!relative.startsWith('docs/schemas/')) continue;
    const target = join(repo, 'packages/schema/published', `v${SCHEMA_VERSION}`, relative.slice('docs/schemas/'.length));
    mkdirSync(dirname(target), { recursive: true });
    writeFileSync(target, content);
    console.log(`published ${relative} as v${SCHEMA_VERSION}`);
  }
}
if (stale > 0) {
  console.error(`${stale} generated file(s) differ: run \`pnpm schemas\` and commit them`);
  process.exit(1);
}
