// The README's request/response recipe, run exactly as written: its two shell blocks are read out
// of README.md and run by sh with tssub, tspub and tsrr on PATH, against a mosquitto started here
// (the blocks name no host or port: the options files point the tools at it, as a user's would).
import assert from 'node:assert/strict'
import { spawn, type ChildProcess } from 'node:child_process'
import { mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, before, describe, test } from 'node:test'
import { setTimeout as sleep } from 'node:timers/promises'
import { mosquittoAvailable, requireMosquitto, startMosquitto, type Broker } from '../helpers/mosquitto.js'
import { binPath, cleanEnv } from '../helpers/run-cli.js'

const TOOLS = ['tspub', 'tssub', 'tsrr'] as const

/** The two sh blocks that follow the README's "**Request/response**" paragraph. */
function recipe(): { responder: string; request: string } {
  const readme = readFileSync(new URL('../../../README.md', import.meta.url), 'utf8')
  const from = readme.indexOf('**Request/response**')
  assert.ok(from > 0, 'the README has no request/response recipe')
  const blocks = [...readme.slice(from).matchAll(/```sh\n([\s\S]*?)```/g)].slice(0, 2).map((m) => m[1])
  return { responder: blocks[0], request: blocks[1] }
}

let broker: Broker
const home = mkdtempSync(join(tmpdir(), 'tsrr-readme-'))
const bin = join(home, 'bin')
const config = join(home, 'config')

function sh(script: string): ChildProcess {
  return spawn('sh', ['-c', script], {
    env: cleanEnv({ PATH: `${bin}:${process.env.PATH}`, XDG_CONFIG_HOME: config }),
    stdio: ['ignore', 'pipe', 'pipe'],
    // its own process group, so that the whole responder pipeline can be stopped
    detached: true,
  })
}

function finished(child: ChildProcess): Promise<{ code: number | null; stdout: string; stderr: string }> {
  let stdout = ''
  let stderr = ''
  child.stdout!.on('data', (d: Buffer) => (stdout += d))
  child.stderr!.on('data', (d: Buffer) => (stderr += d))
  return new Promise((resolve) => child.on('close', (code) => resolve({ code, stdout, stderr })))
}

describe('the README request/response recipe', { skip: !mosquittoAvailable() && process.env.CI !== 'true' ? 'mosquitto not installed' : false }, () => {
  before(async () => {
    broker = await startMosquitto()
    mkdirSync(bin)
    mkdirSync(config)
    for (const tool of TOOLS) {
      symlinkSync(binPath(tool), join(bin, tool))
      // our options file and mosquitto's (whichever the tools read): the broker started here
      for (const name of [tool, `mosquitto_${tool.slice(2)}`]) writeFileSync(join(config, name), `-h 127.0.0.1\n-p ${broker.port}\n`)
    }
  })
  after(async () => {
    await broker?.stop()
    rmSync(home, { recursive: true, force: true })
  })

  test('the shell responder answers tsrr, request after request; without it tsrr exits 27', async (t) => {
    if (!requireMosquitto(t)) return
    const { responder, request } = recipe()
    const service = sh(responder)
    const serviceDone = finished(service)
    t.after(() => {
      try {
        process.kill(-service.pid!, 'SIGKILL')
      } catch { /* already gone */ }
    })
    // The service is up once the broker has its subscription (a real service starts long before).
    for (let i = 0; !broker.log().includes('\tservice/time (QoS 0)'); i++) {
      assert.ok(i < 200, 'the responder did not subscribe')
      await sleep(25)
    }
    for (let i = 0; i < 3; i++) {
      const r = await finished(sh(request))
      assert.equal(r.code, 0, r.stderr)
      assert.match(r.stdout, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ\n$/)
      assert.equal(r.stderr, '')
    }
    process.kill(-service.pid!, 'SIGTERM')
    await serviceDone
    const none = await finished(sh(request))
    assert.deepEqual([none.code, none.stdout, none.stderr], [27, '', 'Timed out\n'])
  })
})
