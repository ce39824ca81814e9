// The tssub program: bundled into dist/bundle/tssub.cjs and its start-up snapshot.
import { run } from './sub.js'
import { start } from './start.js'
import { warmUp } from './warm-up.js'

start(run, () => warmUp('sub'))
