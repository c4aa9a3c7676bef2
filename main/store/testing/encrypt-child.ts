import { openDatabase } from '../database';
import type { EncryptionStep } from '../store-migration';

/**
 * The encryption of an unencrypted store in its own process, for the crash test: opens `<file>`
 * with the key (hex) and kills itself with SIGKILL right after `<step>` (or finishes with `none`).
 *   node bin/run-ts.mjs main/store/testing/encrypt-child.ts <file> <keyHex> <step|none>
 */
const [file, keyHex, stopAfter] = process.argv.slice(2);
if (!file || !keyHex || !stopAfter) {
  process.stderr.write('usage: encrypt-child.ts <file> <keyHex> <step|none>\n');
  process.exit(2);
}
const db = openDatabase(file, Buffer.from(keyHex, 'hex'), {
  onEncryptionStep: (step: EncryptionStep) => {
    process.stdout.write(`step ${step}\n`);
    if (step === stopAfter) process.kill(process.pid, 'SIGKILL');
  },
});
db.close();
process.stdout.write('done\n');
