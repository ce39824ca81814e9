// tspub -> a real broker -> tssub: byte-exact round trips at QoS 0, 1 and 2 (text, a 200 kB
// binary file, 2,000 lines), retained and will messages and a persistent session, through
// mosquitto 2.0.11, mosquitto 2.1.2 and aedes; refused connections (mosquitto).
import assert from 'node:assert/strict'
import { randomBytes } from 'node:crypto'
import { mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, before, describe, test, type TestContext } from 'node:test'
import { BROKER_KINDS, brokerAvailable, requireBroker, startBroker, type RealBroker } from '../helpers/brokers.js'
import { mosquittoAvailable, requireMosquitto, startMosquitto, type Broker } from '../helpers/mosquitto.js'
import { runCli, spawnCli, type SpawnedCli } from '../helpers/run-cli.js'

const scratch = mkdtempSync(join(tmpdir(), 'tsmqtt-roundtrip-'))

for (const kind of BROKER_KINDS) describe(`round trips through ${kind}`, () => {
  let broker: RealBroker
  let subscribers = 0
  // Start tssub on `topic` and wait until the broker has its subscription.
  async function subscriber(args: string[]): Promise<SpawnedCli> {
    const id = `rt-sub-${process.pid}-${++subscribers}`
    const sub = spawnCli('tssub', ['-h', '127.0.0.1', '-p', String(broker.port), '-i', id, ...args], { timeoutMs: 20000 })
    await broker.subscribed(id)
    return sub
  }
  const pub = (args: string[], opts: { stdin?: Buffer | string } = {}) =>
    runCli('tspub', ['-h', '127.0.0.1', '-p', String(broker.port), ...args], { stdin: opts.stdin, timeoutMs: 20000 })
  const skip = (t: TestContext): boolean => !requireBroker(t, kind)

  before(async () => {
    if (!brokerAvailable(kind) && process.env.CI !== 'true') return // each test skips, loudly
    // mosquitto queues at most 1,000 messages for a subscriber by default and drops the rest: a
    // loaded machine can leave tssub that far behind the 2,000-line bursts below.
    broker = await startBroker(kind, { extraConfig: 'max_queued_messages 0\n' })
  })
  after(() => broker?.stop())

  for (const qos of ['0', '1', '2']) {
    test(`QoS ${qos}: text, a 200 kB binary file and 2,000 lines arrive byte for byte`, async (t) => {
      if (skip(t)) return
      const binary = randomBytes(200 * 1024)
      const file = join(scratch, `payload-${qos}.bin`)
      writeFileSync(file, binary)
      const lines = Array.from({ length: 2000 }, (_, i) => `line ${i} ${'x'.repeat(i % 50)}`)
      const topic = `rt/q${qos}`
      const sub = await subscriber(['-t', topic, '-q', qos, '-C', String(2 + lines.length)])

      assert.equal((await pub(['-t', topic, '-q', qos, '-m', 'héllo wörld'])).code, 0)
      assert.equal((await pub(['-t', topic, '-q', qos, '-f', file])).code, 0)
      const l = await pub(['-t', topic, '-q', qos, '-l'], { stdin: lines.join('\n') + '\n' })
      assert.equal(l.code, 0, l.stderr)

      const r = await sub.result
      assert.equal(r.code, 0, r.stderr)
      const expected = Buffer.concat([Buffer.from('héllo wörld\n'), binary, Buffer.from('\n' + lines.join('\n') + '\n')])
      assert.equal(r.stdout.length, expected.length)
      assert.ok(r.stdout.equals(expected), 'subscriber output differs from what was published')
    })
  }

  test('a retained message is delivered to a later subscriber, flagged retained', async (t) => {
    if (skip(t)) return
    assert.equal((await pub(['-t', 'rt/retained', '-r', '-q', '1', '-m', 'kept'])).code, 0)
    const r = await runCli('tssub', ['-h', '127.0.0.1', '-p', String(broker.port), '-t', 'rt/retained', '-C', '1', '-F', '%r %t %p'])
    assert.equal(r.code, 0)
    assert.equal(r.stdout.toString(), '1 rt/retained kept\n')
    // -n -r clears it again.
    assert.equal((await pub(['-t', 'rt/retained', '-r', '-n'])).code, 0)
  })

  test('the will is published when a client vanishes', async (t) => {
    if (skip(t)) return
    const watcher = await subscriber(['-t', 'rt/will', '-C', '1', '-v'])
    const doomed = await subscriber(['-t', 'rt/nothing', '-k', '5', '--will-topic', 'rt/will', '--will-payload', 'client died', '--will-qos', '1'])
    doomed.child.kill('SIGKILL')
    const r = await watcher.result
    assert.equal(r.stdout.toString(), 'rt/will client died\n')
    await doomed.result.catch(() => undefined)
  })

  test('a persistent session gets what was published while it was away, once', async (t) => {
    if (skip(t)) return
    const id = `rt-session-${process.pid}`
    const created = await runCli('tssub', ['-h', '127.0.0.1', '-p', String(broker.port), '-c', '-i', id, '-q', '1', '-t', 'rt/session', '-E'])
    assert.equal(created.code, 0, created.stderr)
    assert.equal((await pub(['-t', 'rt/session', '-q', '1', '-m', 'while away'])).code, 0)
    const r = await runCli('tssub', ['-h', '127.0.0.1', '-p', String(broker.port), '-c', '-i', id, '-q', '1', '-t', 'rt/session', '-C', '1', '-v'])
    assert.equal(r.code, 0, r.stderr)
    assert.equal(r.stdout.toString(), 'rt/session while away\n')
  })
})

describe('refused connections (mosquitto 2.0.11)', { skip: !mosquittoAvailable() && process.env.CI !== 'true' ? 'mosquitto not installed' : false }, () => {
  let authBroker: Broker
  before(async () => {
    authBroker = await startMosquitto({ users: { alice: 'wonderland' } })
  })
  after(() => authBroker?.stop())
  const pub = (args: string[]) => runCli('tspub', ['-h', '127.0.0.1', '-p', String(authBroker.port), ...args], { timeoutMs: 20000 })

  test('a refused connection exits with the CONNACK code and mosquitto\'s text', async (t) => {
    if (!requireMosquitto(t)) return
    const r = await pub(['-t', 't', '-m', 'm', '-u', 'alice', '-P', 'wrong'])
    assert.equal(r.code, 5)
    assert.equal(r.stderr, 'Connection error: Connection Refused: not authorised\nError: The connection was refused\n')
    const s = await runCli('tssub', ['-h', '127.0.0.1', '-p', String(authBroker.port), '-t', 't', '-u', 'alice', '-P', 'nope'])
    assert.equal(s.code, 5)
    assert.equal(s.stderr, 'Connection error: Connection Refused: not authorised\n')
    const ok = await pub(['-t', 't', '-m', 'm', '-u', 'alice', '-P', 'wonderland', '-q', '1'])
    assert.equal(ok.code, 0, ok.stderr)
  })
})
