// The README's tour, run as written (host and port pointed at a mosquitto started here): a
// newcomer following it must get what it says. TLS/PSK/WebSocket lines are covered, with their
// certificates, by tls.test.ts and transports.test.ts; the demo by test/integration/demo.test.ts.
import assert from 'node:assert/strict'
import { spawn } from 'node:child_process'
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { after, before, describe, test } from 'node:test'
import { setTimeout as sleep } from 'node:timers/promises'
import { mosquittoAvailable, requireMosquitto, startMosquitto, type Broker } from '../helpers/mosquitto.js'
import { binPath, runCli, spawnCli, type SpawnedCli } from '../helpers/run-cli.js'

let broker: Broker
const home = mkdtempSync(join(tmpdir(), 'tsmqtt-readme-'))
let ids = 0

async function subscribed(id: string): Promise<void> {
  for (let i = 0; i < 100; i++) {
    if (broker.log().includes(`Received SUBSCRIBE from ${id}`)) return
    await sleep(50)
  }
  throw new Error(`no SUBSCRIBE from ${id}`)
}

// A subscriber as in the README, plus -i so the test knows when it is listening.
async function sub(args: string[]): Promise<SpawnedCli> {
  const id = `readme-${++ids}`
  const s = spawnCli('tssub', ['-h', '127.0.0.1', '-p', String(broker.port), '-i', id, ...args], { timeoutMs: 15000 })
  await subscribed(id)
  return s
}

const at = (): string[] => ['-h', '127.0.0.1', '-p', String(broker.port)]

// A shell pipeline from the README, with `tspub` meaning our binary.
function shell(script: string): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn('sh', ['-c', script], { env: { ...process.env, TSPUB: binPath('tspub'), XDG_CONFIG_HOME: join(home, 'config') } })
    let stdout = ''
    let stderr = ''
    child.stdout.on('data', (d: Buffer) => (stdout += d))
    child.stderr.on('data', (d: Buffer) => (stderr += d))
    const timer = setTimeout(() => child.kill('SIGKILL'), 15000)
    child.on('close', (code) => {
      clearTimeout(timer)
      resolve({ code, stdout, stderr })
    })
  })
}

// Where bin/tspub and bin/tssub are, for recipes that call them by name.
const binDir = dirname(binPath('tspub'))

// The README's CI recipe: the sh block after the `ci-recipe` marker.
function ciRecipe(): string {
  const readme = readFileSync(fileURLToPath(new URL('../../../README.md', import.meta.url)), 'utf8')
  const block = /<!-- ci-recipe[^>]*-->\n```sh\n([\s\S]*?)```/.exec(readme)
  if (!block) throw new Error('README.md has no ci-recipe block')
  return block[1]
}

describe('the README tour', { skip: !mosquittoAvailable() && process.env.CI !== 'true' ? 'mosquitto not installed' : false }, () => {
  before(async () => {
    broker = await startMosquitto({ users: { monitor: 'cron-secret' } })
  })
  after(async () => {
    await broker?.stop()
  })

  test('a shell one-liner: publish, and tssub -v prints "sensors/temp 21.5"', async (t) => {
    if (!requireMosquitto(t)) return
    const s = await sub(['-u', 'monitor', '-P', 'cron-secret', '-t', 'sensors/#', '-v', '-C', '1'])
    const r = await runCli('tspub', [...at(), '-u', 'monitor', '-P', 'cron-secret', '-t', 'sensors/temp', '-m', '21.5'])
    assert.equal(r.code, 0, r.stderr)
    assert.equal((await s.result).stdout.toString(), 'sensors/temp 21.5\n')
  })

  test('the cron job: uptime | tspub --pw-file ... -q 1 -r -s with a will; the value is retained', async (t) => {
    if (!requireMosquitto(t)) return
    writeFileSync(join(home, 'mqtt-pw'), 'cron-secret\n')
    const r = await shell(`uptime | "$TSPUB" -h 127.0.0.1 -p ${broker.port} -u monitor --pw-file ${join(home, 'mqtt-pw')} -q 1 -r ` +
      `-t "hosts/$(hostname)/load" -s --will-topic "hosts/$(hostname)/status" --will-payload unreachable`)
    assert.equal(r.code, 0, r.stderr)
    // A dashboard that connects later sees the last value at once (retained).
    const later = await runCli('tssub', [...at(), '-u', 'monitor', '-P', 'cron-secret', '-t', 'hosts/+/load', '-C', '1', '-F', '%r %p'])
    assert.match(later.stdout.toString(), /^1 .*load average/)
  })

  test('debugging: -d prints the packet trace and -F %j one JSON object per message', async (t) => {
    if (!requireMosquitto(t)) return
    // '#' as in the README, minus the retained host status an earlier example left on the broker.
    const s = await sub(['-u', 'monitor', '-P', 'cron-secret', '-t', '#', '-R', '-d', '-F', '%j', '-C', '1'])
    await runCli('tspub', [...at(), '-u', 'monitor', '-P', 'cron-secret', '-t', 'debug/x', '-m', 'hi'])
    const out = (await s.result).stdout.toString()
    assert.match(out, /received PUBLISH \(d0, q0, r0, m0, 'debug\/x', \.\.\. \(2 bytes\)\)/)
    const json = out.split('\n').find((l) => l.startsWith('{'))!
    assert.equal(JSON.parse(json).payload, 'hi')
  })

  // The recipe exactly as the README writes it (only the broker's address and credentials put in),
  // ten runs in a row: it must not race (the old one, subscriber in the background and publish
  // next, passed 1 run in 10 on a loaded machine).
  test('the CI smoke test recipe, as written, 10 runs in a row: prints "up", exit 0', async (t) => {
    if (!requireMosquitto(t)) return
    const recipe = ciRecipe().replaceAll('-h broker', `-h 127.0.0.1 -p ${broker.port} -u monitor -P cron-secret`)
    for (let run = 1; run <= 10; run++) {
      const r = await shell(`PATH="${binDir}:$PATH"; set -e\n${recipe}`)
      assert.equal(r.code, 0, `run ${run}: ${r.stderr}`)
      assert.equal(r.stdout, 'up\n', `run ${run}`)
    }
  })

  test('the CI smoke test: 27 when nothing comes, 5 when not authorised', async (t) => {
    if (!requireMosquitto(t)) return
    const none = await runCli('tssub', [...at(), '-u', 'monitor', '-P', 'cron-secret', '-t', 'ci/never', '-C', '1', '-W', '1'])
    assert.equal(none.code, 27)
    assert.equal(none.stderr, 'Timed out\n')
    const refused = await runCli('tssub', [...at(), '-t', 'ci/ready', '-C', '1', '-W', '10'])
    assert.equal(refused.code, 5)
  })

  test('streaming lines: tail | tspub -q 1 -l delivers every line', async (t) => {
    if (!requireMosquitto(t)) return
    const log = join(home, 'app.log')
    writeFileSync(log, Array.from({ length: 50 }, (_, i) => `log line ${i}`).join('\n') + '\n')
    const s = await sub(['-u', 'monitor', '-P', 'cron-secret', '-t', 'logs/app', '-C', '50'])
    const r = await shell(`cat ${log} | "$TSPUB" -h 127.0.0.1 -p ${broker.port} -u monitor -P cron-secret -t logs/app -q 1 -l`)
    assert.equal(r.code, 0, r.stderr)
    assert.equal((await s.result).stdout.toString(), Array.from({ length: 50 }, (_, i) => `log line ${i}\n`).join(''))
  })

  test('the chat recipe: public messages reach everyone, private ones only their reader', async (t) => {
    if (!requireMosquitto(t)) return
    const auth = ['-u', 'monitor', '-P', 'cron-secret']
    const alice = await sub([...auth, '-t', 'chat/public', '-t', 'chat/private/alice', '-v', '-C', '2'])
    const bob = await sub([...auth, '-t', 'chat/public', '-t', 'chat/private/bob', '-v', '-C', '1'])
    await runCli('tspub', [...at(), ...auth, '-t', 'chat/public', '-m', 'hello all', '-q', '1'])
    await runCli('tspub', [...at(), ...auth, '-t', 'chat/private/alice', '-m', 'hi alice', '-q', '1'])
    assert.equal((await alice.result).stdout.toString(), 'chat/public hello all\nchat/private/alice hi alice\n')
    assert.equal((await bob.result).stdout.toString(), 'chat/public hello all\n')
  })

  test('a profile keeps the host and credentials out of the script', async (t) => {
    if (!requireMosquitto(t)) return
    mkdirSync(join(home, 'config', 'tsmqtt'), { recursive: true })
    writeFileSync(join(home, 'config', 'tsmqtt', 'prod'), `-h 127.0.0.1\n-p ${broker.port}\n-u monitor\n-P cron-secret\n`)
    const env = { XDG_CONFIG_HOME: join(home, 'config') }
    const s = spawnCli('tssub', ['--profile', 'prod', '-i', 'readme-profile', '-t', 'prof/x', '-C', '1'], { env, timeoutMs: 15000 })
    await subscribed('readme-profile')
    const r = await runCli('tspub', ['--profile', 'prod', '-t', 'prof/x', '-m', 'via profile', '-q', '1'], { env })
    assert.equal(r.code, 0, r.stderr)
    assert.equal((await s.result).stdout.toString(), 'via profile\n')
  })
})
