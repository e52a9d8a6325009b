// The parse kernels' compilation, shared by scripts/build-wasm.mjs and the test that checks its output.
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import initWabt from 'wabt';

export const KERNELS_WAT = join(dirname(fileURLToPath(import.meta.url)), '..', 'src', 'main', 'heap', 'kernels.wat');

/** The bytes of kernels.wat compiled, without names or debug sections, so that they depend on the source only. */
export async function compileKernelsWat(): Promise<Uint8Array> {
  const wabt = await initWabt();
  const module = wabt.parseWat('kernels.wat', readFileSync(KERNELS_WAT, 'utf8'));
  try {
    module.validate();
    return module.toBinary({ log: false, write_debug_names: false }).buffer;
  } finally {
    module.destroy();
  }
}
