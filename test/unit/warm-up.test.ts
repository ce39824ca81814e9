// The start-up snapshot's warm-up must really run a session against its in-memory broker:
// otherwise it silently warms nothing (and start-up gets slower without any test failing).
import assert from 'node:assert/strict'
import { test } from 'node:test'
import { warmUp } from '../../src/cli/warm-up.js'

test('the warm-up runs a whole publish, subscribe and request session without an error', async () => {
  assert.deepEqual(await warmUp('pub'), [])
  assert.deepEqual(await warmUp('sub'), [])
  assert.deepEqual(await warmUp('rr'), [])
})
