import { fileURLToPath } from 'node:url';
import initWabt from 'wabt';

export const KERNEL_SOURCE_PATH = fileURLToPath(new URL('../src/kernel.wat', import.meta.url));

/** The WebAssembly binary of a kernel's text source (bulk memory and sign extension are the features it uses). */
export async function assembleKernel(source: string): Promise<Uint8Array> {
  const wabt = await initWabt();
  const parsed = wabt.parseWat('kernel.wat', source, { bulk_memory: true, sign_extension: true });
  try {
    parsed.resolveNames();
    parsed.validate();
    return parsed.toBinary({}).buffer;
  } finally {
    parsed.destroy();
  }
}

/** The generated module: the binary as base64, 76 characters a line so diffs stay readable. */
export function renderKernelModule(binary: Uint8Array): string {
  const lines = Buffer.from(binary).toString('base64').match(/.{1,76}/g) ?? [];
  return [
    '// Generated from kernel.wat by `pnpm --filter @switchboard/classifier build-wasm`; do not edit.',
    'export const KERNEL_WASM_BASE64 =',
    lines.map((line) => `  '${line}'`).join(' +\n') + ';',
    '',
  ].join('\n');
}
