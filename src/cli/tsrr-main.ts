// The tsrr program: bundled into dist/bundle/tsrr.cjs and its start-up snapshot.
import { run } from './rr.js'
import { start } from './start.js'
import { warmUp } from './warm-up.js'

start(run, () => warmUp('rr'))
