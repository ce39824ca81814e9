// Big packets from the broker (split from hostile-broker.test.ts, whose cases time keepalives: the
// tens of megabytes these cases allocate and read back would stall that file's in-process fake
// brokers, and with them its clocks). A legitimate big message is printed intact and held about
// once; what an unfinished one costs stays in proportion to what arrived.
import assert from 'node:assert/strict'
import { describe, test } from 'node:test'
import { startFakeBroker, suback, type Step } from '../helpers/fake-broker.js'
import { rssMb } from '../helpers/rss.js'
import { spawnCli, waitForOutput, type RunResult } from '../helpers/run-cli.js'

const HOST = ['-h', '127.0.0.1']
const hex = (s: string): Buffer => Buffer.from(s.replace(/\s+/g, ''), 'hex')
const any: Step = { expect: () => undefined }
// CONNECT answered, SUBSCRIBE (mid 1) granted QoS 0.
const subscribed: Step[] = [any, { send: hex('20 02 00 00') }, any, { send: suback(1, [0]) }]

function assertNoTrace(r: RunResult): void {
  assert.doesNotMatch(r.stderr, /^ {4}at /m, `stack trace on stderr:\n${r.stderr}`)
  assert.doesNotMatch(r.stderr, /node:internal|TypeError|RangeError|ReferenceError/, `internal error on stderr:\n${r.stderr}`)
}

// One at a time: each moves tens of megabytes through two processes, and on a loaded machine two
// together starve each other. The run bounds are hang guards; nothing here is timed.
describe('big packets from the broker', { concurrency: 1 }, () => {
  // A legitimate big message: printed intact, held about once. Today the parser's BufferList,
  // its slice() of the payload, and renderMessage's concat with "\n" each hold a copy (a
  // 200 MB message peaked at ~870 MB RSS), so 256 MB messages cost over 1 GB.
  test('a complete 64 MB PUBLISH is printed intact and held about once', async () => {
    const size = 64 * 1024 * 1024
    // Remaining length = topic length (2) + topic "t" (1) + payload, as a variable byte integer.
    const rl = 3 + size
    const header = Buffer.from([0x30, (rl & 0x7f) | 0x80, ((rl >> 7) & 0x7f) | 0x80, ((rl >> 14) & 0x7f) | 0x80, rl >> 21, 0x00, 0x01, 0x74])
    const broker = await startFakeBroker([...subscribed, { send: header }, { send: Buffer.alloc(size, 0x61) }])
    const sub = spawnCli('tssub', [...HOST, '-p', String(broker.port), '-t', '#', '-C', '1'], { timeoutMs: 30_000 })
    try {
      let peak = 0
      const poll = setInterval(() => { peak = Math.max(peak, rssMb(sub.child.pid as number) ?? 0) }, 50)
      const r = await sub.result
      clearInterval(poll)
      assertNoTrace(r)
      assert.equal(r.code, 0)
      assert.equal(r.stdout.length, size + 1)
      assert.ok(r.stdout.subarray(0, size).equals(Buffer.alloc(size, 0x61)), 'payload corrupted')
      assert.ok(peak < 2 * 64 + 60, `RSS peaked at ${peak.toFixed(0)} MB for a 64 MB message`)
    } finally {
      await broker.close()
    }
  })

  // A PUBLISH may legitimately be 256 MB, so the client must wait for it; what it buffers must
  // stay in proportion to what actually arrived (32 MB here), not to what was announced.
  test('a PUBLISH announcing 256 MB of which 32 MB arrive: tssub\'s RSS stays in proportion', async () => {
    const announced = hex('30 ff ff ff 7f 00 01 74')
    const delivered = Buffer.alloc(32 * 1024 * 1024, 0x61)
    const broker = await startFakeBroker([...subscribed, { send: announced }, { send: delivered }])
    const sub = spawnCli('tssub', [...HOST, '-p', String(broker.port), '-t', '#', '-d'], { timeoutMs: 30_000 })
    try {
      await waitForOutput(sub, 'received SUBACK', 15_000)
      const pid = sub.child.pid as number
      let peak = 0
      for (let i = 0; i < 15; i++) {
        await new Promise((resolve) => setTimeout(resolve, 100))
        peak = Math.max(peak, rssMb(pid) ?? 0)
      }
      assert.ok(peak > 0, 'tssub is not running')
      // Node + our modules take ~50 MB; the 32 MB delivered may be held once, not several times.
      assert.ok(peak < 32 + 100, `RSS peaked at ${peak.toFixed(0)} MB`)
      sub.child.kill('SIGTERM')
      const r = await sub.result
      assertNoTrace(r)
      assert.equal(r.code, 0)
    } finally {
      sub.child.kill('SIGKILL')
      await broker.close()
    }
  })
})
