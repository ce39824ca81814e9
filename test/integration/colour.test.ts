// Colour as a person sees it, under a pseudo-terminal (util-linux `script`): the Error label on a
// terminal's stderr is coloured, nothing is when piped or with NO_COLOR, and payloads never are.
import assert from 'node:assert/strict'
import { spawn, spawnSync } from 'node:child_process'
import { test } from 'node:test'
import { connack, startFakeBroker } from '../helpers/fake-broker.js'
import { binPath, runCli } from '../helpers/run-cli.js'

const ESC = '\x1b['
const hasScript = spawnSync('script', ['--version']).status === 0

// Async: the fake broker runs in this process, so the child must not block the event loop.
function underTerminal(cmd: string, env: Record<string, string> = {}): Promise<string> {
  return new Promise((resolve) => {
    const child = spawn('script', ['-qec', cmd, '/dev/null'], {
      env: { PATH: process.env.PATH ?? '', TERM: 'xterm', XDG_CONFIG_HOME: '/nonexistent', ...env },
    })
    const chunks: Buffer[] = []
    child.stdout.on('data', (d: Buffer) => chunks.push(d))
    const timer = setTimeout(() => child.kill('SIGKILL'), 10000)
    child.on('close', () => {
      clearTimeout(timer)
      resolve(Buffer.concat(chunks).toString('latin1'))
    })
    child.stdin.end()
  })
}

test('a usage error is coloured on a terminal and plain through a pipe', { skip: !hasScript && 'util-linux script is missing' }, async () => {
  const screen = await underTerminal(`${binPath('tspub')} -q 3`)
  assert.ok(screen.includes(`${ESC}31m`) && screen.includes('Error:'), JSON.stringify(screen))
  assert.ok(!(await underTerminal(`${binPath('tspub')} -q 3`, { NO_COLOR: '1' })).includes(ESC), 'NO_COLOR must turn colour off')
  const piped = await runCli('tspub', ['-q', '3'], { env: { NO_COLOR: undefined, TERM: 'xterm' } })
  assert.ok(!piped.stderr.includes(ESC), 'no colour through a pipe')
})

test('-d on a terminal colours packet names but never the payload', { skip: !hasScript && 'util-linux script is missing' }, async () => {
  const b = await startFakeBroker([{ expect: { cmd: 'connect' } }, { send: connack(0) }, { expect: { cmd: 'publish' } }, { expect: { cmd: 'disconnect' } }])
  const screen = await underTerminal(`${binPath('tspub')} -h 127.0.0.1 -p ${b.port} -t t -m payload -d`)
  await b.close()
  assert.ok(screen.includes(`${ESC}1mPUBLISH`) || screen.includes('PUBLISH' + ESC), JSON.stringify(screen))
  const sub = await startFakeBroker([
    { expect: { cmd: 'connect' } }, { send: connack(0) }, { expect: { cmd: 'subscribe' } },
    { send: { cmd: 'suback', messageId: 1, granted: [0] } }, { send: { cmd: 'publish', topic: 't', payload: Buffer.from('plain payload'), qos: 0, retain: false, dup: false } },
  ])
  const subScreen = await underTerminal(`${binPath('tssub')} -h 127.0.0.1 -p ${sub.port} -t t -C 1 -v -d`)
  await sub.close()
  assert.ok(subScreen.includes('\nt plain payload\r\n') || subScreen.includes('\r\nt plain payload\r\n'), `payload line altered: ${JSON.stringify(subScreen)}`)
})
