// Output that cannot be written is a failure (issue 14, item 10): `> /dev/full` gives one clear
// line and exit 14 (libmosquitto's "system call failed"), for --help, --version and messages.
// A reader that went away (EPIPE, `| head -1`) took what it wanted and stays a success: see
// test/interop/outage.test.ts. mosquitto_sub 2.0.11 exits 0 on /dev/full (it checks ferror() and
// disconnects cleanly); its --help and --version exit 1 whatever happens.
import assert from 'node:assert/strict'
import { describe, test } from 'node:test'
import { connack, publish, startFakeBroker, suback, type Step } from '../helpers/fake-broker.js'
import { binPath, runCli } from '../helpers/run-cli.js'

const FULL = 'Error: Unable to write to stdout: No space left on device.\n'

// Runs one of our tools with stdout on /dev/full.
function toFull(tool: 'tspub' | 'tssub', args: string[]) {
  return runCli('/bin/sh', ['-c', 'exec "$0" "$@" > /dev/full', binPath(tool), ...args])
}

describe('stdout on /dev/full', () => {
  for (const tool of ['tspub', 'tssub'] as const) {
    for (const flag of ['--help', '--version']) {
      test(`${tool} ${flag}: exit 14 and says why`, async () => {
        const r = await toFull(tool, [flag])
        assert.equal(r.stderr, FULL)
        assert.equal(r.code, 14)
      })
    }
  }

  test('tssub: a message that cannot be written ends the run with exit 14, after a clean DISCONNECT', async () => {
    const any: Step = { expect: () => undefined }
    const broker = await startFakeBroker([
      any, { send: connack(0) }, any, { sendFn: (l) => suback(l.messageId, [0]) },
      { send: publish('t', 'lost to a full disk') }, { expect: { cmd: 'disconnect' } },
    ])
    try {
      const r = await toFull('tssub', ['-h', '127.0.0.1', '-p', String(broker.port), '-t', 't'])
      await broker.done()
      assert.equal(r.stderr, FULL)
      assert.equal(r.code, 14)
    } finally {
      await broker.close()
    }
  })
})
