// tsrr against the scripted fake broker: the packets of a request/response exchange (order, ids,
// properties, subscription options), which message is the answer, the acknowledgement of the
// answer only once it is printed, and every way the exchange can fail.
import assert from 'node:assert/strict'
import { spawn } from 'node:child_process'
import { closeSync, mkdtempSync, openSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { test, type TestContext } from 'node:test'
import mqtt, { type IPublishPacket } from 'mqtt-packet'
import {
  connack, disconnect, puback, pubcomp, publish, pubrec, pubrel, startFakeBroker, suback, type FakeBroker, type Packet, type Step,
} from '../helpers/fake-broker.js'
import { binPath, cleanEnv, runCli, type RunResult } from '../helpers/run-cli.js'

const connected: Step[] = [{ expect: { cmd: 'connect' } }, { send: connack(0) }]
const subscribed = (granted = 0): Step[] => [{ expect: { cmd: 'subscribe' } }, { sendFn: (last) => suback(last.messageId, [granted]) }]

// The request tsrr sends: QoS 0 unless asked, to t/req, answered on t/resp.
const REQUEST = ['-t', 't/req', '-e', 't/resp', '-m', 'question']

async function fake(t: TestContext, script: Step[]): Promise<FakeBroker> {
  const b = await startFakeBroker(script)
  t.after(() => b.close())
  return b
}

function rr(b: FakeBroker, args: string[]): Promise<RunResult> {
  return runCli('tsrr', ['-h', '127.0.0.1', '-p', String(b.port), ...args])
}

// The correlation data of the request (the last packet the script matched), for an answer.
const correlationOf = (p: Packet): Buffer => (p as IPublishPacket).properties!.correlationData!

// An answer to the request just received: on t/resp, with its correlation data.
const answer = (payload: string, opts: Parameters<typeof publish>[2] = {}): Step =>
  ({ sendFn: (req) => publish('t/resp', payload, { ...opts, properties: { correlationData: correlationOf(req), ...opts.properties } }) })

test('the exchange: CONNECT with receive-maximum 1, SUBSCRIBE to -e, the request only after the SUBACK, the answer, DISCONNECT', async (t) => {
  let subackSent = false
  const b = await fake(t, [
    { expect: { cmd: 'connect', protocolVersion: 5, clientId: '', clean: true, keepalive: 60, properties: { receiveMaximum: 1 } } },
    { send: connack(0) },
    { expect: { cmd: 'subscribe', messageId: 1, subscriptions: [{ topic: 't/resp', qos: 1, nl: false, rap: false, rh: 0 }] } },
    // Time for a request sent too early to arrive before the SUBACK is sent.
    { wait: 200 },
    { sendFn: (last) => { subackSent = true; return suback(last.messageId, [1]) } },
    { expect: (p) => {
      assert.ok(subackSent)
      assert.equal(p.cmd, 'publish')
      const req = p as IPublishPacket
      assert.deepEqual([req.topic, req.qos, req.retain, req.messageId, req.payload.toString()], ['t/req', 1, false, 2, 'question'])
      assert.equal(req.properties?.responseTopic, 't/resp')
      assert.match(correlationOf(req).toString('latin1'), /^tsrr-[0-9a-z]+-[0-9a-z]+-[0-9a-z]+$/)
    } },
    { sendFn: (last) => puback(last.messageId) },
    answer('the answer', { qos: 1, messageId: 5 }),
    { expect: { cmd: 'puback', messageId: 5 } },
    { expect: { cmd: 'disconnect', reasonCode: 0 } },
    { expectClose: true },
  ])
  const r = await rr(b, [...REQUEST, '-q', '1'])
  await b.done()
  assert.equal(r.code, 0, r.stderr)
  assert.equal(r.stdout.toString(), 'the answer\n')
  assert.equal(r.stderr, '')
  assert.equal(b.received.filter((p) => p.cmd === 'publish').length, 1)
})

test('the request carries the -D publish properties in their order, then the correlation data, then the response topic', async (t) => {
  const b = await fake(t, [...connected, ...subscribed(), { expect: { cmd: 'publish' } }, answer('ok'), { expect: { cmd: 'disconnect' } }])
  const r = await rr(b, [...REQUEST, '-D', 'publish', 'user-property', 'z', '1', '-D', 'publish', 'content-type', 'c', '-D', 'publish', 'user-property', 'a', '2'])
  await b.done()
  assert.equal(r.code, 0, r.stderr)
  const raw = b.rawReceived
  const at = (s: string): number => raw.indexOf(Buffer.from(s))
  // user property z, content type, user property a, correlation data (tsrr-…), response topic
  const order = [at('\x26\x00\x01z'), at('\x03\x00\x01c'), at('\x26\x00\x01a'), at('\x09\x00'), at('\x08\x00\x06t/resp')]
  assert.ok(order.every((o) => o > 0), String(order))
  assert.deepEqual([...order].sort((x, y) => x - y), order)
})

test('-D publish correlation-data is used as is and matched; --correlation off adds nothing (mosquitto_rr\'s request)', async (t) => {
  const given = await fake(t, [...connected, ...subscribed(),
    { expect: { cmd: 'publish', properties: { correlationData: Buffer.from('mine'), responseTopic: 't/resp' } } },
    { send: publish('t/resp', 'other', { properties: { correlationData: Buffer.from('theirs') } }) },
    { send: publish('t/resp', 'right', { properties: { correlationData: Buffer.from('mine') } }) },
    { expect: { cmd: 'disconnect' } }])
  const r1 = await rr(given, [...REQUEST, '-D', 'publish', 'correlation-data', 'mine'])
  await given.done()
  assert.equal(r1.stdout.toString(), 'right\n')
  const off = await fake(t, [...connected, ...subscribed(),
    { expect: (p) => assert.deepEqual((p as IPublishPacket).properties, { responseTopic: 't/resp' }) },
    { send: publish('t/resp', 'anything', { properties: { correlationData: Buffer.from('theirs') } }) },
    { expect: { cmd: 'disconnect' } }])
  const r2 = await rr(off, [...REQUEST, '--correlation', 'off'])
  await off.done()
  assert.equal(r2.stdout.toString(), 'anything\n')
})

test('an answer without correlation data: skipped by default (-W ends the wait), taken with --correlation lenient', async (t) => {
  const script = (): Step[] => [...connected, ...subscribed(), { expect: { cmd: 'publish' } },
    { send: publish('t/resp', 'no echo') }, { expect: { cmd: 'disconnect' } }]
  const strict = await fake(t, script())
  const r1 = await rr(strict, [...REQUEST, '-W', '1'])
  await strict.done()
  assert.deepEqual([r1.code, r1.stdout.toString(), r1.stderr], [27, '', 'Timed out\n'])
  const lenient = await fake(t, script())
  const r2 = await rr(lenient, [...REQUEST, '--correlation', 'lenient'])
  await lenient.done()
  assert.deepEqual([r2.code, r2.stdout.toString()], [0, 'no echo\n'])
})

test('-W: "Timed out", DISCONNECT with reason 4 (will) and the -D disconnect properties, exit 27; --quiet says nothing', async (t) => {
  for (const quiet of [false, true]) {
    const b = await fake(t, [...connected, ...subscribed(), { expect: { cmd: 'publish' } },
      { expect: { cmd: 'disconnect', reasonCode: 4, properties: { sessionExpiryInterval: 0 } } }])
    const r = await rr(b, [...REQUEST, '-W', '1', '-D', 'disconnect', 'session-expiry-interval', '0', ...(quiet ? ['--quiet'] : [])])
    await b.done()
    assert.deepEqual([r.code, r.stdout.toString(), r.stderr], [27, '', quiet ? '' : 'Timed out\n'])
  }
})

test('-R: SUBSCRIBE asks for no retained messages (options 0x20), and a retained one that comes anyway is skipped', async (t) => {
  const b = await fake(t, [...connected,
    { expect: { cmd: 'subscribe', subscriptions: [{ topic: 't/resp', qos: 0, rh: 2, rap: false, nl: false }] } },
    { sendFn: (last) => suback(last.messageId, [0]) },
    { expect: { cmd: 'publish' } },
    { sendFn: (req) => publish('t/resp', 'stale', { retain: true, properties: { correlationData: correlationOf(req) } }) },
    answer('fresh'),
    { expect: { cmd: 'disconnect' } }])
  const r = await rr(b, [...REQUEST, '-R'])
  await b.done()
  assert.equal(r.stdout.toString(), 'fresh\n')
})

test('a refused subscription: the reason, no request, DISCONNECT, exit with the SUBACK code (mosquitto_rr exits 0)', async (t) => {
  for (const [args, code, text] of [[[], 135, 'Not authorized\n'], [['-V', '311'], 128, 'Unspecified error\n']] as const) {
    const b = await fake(t, [...connected, ...subscribed(code), { expect: { cmd: 'disconnect' } }, { expectClose: true }])
    const r = await rr(b, [...REQUEST, ...args])
    await b.done()
    assert.deepEqual([r.code, r.stdout.toString(), r.stderr], [code, '', text])
    assert.equal(b.received.some((p) => p.cmd === 'publish'), false)
  }
})

test('a refused request (MQTT v5 PUBACK 0x87): tspub\'s warning, DISCONNECT, exit 135 at once', async (t) => {
  const b = await fake(t, [...connected, ...subscribed(1), { expect: { cmd: 'publish', qos: 1 } },
    { sendFn: (last) => puback(last.messageId, 0x87) }, { expect: { cmd: 'disconnect' } }])
  const r = await rr(b, [...REQUEST, '-q', '1'])
  await b.done()
  assert.deepEqual([r.code, r.stderr], [135, 'Warning: Publish 2 failed: Not authorized.\n'])
})

test('the broker ends the connection before the answer: DISCONNECT with a reason, or a plain close, exits 7 (mosquitto_rr: 0 / 7)', async (t) => {
  const byDisconnect = await fake(t, [...connected, ...subscribed(), { expect: { cmd: 'publish' } }, { send: disconnect(0x8e) }])
  const r1 = await rr(byDisconnect, REQUEST)
  await byDisconnect.done()
  assert.deepEqual([r1.code, r1.stdout.toString()], [7, ''])
  assert.match(r1.stderr, /^Error: The connection was lost.*Session taken over.*\n$/)
  const byClose = await fake(t, [...connected, ...subscribed(), { expect: { cmd: 'publish' } }, { close: true }])
  const r2 = await rr(byClose, REQUEST)
  await byClose.done()
  assert.deepEqual([r2.code, r2.stderr], [7, 'Error: The connection was lost\n'])
})

test('a refused connection: the reason in MQTT v5 and v3 words, exit with its code', async (t) => {
  const cases: [string[], number, string][] = [
    [[], 135, 'Connection error: Not authorized\n'],
    [['-V', '311'], 5, 'Connection error: Connection Refused: not authorised\n'],
    // a v3-only broker answering a v5 CONNECT (aedes): say what to do
    [[], 132, 'Connection error: Unsupported Protocol Version. Try connecting to an MQTT v5 broker, or use MQTT v3.x mode.\n'],
  ]
  for (const [args, code, text] of cases) {
    const b = await fake(t, [{ expect: { cmd: 'connect' } }, { send: connack(code) }])
    const r = await rr(b, [...REQUEST, ...args])
    assert.deepEqual([r.code, r.stderr], [code, text])
  }
})

test('QoS above the broker\'s maximum: subscribed, then the request is refused locally, exit 24', async (t) => {
  const b = await fake(t, [{ expect: { cmd: 'connect' } }, { send: connack(0, { properties: { maximumQoS: 1 } }) },
    ...subscribed(1), { expect: { cmd: 'disconnect' } }])
  const r = await rr(b, [...REQUEST, '-q', '2'])
  await b.done()
  assert.equal(r.code, 24)
  assert.match(r.stderr, /^Error: .*QoS.*\n$/)
  assert.equal(b.received.some((p) => p.cmd === 'publish'), false)
})

// stdout is a file, not a pipe: a write to it has reached the file when write() returns, so the
// broker can see, when the acknowledgement arrives, whether the answer was printed before it.
async function printedBeforeAck(t: TestContext, qos: 1 | 2): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'tsrr-ack-'))
  t.after(() => rmSync(dir, { recursive: true, force: true }))
  const out = join(dir, 'stdout')
  const printed = (): string => readFileSync(out, 'utf8')
  const b = await fake(t, [...connected, ...subscribed(qos), { expect: { cmd: 'publish' } },
    ...(qos === 1 ? [] : [{ sendFn: (last: Packet) => pubrec(last.messageId) }, { expect: { cmd: 'pubrel' } }, { sendFn: (last: Packet) => pubcomp(last.messageId) }] as Step[]),
    ...(qos === 1 ? [{ sendFn: (last: Packet) => puback(last.messageId) }] as Step[] : []),
    { sendFn: () => publish('t/resp', 'printed first', { qos, messageId: 9, properties: { correlationData: correlationOf(b.received.find((p) => p.cmd === 'publish')!) } }) },
    ...(qos === 1
      ? [{ expect: (p: Packet) => { assert.equal(p.cmd, 'puback'); assert.equal(printed(), 'printed first\n') } }]
      : [{ expect: { cmd: 'pubrec', messageId: 9 } }, { send: pubrel(9) },
          { expect: (p: Packet) => { assert.equal(p.cmd, 'pubcomp'); assert.equal(printed(), 'printed first\n') } }]) as Step[],
    { expect: { cmd: 'disconnect' } }])
  const fd = openSync(out, 'w')
  const child = spawn(binPath('tsrr'), ['-h', '127.0.0.1', '-p', String(b.port), ...REQUEST, '-q', String(qos)],
    { stdio: ['ignore', fd, 'pipe'], env: cleanEnv() })
  closeSync(fd)
  const code = await new Promise((resolve) => child.once('exit', resolve))
  await b.done()
  assert.equal(code, 0)
  assert.equal(printed(), 'printed first\n')
}

test('a QoS 1 answer is printed before its PUBACK leaves', (t) => printedBeforeAck(t, 1))
test('a QoS 2 answer is printed before its PUBCOMP leaves', (t) => printedBeforeAck(t, 2))

test('nothing after the answer is acknowledged (it stays with the broker); a skipped message is', async (t) => {
  const b = await fake(t, [...connected, ...subscribed(1), { expect: { cmd: 'publish' } },
    { sendFn: (req) => {
      const cd = correlationOf(req)
      // In one write: someone else's answer, ours, and one more after it.
      return Buffer.concat([
        publish('t/resp', 'foreign', { qos: 1, messageId: 3, properties: { correlationData: Buffer.from('other') } }),
        publish('t/resp', 'ours', { qos: 1, messageId: 4, properties: { correlationData: cd } }),
        publish('t/resp', 'late', { qos: 1, messageId: 5, properties: { correlationData: cd } }),
      ].map((p) => mqtt.generate(p, { protocolVersion: 5 })))
    } },
    { expect: { cmd: 'puback', messageId: 3 } },
    { expect: { cmd: 'puback', messageId: 4 } },
    { expect: { cmd: 'disconnect' } },
    { expectClose: true },
  ])
  const r = await rr(b, [...REQUEST, '-q', '1'])
  await b.done()
  assert.deepEqual([r.code, r.stdout.toString()], [0, 'ours\n'])
  assert.equal(b.received.some((p) => p.cmd === 'puback' && p.messageId === 5), false)
})

test('a QoS 2 answer whose PUBREL does not come, or whose connection ends first, is still the answer (it was acknowledged)', async (t) => {
  for (const after of [[{ expect: { cmd: 'disconnect' } }], [{ close: true }]] as Step[][]) {
    const b = await fake(t, [...connected, ...subscribed(2), { expect: { cmd: 'publish' } },
      answer('held', { qos: 2, messageId: 6 }), { expect: { cmd: 'pubrec', messageId: 6 } },
      // while the answer waits for its PUBREL, anything else stays unacknowledged
      { send: publish('t/resp', 'late', { qos: 1, messageId: 7 }) }, ...after])
    const r = await rr(b, [...REQUEST, '-q', '2', '--correlation', 'lenient'])
    await b.done()
    assert.deepEqual([r.code, r.stdout.toString(), r.stderr], [0, 'held\n', ''])
    assert.equal(b.received.some((p) => p.cmd === 'puback'), false)
  }
})

test("-t '' and -e '' are refused while parsing (as mosquitto 2.1); -D with -V 311 before connecting", async (t) => {
  const b = await fake(t, [])
  const refusals: [string[], string][] = [
    [['-t', '', '-e', 'r', '-m', 'x'], "Error: Invalid publish topic '', does it contain '+' or '#'?\n"],
    [['-t', 't', '-e', '', '-m', 'x'], "Error: Invalid response topic '', does it contain '+' or '#'?\n"],
  ]
  for (const [args, text] of refusals) {
    const r = await rr(b, args)
    assert.deepEqual([r.code, r.stderr], [1, `${text}\nUse 'tsrr --help' to see usage.\n`])
  }
  const r = await rr(b, [...REQUEST, '-D', 'publish', 'user-property', 'a', 'b', '-V', '311'])
  assert.deepEqual([r.code, r.stderr], [1, 'Unable to connect (This feature is not supported).\n'])
  assert.equal(b.connections, 0)
})

test('--latency prints the round trip after the answer, in mosquitto 2.1\'s words', async (t) => {
  const b = await fake(t, [...connected, ...subscribed(), { expect: { cmd: 'publish' } }, answer('pong'), { expect: { cmd: 'disconnect' } }])
  const r = await rr(b, [...REQUEST, '--latency', '-v'])
  await b.done()
  assert.match(r.stdout.toString(), /^t\/resp pong\nLatency: (\d+ns|\d+\.\d{6}(µs|ms)|\d+\.\d{9})\n$/)
})
