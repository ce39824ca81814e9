// Passwords off the command line: --pw-file, --pw-prompt (under a pseudo-terminal) and
// TSMQTT_PASSWORD; the password reaches CONNECT and never appears in any output.
import assert from 'node:assert/strict'
import { execFileSync } from 'node:child_process'
import { mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { test } from 'node:test'
import { connack, startFakeBroker, type Step } from '../helpers/fake-broker.js'
import { runCli } from '../helpers/run-cli.js'

const dir = mkdtempSync(join(tmpdir(), 'tsmqtt-pw-'))
const expectPassword = (password: string): Step[] => [
  { expect: { cmd: 'connect', username: 'bob', password } },
  { send: connack(0) },
  { expect: { cmd: 'publish', topic: 't' } },
  { expect: { cmd: 'disconnect' } },
]

test('--pw-file sends the first line of the file, without its line ending', async () => {
  const file = join(dir, 'pw')
  writeFileSync(file, 's3cret pass\r\nsecond line\n')
  const b = await startFakeBroker(expectPassword('s3cret pass'))
  const r = await runCli('tspub', ['-h', '127.0.0.1', '-p', String(b.port), '-u', 'bob', '--pw-file', file, '-t', 't', '-m', 'm', '-d'])
  await b.done()
  await b.close()
  assert.equal(r.code, 0, r.stderr)
  assert.ok(!r.stdout.includes('s3cret'), 'the password must not appear in -d output')
})

test('TSMQTT_PASSWORD is used with -u when no password option is given; -P wins over it', async () => {
  const b = await startFakeBroker(expectPassword('from-env'))
  const r = await runCli('tspub', ['-h', '127.0.0.1', '-p', String(b.port), '-u', 'bob', '-t', 't', '-m', 'm'], { env: { TSMQTT_PASSWORD: 'from-env' } })
  await b.done()
  await b.close()
  assert.equal(r.code, 0, r.stderr)
  const b2 = await startFakeBroker(expectPassword('explicit'))
  const r2 = await runCli('tspub', ['-h', '127.0.0.1', '-p', String(b2.port), '-u', 'bob', '-P', 'explicit', '-t', 't', '-m', 'm'], { env: { TSMQTT_PASSWORD: 'from-env' } })
  await b2.done()
  await b2.close()
  assert.equal(r2.code, 0, r2.stderr)
})

test('--pw-file that cannot be read: one clear line, exit 1', async () => {
  const r = await runCli('tspub', ['-u', 'bob', '--pw-file', join(dir, 'missing'), '-t', 't', '-m', 'm'])
  assert.equal(r.code, 1)
  assert.equal(r.stderr, `Error: --pw-file: cannot read ${join(dir, 'missing')} (No such file or directory).\n`)
})

test('--pw-prompt without a terminal refuses instead of hanging', async () => {
  const r = await runCli('tssub', ['-u', 'bob', '--pw-prompt', '-t', 't'])
  assert.equal(r.code, 1)
  assert.match(r.stderr, /^Error: --pw-prompt needs a terminal/)
})

test('--pw-file naming a directory, an empty file or one whose first line is empty: one clear line, exit 1, nothing sent', async () => {
  const empty = join(dir, 'empty')
  writeFileSync(empty, '')
  const blankFirst = join(dir, 'blank-first')
  writeFileSync(blankFirst, '\nsecret\n')
  const cases: [string, string][] = [
    [dir, `Error: --pw-file: cannot read ${dir} (Is a directory).\n`],
    [empty, `Error: --pw-file: ${empty} is empty, so there is no password to send (-P '' sends an empty one).\n`],
    [blankFirst, `Error: --pw-file: the first line of ${blankFirst} is empty, so there is no password to send (-P '' sends an empty one).\n`],
  ]
  const b = await startFakeBroker([])
  for (const [file, text] of cases) {
    const r = await runCli('tspub', ['-h', '127.0.0.1', '-p', String(b.port), '-u', 'bob', '--pw-file', file, '-t', 't', '-m', 'm'])
    assert.equal(r.code, 1)
    assert.equal(r.stderr, text)
  }
  await b.close()
  assert.equal(b.connections, 0)
})

test('--pw-file reads a file whose size reads 0 (a FIFO) to its end', { skip: process.platform !== 'linux' }, async () => {
  const fifo = join(dir, 'fifo')
  execFileSync('mkfifo', [fifo])
  const b = await startFakeBroker(expectPassword('from a fifo'))
  const run = runCli('tspub', ['-h', '127.0.0.1', '-p', String(b.port), '-u', 'bob', '--pw-file', fifo, '-t', 't', '-m', 'm'])
  // The writer blocks until the tool opens the FIFO to read it.
  writeFileSync(fifo, 'from a fifo\n')
  const r = await run
  await b.done()
  await b.close()
  assert.equal(r.code, 0, r.stderr)
})

test('--pw-file without -u (MQTT v3.x) is refused before the file is read', async () => {
  const r = await runCli('tspub', ['--pw-file', join(dir, 'missing'), '-t', 't', '-m', 'm'])
  assert.equal(r.code, 1)
  assert.equal(r.stderr, 'Error: --pw-file needs -u: MQTT v3.x sends a password only with a user name.\n')
})
