#!/usr/bin/env node
// Palaver runs its TypeScript sources directly through tsx: no build step between an edit and a run.
import { register } from 'tsx/esm/api';

register();
const { main } = await import('../app/cli.ts');
process.exitCode = await main(process.argv.slice(2));
