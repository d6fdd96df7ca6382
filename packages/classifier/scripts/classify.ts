/** pnpm classify "text" [--subject "subject"]: prints the full decision as JSON. */
import { parseArgs } from 'node:util';
import { loadClassifier } from '../src/classifier.ts';

const { values, positionals } = parseArgs({ allowPositionals: true, options: { subject: { type: 'string' } } });
if (positionals.length === 0) {
  console.error('usage: pnpm classify "message text" [--subject "subject"]');
  process.exit(2);
}
console.log(JSON.stringify(loadClassifier().classify(positionals.join(' '), values.subject), null, 2));
