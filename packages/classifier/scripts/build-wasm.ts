/** pnpm build-wasm [--check]: assembles src/kernel.wat into src/kernel-wasm.ts; --check fails when the committed file differs. */
import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { assembleKernel, KERNEL_SOURCE_PATH, renderKernelModule } from './assemble-kernel.ts';

const { values } = parseArgs({ options: { check: { type: 'boolean', default: false } } });
const target = fileURLToPath(new URL('../src/kernel-wasm.ts', import.meta.url));
const rendered = renderKernelModule(await assembleKernel(readFileSync(KERNEL_SOURCE_PATH, 'utf8')));
if (values.check) {
  if (readFileSync(target, 'utf8') !== rendered) {
    console.error(`${target} does not match ${KERNEL_SOURCE_PATH}: run pnpm --filter @switchboard/classifier build-wasm`);
    process.exit(1);
  }
  console.log(`${target} matches ${KERNEL_SOURCE_PATH}`);
} else {
  writeFileSync(target, rendered);
  console.log(`wrote ${target}`);
}
