// The README's first command: `npm run demo` (scripts/demo.mjs) must work on a fresh machine,
// with no broker installed: it starts aedes in-process, subscribes with tssub, publishes with tspub.
import assert from 'node:assert/strict'
import { fileURLToPath } from 'node:url'
import { test } from 'node:test'
import { runCli } from '../helpers/run-cli.js'

test('the demo publishes three ways and the subscriber prints all five messages', async () => {
  const script = fileURLToPath(new URL('../../../scripts/demo.mjs', import.meta.url))
  const r = await runCli(process.execPath, [script], { timeoutMs: 30000 })
  assert.equal(r.code, 0, r.stderr)
  const out = r.stdout.toString()
  for (const line of ['tssub> demo/hello Hello from tspub', 'tssub> demo/qos2 exactly once', 'tssub> demo/lines line three']) {
    assert.ok(out.includes(line), `missing "${line}" in:\n${out}`)
  }
  assert.match(out, /tssub exited 0 after 5 messages/)
})
