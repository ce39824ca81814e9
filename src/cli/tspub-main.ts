// The tspub program: bundled into dist/bundle/tspub.cjs and its start-up snapshot.
import { run } from './pub.js'
import { start } from './start.js'
import { warmUp } from './warm-up.js'

start(run, () => warmUp('pub'))
