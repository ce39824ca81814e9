#!/usr/bin/env node
// Regenerates man/tspub.1, man/tssub.1 and man/tsrr.1 from the option table (run after `npm run build`).
// test/unit/docs.test.ts fails when the committed pages differ from what this writes.
import { writeFileSync } from 'node:fs'
import { manPage } from '../dist/src/options/man.js'

for (const [tool, name] of [['pub', 'tspub'], ['sub', 'tssub'], ['rr', 'tsrr']]) {
  writeFileSync(new URL(`../man/${name}.1`, import.meta.url), manPage(tool))
}
