// --pw-prompt at a real (pseudo-)terminal: keys typed as a person types them, and what reached a
// scripted fake broker. The prompt comes before stdin is read, edits like sudo's, and Ctrl-C or
// Ctrl-D abort it with nothing sent.
import assert from 'node:assert/strict'
import { test } from 'node:test'
import { connack, startFakeBroker, type Step } from '../helpers/fake-broker.js'
import { hasPty, onPty } from '../helpers/pty.js'
import { runCli } from '../helpers/run-cli.js'

const skip = !hasPty && 'needs util-linux script (Linux)'
const PROMPT = 'Password for bob: '
const BACKSPACE = '\x7f'
const CTRL_C = '\x03'
const CTRL_D = '\x04'
const CTRL_U = '\x15'
// Run after the tool on its terminal: says whether the terminal echoes again.
const ECHO_STATE = "stty -a | grep -q ' -echo ' && echo 'echo is off' || echo 'echo is on'"

const publishes = (password: string, payloads: string[], username = 'bob'): Step[] => [
  { expect: { cmd: 'connect', username, password } },
  { send: connack(0) },
  ...payloads.map((payload) => ({ expect: { cmd: 'publish' as const, topic: 't', payload } })),
  { expect: { cmd: 'disconnect' } },
]

test('tspub -s asks first, then reads the message from the same terminal; Backspace edits', { skip }, async () => {
  const b = await startFakeBroker(publishes('hunter2', ['the message\n']))
  const t = onPty('tspub', ['-h', '127.0.0.1', '-p', String(b.port), '-u', 'bob', '--pw-prompt', '-t', 't', '-s'])
  await t.waitFor(PROMPT)
  t.type(`hunXX${BACKSPACE}${BACKSPACE}ter2\r`)
  // The prompt ends its line once the terminal is back in its normal mode: then type the message.
  await t.waitFor('\n', t.screen().indexOf(PROMPT))
  t.type(`the message\r${CTRL_D}`)
  const r = await t.result
  await b.done()
  await b.close()
  assert.equal(r.code, 0, t.screen())
  assert.ok(!t.screen().includes('hunter2'), `the password was echoed: ${JSON.stringify(t.screen())}`)
})

test('tspub -l: lines typed after the password, and lines pasted with it, are all published', { skip }, async () => {
  const b = await startFakeBroker(publishes('pw', ['pasted 1', 'pasted 2', 'typed']))
  const t = onPty('tspub', ['-h', '127.0.0.1', '-p', String(b.port), '-u', 'bob', '--pw-prompt', '-t', 't', '-l'])
  await t.waitFor(PROMPT)
  // One write: already waiting at the terminal when the prompt reads its Enter.
  t.type('pw\rpasted 1\rpasted X\x7f2\r')
  await t.waitFor('pasted 2')
  t.type(`typed\r${CTRL_D}`)
  const r = await t.result
  await b.done()
  await b.close()
  assert.equal(r.code, 0, t.screen())
})

test('Ctrl-U clears the line; v5 without -u asks "Password: "', { skip }, async () => {
  const b = await startFakeBroker([
    { expect: { cmd: 'connect', protocolVersion: 5, password: 'right' } },
    { send: connack(0) },
    { expect: { cmd: 'publish', topic: 't', payload: 'm' } },
    { expect: { cmd: 'disconnect' } },
  ], { protocolVersion: 5 })
  const t = onPty('tspub', ['-h', '127.0.0.1', '-p', String(b.port), '-V', '5', '--pw-prompt', '-t', 't', '-m', 'm'])
  await t.waitFor('Password: ')
  t.type(`wrong${CTRL_U}right\r`)
  const r = await t.result
  await b.done()
  await b.close()
  assert.equal(r.code, 0, t.screen())
})

for (const [key, name, code, text] of [
  [CTRL_C, 'Ctrl-C', 130, ''],
  [CTRL_D, 'Ctrl-D on an empty line', 1, 'Error: no password was provided.'],
] as const) {
  test(`${name} at the prompt: nothing is sent, exit ${code}, the terminal echoes again`, { skip }, async () => {
    const b = await startFakeBroker([])
    const t = onPty('tspub', ['-h', '127.0.0.1', '-p', String(b.port), '-u', 'bob', '--pw-prompt', '-t', 't', '-m', 'm'], ECHO_STATE)
    await t.waitFor(PROMPT)
    // Ctrl-D ends only an empty line: typed text is cleared first.
    t.type(`abc${CTRL_U}${key}`)
    const r = await t.result
    await b.close()
    assert.equal(r.code, code, t.screen())
    assert.equal(b.connections, 0)
    assert.ok(t.screen().includes(text), t.screen())
    assert.ok(t.screen().includes('echo is on'), t.screen())
  })
}

test('tssub: Ctrl-C at the prompt exits 130 with nothing sent', { skip }, async () => {
  const b = await startFakeBroker([])
  const t = onPty('tssub', ['-h', '127.0.0.1', '-p', String(b.port), '-u', 'bob', '--pw-prompt', '-t', 't'])
  await t.waitFor(PROMPT)
  t.type(`x${CTRL_C}`)
  const r = await t.result
  await b.close()
  assert.equal(r.code, 130, t.screen())
  assert.equal(b.connections, 0)
})

test('--pw-prompt without -u (MQTT v3.x) is refused before asking', async () => {
  for (const tool of ['tspub', 'tssub']) {
    const args = tool === 'tspub' ? ['--pw-prompt', '-t', 't', '-m', 'm'] : ['--pw-prompt', '-t', 't']
    const r = await runCli(tool, args)
    assert.equal(r.code, 1)
    assert.equal(r.stderr, 'Error: --pw-prompt needs -u: MQTT v3.x sends a password only with a user name.\n')
  }
})
