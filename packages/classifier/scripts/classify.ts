/**
 * pnpm classify "text" [--subject "subject"] [--model model.json]: prints the full decision as JSON,
 * from the model the router would use (the registry's current one, else the committed model).
 */
import { parseArgs } from 'node:util';
import { loadClassifier } from '../src/classifier.ts';
import { LiveClassifier, registryDirFromEnv } from '../src/registry.ts';

const { values, positionals } = parseArgs({ allowPositionals: true, options: { subject: { type: 'string' }, model: { type: 'string' } } });
if (positionals.length === 0) {
  console.error('usage: pnpm classify "message text" [--subject "subject"] [--model model.json]');
  process.exit(2);
}
const classifier = values.model ? loadClassifier(values.model) : new LiveClassifier({ registryDir: registryDirFromEnv() });
console.log(JSON.stringify(classifier.classify(positionals.join(' '), values.subject), null, 2));
