#!/usr/bin/env node
// The IT staff's command line. Runs the TypeScript sources directly (tsx), so it works in a
// fresh checkout right after `npm ci`; packaged builds ship the same entry.
import { register } from 'tsx/esm/api';

register();
const { main } = await import('../main/cli/cli.ts');
process.exitCode = await main(process.argv.slice(2));
