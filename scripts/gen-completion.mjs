#!/usr/bin/env node
// Regenerates completion/tspub.bash and completion/_tspub (zsh) from the option table (run after
// `npm run build`). test/unit/completion.test.ts fails when the committed files differ from what
// this writes.
import { mkdirSync, writeFileSync } from 'node:fs'
import { bashCompletion, zshCompletion } from '../dist/src/options/completion.js'

mkdirSync(new URL('../completion/', import.meta.url), { recursive: true })
writeFileSync(new URL('../completion/tspub.bash', import.meta.url), bashCompletion())
writeFileSync(new URL('../completion/_tspub', import.meta.url), zshCompletion())
