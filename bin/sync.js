#!/usr/bin/env node
// The `sync` / `c2c-sync` launcher: runs the compiled CLI from dist/ (built by `npm run build`).
import { access } from 'node:fs/promises';

const entry = new URL('../dist/cli/main.js', import.meta.url);
try {
  await access(entry);
} catch {
  process.stderr.write('sync: dist/ is missing: run `npm run build` first.\n');
  process.exit(1);
}
const { main } = await import(entry.href);
await main();
