/**
 * pnpm eval <file.jsonl> [--model path] [--decisions out.jsonl]: per-category precision/recall/F1,
 * accuracy, macro-F1 and the confusion matrix; the last line is one JSON object {"n", "accuracy",
 * "macroF1", "perCategory"}. --decisions also writes each line with the model's decision.
 * Relative paths are resolved against the directory pnpm was started from (INIT_CWD).
 */
import { writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { loadClassifier } from '@switchboard/classifier';
import { decisionLine, evaluateFile } from '../src/evaluate.ts';
import { formatReport } from '../src/metrics.ts';

const { values, positionals } = parseArgs({ allowPositionals: true, options: { model: { type: 'string' }, decisions: { type: 'string' } } });
const file = positionals[0];
if (!file) {
  console.error('usage: pnpm eval <file.jsonl> [--model model.json] [--decisions out.jsonl]');
  process.exit(2);
}
const callerDirectory = process.env.INIT_CWD ?? process.cwd();
const classifier = loadClassifier(values.model && resolve(callerDirectory, values.model));
const decisions: string[] = [];
const report = evaluateFile(classifier, resolve(callerDirectory, file), values.decisions === undefined ? undefined : (row, decision) => decisions.push(decisionLine(row, decision)));
if (values.decisions !== undefined) writeFileSync(resolve(callerDirectory, values.decisions), `${decisions.join('\n')}\n`);
console.log(`${file} with ${classifier.version}\n`);
console.log(formatReport(report));
const { n, accuracy, macroF1, perCategory } = report;
console.log(JSON.stringify({ n, accuracy, macroF1, perCategory }));
