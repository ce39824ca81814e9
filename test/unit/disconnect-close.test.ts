// Who closes the connection after tssub's or tsrr's DISCONNECT (src/cli/connect.ts): the client at
// once when the broker has nothing left to read that matters, else the broker (our last
// acknowledgements of a persistent session, the DISCONNECT that withholds a will, its properties).
import assert from 'node:assert/strict'
import { test } from 'node:test'
import { brokerMustReadDisconnect } from '../../src/cli/connect.js'
import { parseCommandLine } from '../../src/options/parse.js'
import type { Tool } from '../../src/options/table.js'
import type { Options } from '../../src/options/types.js'

const NO_CONFIG = { XDG_CONFIG_HOME: '/nonexistent-tsmqtt-test', HOME: '/nonexistent-tsmqtt-test' }

function parse(tool: Tool, args: string[]): Options {
  const r = parseCommandLine(tool, args, NO_CONFIG)
  assert.equal(r.kind, 'run')
  return (r as { options: Options }).options
}

const cases: [Tool, string[], boolean][] = [
  ['sub', ['-t', 't'], false],
  ['sub', ['-t', 't', '-V', '5'], false],
  ['sub', ['-t', 't', '-q', '2', '-C', '1'], false],
  ['sub', ['-t', 't', '-c', '-i', 'id'], true],
  ['sub', ['-t', 't', '-c', '-i', 'id', '-V', '5'], true],
  ['sub', ['-t', 't', '-x', '60'], true],
  ['sub', ['-t', 't', '-V', '5', '-D', 'connect', 'session-expiry-interval', '60'], true],
  ['sub', ['-t', 't', '--will-topic', 'w', '--will-payload', 'gone'], true],
  ['sub', ['-t', 't', '-V', '5', '-D', 'disconnect', 'user-property', 'k', 'v'], true],
  ['rr', ['-t', 'req', '-e', 'res', '-m', 'x'], false],
  ['rr', ['-t', 'req', '-e', 'res', '-m', 'x', '--will-topic', 'w'], true],
]

for (const [tool, args, expected] of cases) {
  test(`${tool} ${args.join(' ')}: ${expected ? 'waits for the broker to close' : 'closes at once'}`, () => {
    assert.equal(brokerMustReadDisconnect(parse(tool, args)), expected)
  })
}
