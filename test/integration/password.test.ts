// Passwords off the command line: --pw-file, --pw-prompt (under a pseudo-terminal) and
// TSMQTT_PASSWORD; the password reaches CONNECT and never appears in any output.
import assert from 'node:assert/strict'
import { spawn } from 'node:child_process'
import { mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { test } from 'node:test'
import { connack, startFakeBroker, type Step } from '../helpers/fake-broker.js'
import { binPath, runCli } from '../helpers/run-cli.js'

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

test('--pw-prompt asks on the terminal without echo', { skip: process.platform !== 'linux' }, async () => {
  const b = await startFakeBroker(expectPassword('hunter2'))
  // util-linux `script` gives the tool a pseudo-terminal; the answer is typed once the prompt shows.
  const cmd = `${binPath('tspub')} -h 127.0.0.1 -p ${b.port} -u bob --pw-prompt -t t -m m`
  const child = spawn('script', ['-qec', cmd, '/dev/null'], { stdio: ['pipe', 'pipe', 'pipe'] })
  let screen = ''
  let typed = false
  child.stdout.on('data', (d: Buffer) => {
    screen += d.toString()
    if (!typed && screen.includes('Password for bob: ')) {
      typed = true
      // Type once the prompt is up (echo is off by then), as a person would.
      setTimeout(() => child.stdin.write('hunter2\n'), 200)
    }
  })
  const code = await new Promise<number | null>((resolve) => {
    const timer = setTimeout(() => child.kill('SIGKILL'), 10000)
    child.on('exit', (c) => {
      clearTimeout(timer)
      resolve(c)
    })
  })
  await b.done()
  await b.close()
  assert.equal(code, 0)
  assert.ok(!screen.includes('hunter2'), `the password was echoed: ${JSON.stringify(screen)}`)
})
