/**
 * pnpm eval <file.jsonl> [--model path]: per-category precision/recall/F1, accuracy, macro-F1 and
 * the confusion matrix; the last line is one JSON object {"n", "accuracy", "macroF1", "perCategory"}.
 * Relative paths are resolved against the directory pnpm was started from (INIT_CWD).
 */
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { loadClassifier } from '../src/classifier.ts';
import { evaluateFile } from '../src/evaluate.ts';
import { formatReport } from '../src/metrics.ts';

const { values, positionals } = parseArgs({ allowPositionals: true, options: { model: { type: 'string' } } });
const file = positionals[0];
if (!file) {
  console.error('usage: pnpm eval <file.jsonl> [--model model.json]');
  process.exit(2);
}
const callerDirectory = process.env.INIT_CWD ?? process.cwd();
const classifier = loadClassifier(values.model && resolve(callerDirectory, values.model));
const report = evaluateFile(classifier, resolve(callerDirectory, file));
console.log(`${file} with ${classifier.version}\n`);
console.log(formatReport(report));
const { n, accuracy, macroF1, perCategory } = report;
console.log(JSON.stringify({ n, accuracy, macroF1, perCategory }));
