// The caller's ignored signals, read from the /proc SigIgn mask that bin/tspub and bin/tssub pass.
import assert from 'node:assert/strict'
import { test } from 'node:test'
import { ignoredByCaller } from '../../src/cli/signals.js'

test('SigIgn masks: bit n-1 is signal n; only the signals a tool could die of count', () => {
  // nohup: SIGHUP (1); a script's background job: SIGINT (2) and SIGQUIT (3); trap '' TERM: 15.
  assert.deepEqual([...ignoredByCaller('0000000000000001')], ['SIGHUP'])
  assert.deepEqual([...ignoredByCaller('0000000000000006')].sort(), ['SIGINT', 'SIGQUIT'])
  assert.deepEqual([...ignoredByCaller('\t0000000000004000\n')], ['SIGTERM'])
  // SIGPIPE (13) is ignored by Node anyway; it is not one of ours to keep.
  assert.deepEqual([...ignoredByCaller('0000000000001000')], [])
  for (const bad of [undefined, '', 'zz', '0x1', '1'.repeat(17)]) assert.equal(ignoredByCaller(bad).size, 0, String(bad))
})
