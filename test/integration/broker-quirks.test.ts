// Brokers that are not mosquitto (issue 14, items 1-4), played packet by packet by fake brokers:
// RabbitMQ's QoS downgrade (PUBACK for a QoS 2 PUBLISH), aedes' 3.1.1-only CONNACK to a v5
// CONNECT, a v5 DISCONNECT with an error reason, topic aliases sent by the broker (Paho's test
// broker, mosquitto 2.1), SUBACKs that grant less than asked, acks for ids nothing waits for.
// Every case must end deterministically: the right output and exit status, never a hang.
// mosquitto's own behaviour (2.0.11 and 2.1.2, from the same scripts) is noted per case.
import assert from 'node:assert/strict'
import { describe, test } from 'node:test'
import { connack, disconnect, puback, pubcomp, publish, pubrec, pubrel, startFakeBroker, suback, type FakeBroker, type Step } from '../helpers/fake-broker.js'
import { runCli, type RunResult } from '../helpers/run-cli.js'

const HOST = ['-h', '127.0.0.1']
const hex = (s: string): Buffer => Buffer.from(s.replace(/\s+/g, ''), 'hex')
const any: Step = { expect: () => undefined }

async function play(tool: 'tspub' | 'tssub', args: string[], script: Step[] | Step[][], timeoutMs = 8000): Promise<{ r: RunResult; broker: FakeBroker }> {
  const broker = await startFakeBroker(script)
  try {
    const r = await runCli(tool, [...HOST, '-p', String(broker.port), ...args], { timeoutMs })
    return { r, broker }
  } finally {
    await broker.close()
  }
}

const cmds = (b: FakeBroker): string[] => b.received.map((p) => p.cmd === 'disconnect' && p.reasonCode ? `disconnect:${p.reasonCode}` : p.cmd)

describe('acknowledgements of the other QoS, or for no message (item 1)', () => {
  // mosquitto_pub 2.0.11/2.1.2: "Error: A network protocol error occurred...", exit 2.
  for (const v of ['311', '5'] as const) {
    test(`tspub -q 2 -V ${v} answered with PUBACK (RabbitMQ's QoS downgrade): protocol error, exit 2, no hang`, async () => {
      const { r, broker } = await play('tspub', ['-V', v, '-q', '2', '-t', 't', '-m', 'x'], [
        any, { send: connack(0) }, { expect: { cmd: 'publish', qos: 2 } }, { sendFn: (l) => puback(l.messageId) }, { wait: 10_000 },
      ])
      assert.equal(r.code, 2, r.stderr)
      assert.equal(r.stderr, 'Error: A network protocol error occurred when communicating with the broker ' +
        '(PUBACK for QoS 2 message 1: the broker handled it as QoS 1 (it may not support QoS 2: try -q 1)).\n')
      // [MQTT-4.13.1-1] a v5 client says why it closes.
      assert.deepEqual(cmds(broker), v === '5' ? ['connect', 'publish', 'disconnect:130'] : ['connect', 'publish'])
    })
  }

  test('tspub -q 1 answered with PUBREC: protocol error, exit 2', async () => {
    const { r } = await play('tspub', ['-q', '1', '-t', 't', '-m', 'x'], [
      any, { send: connack(0) }, { expect: { cmd: 'publish', qos: 1 } }, { sendFn: (l) => pubrec(l.messageId) }, { wait: 10_000 },
    ])
    assert.equal(r.code, 2, r.stderr)
    assert.match(r.stderr, /^Error: A network protocol error occurred when communicating with the broker \(PUBREC for QoS 1 message 1: the broker handled it as QoS 2\)\.\n$/)
  })

  // mosquitto_pub logs a warning and waits forever here.
  test('tspub -q 1 answered with a PUBACK for another id: protocol error, exit 2, no hang', async () => {
    const { r } = await play('tspub', ['-q', '1', '-t', 't', '-m', 'x', '-d', '-i', 'me'], [
      any, { send: connack(0) }, { expect: { cmd: 'publish', qos: 1 } }, { sendFn: (l) => puback(l.messageId! + 7) }, { wait: 10_000 },
    ])
    assert.equal(r.code, 2, r.stderr)
    assert.match(r.stdout.toString(), /Warning: Received PUBACK from me for an unknown packet identifier 8\.\n/)
    assert.match(r.stderr, /\(PUBACK for packet identifier 8, which nothing was waiting for\)/)
  })

  // mosquitto (2.0.11 and 2.1.2) completes a QoS 2 message on PUBCOMP even without PUBREC first.
  test('tspub -q 2 answered with PUBCOMP straight away: complete, exit 0 (as mosquitto)', async () => {
    const { r, broker } = await play('tspub', ['-q', '2', '-t', 't', '-m', 'x'], [
      any, { send: connack(0) }, { expect: { cmd: 'publish', qos: 2 } }, { sendFn: (l) => pubcomp(l.messageId) },
      { expect: { cmd: 'disconnect' } },
    ])
    assert.equal(r.code, 0, r.stderr)
    assert.deepEqual(cmds(broker), ['connect', 'publish', 'disconnect'])
  })

  test('tssub answered with a SUBACK for another id: protocol error, exit 2, no hang', async () => {
    const { r } = await play('tssub', ['-t', 't', '-E'], [any, { send: connack(0) }, { expect: { cmd: 'subscribe' } }, { send: suback(9, [0]) }, { wait: 10_000 }])
    assert.equal(r.code, 2, r.stderr)
    assert.match(r.stderr, /\(SUBACK for packet identifier 9, which nothing was waiting for\)/)
  })

  // The same as mosquitto_sub: the granted QoS is what the broker may use; messages at QoS 1 print.
  test('tssub -q 2 granted QoS 1 receives QoS 1 messages (acknowledged with PUBACK)', async () => {
    const { r, broker } = await play('tssub', ['-q', '2', '-t', 't', '-C', '1', '-d', '-i', 'me'], [
      any, { send: connack(0) }, { expect: { cmd: 'subscribe', subscriptions: [{ topic: 't', qos: 2 }] } },
      { sendFn: (l) => suback(l.messageId, [1]) }, { send: publish('t', 'hello', { qos: 1, messageId: 5 }) },
      { expect: { cmd: 'puback', messageId: 5 } }, { expect: { cmd: 'disconnect' } },
    ])
    assert.equal(r.code, 0, r.stderr)
    assert.match(r.stdout.toString(), /Subscribed \(mid: 1\): 1\n/)
    assert.match(r.stdout.toString(), /\nhello\n/)
    assert.deepEqual(cmds(broker), ['connect', 'subscribe', 'puback', 'disconnect'])
  })

  test('tssub with two filters, one granted less and one refused: carries on with the granted one', async () => {
    const { r } = await play('tssub', ['-q', '2', '-t', 'a', '-t', 'b', '-C', '1', '-v'], [
      any, { send: connack(0) }, any, { sendFn: (l) => suback(l.messageId, [0, 0x80]) },
      { send: publish('a', 'one', { qos: 0 }) }, { expect: { cmd: 'disconnect' } },
    ])
    assert.equal(r.code, 0, r.stderr)
    assert.equal(r.stdout.toString(), 'a one\n')
  })
})

describe('a v5 CONNECT answered by a 3.1.1-only broker (item 2: aedes sends 20 02 00 01)', () => {
  // mosquitto 2.0.11's text and status; 2.1.2 says "Malformed packet" (21), and its
  // mosquitto_sub reconnects forever.
  test('tspub: "Unsupported Protocol Version" and exit 132', async () => {
    const { r } = await play('tspub', ['-V', '5', '-t', 't', '-m', 'x', '-d', '-i', 'me'], [any, { send: hex('20 02 00 01') }, { wait: 10_000 }])
    assert.equal(r.code, 132)
    assert.equal(r.stdout.toString(), 'Client me sending CONNECT\nClient me received CONNACK (132)\n')
    assert.equal(r.stderr, 'Connection error: Unsupported Protocol Version. Try connecting to an MQTT v5 broker, or use MQTT v3.x mode.\n' +
      'Error: A network protocol error occurred when communicating with the broker\n')
  })

  test('tssub: the same text, one line, exit 132, no retry', async () => {
    const { r, broker } = await play('tssub', ['-V', '5', '-t', 't'], [any, { send: hex('20 02 00 01') }, { wait: 10_000 }])
    assert.equal(r.code, 132)
    assert.equal(r.stderr, 'Connection error: Unsupported Protocol Version. Try connecting to an MQTT v5 broker, or use MQTT v3.x mode.\n')
    assert.equal(broker.connections, 1)
  })

  test('a 2-byte CONNACK with another code under v5 is malformed: protocol error, exit 2', async () => {
    const { r } = await play('tspub', ['-V', '5', '-t', 't', '-m', 'x'], [any, { send: hex('20 02 00 05') }, { wait: 10_000 }])
    assert.equal(r.code, 2, r.stderr)
    assert.match(r.stderr, /malformed CONNACK/)
  })

  test('the same bytes to a v3.1.1 CONNECT are the usual refusal (exit 1)', async () => {
    const { r } = await play('tspub', ['-t', 't', '-m', 'x'], [any, { send: hex('20 02 00 01') }])
    assert.equal(r.code, 1)
    assert.equal(r.stderr, 'Connection error: Connection Refused: unacceptable protocol version\nError: The connection was refused\n')
  })
})

describe('a broker DISCONNECT with a reason (item 3)', () => {
  const subscribeThen = (...steps: Step[]): Step[] => [any, { send: connack(0) }, { expect: { cmd: 'subscribe' } }, ...steps]
  // mosquitto_sub 2.0.11 exits 0 silently; 2.1.2 reconnects forever.
  for (const extra of [[], ['-E']]) {
    test(`tssub ${extra.join(' ')}: an error reason (0x81) is said and ends the run, exit 7, no reconnect`, async () => {
      const { r, broker } = await play('tssub', ['-V', '5', '-t', 't', ...extra], [subscribeThen({ send: disconnect(0x81) }, { wait: 10_000 })])
      assert.equal(r.code, 7)
      assert.equal(r.stderr, 'Error: The connection was lost: the broker sent DISCONNECT (Malformed Packet, reason code 129).\n')
      assert.equal(broker.connections, 1)
    })
  }

  test("tssub: the broker's reason string is part of the message", async () => {
    const { r } = await play('tssub', ['-V', '5', '-t', 't'], [subscribeThen(
      { send: { cmd: 'disconnect', reasonCode: 0xa1, properties: { reasonString: 'no subscription identifiers here' } } }, { wait: 10_000 })])
    assert.equal(r.code, 7)
    assert.equal(r.stderr, 'Error: The connection was lost: the broker sent DISCONNECT (Subscription identifiers not supported, reason code 161): no subscription identifiers here.\n')
  })

  // A broker going down for maintenance is like a lost network: come back when it does.
  test('tssub: "Server shutting down" (0x8B) is retried, as a lost connection is', async () => {
    const { r, broker } = await play('tssub', ['-V', '5', '-t', 't', '-C', '1'], [
      subscribeThen({ send: disconnect(0x8b) }),
      subscribeThen({ sendFn: (l) => suback(l.messageId, [0]) }, { send: publish('t', 'back', { qos: 0 }) }, { expect: { cmd: 'disconnect' } }),
    ])
    assert.equal(r.code, 0, r.stderr)
    assert.equal(r.stdout.toString(), 'back\n')
    assert.equal(broker.connections, 2)
  })
})

describe('topic aliases from the broker (item 4)', () => {
  const v5sub = ['-V', '5', '-D', 'connect', 'topic-alias-maximum', '5', '-t', '#']
  const aliased = (topic: string, payload: string, alias: number): Step => ({ send: publish(topic, payload, { qos: 0, properties: { topicAlias: alias } }) })
  const session = (...steps: Step[]): Step[] => [any, { send: hex('20 03 00 00 00') }, any, { sendFn: (l) => suback(l.messageId, [0]) }, ...steps]

  test('every message printed with its topic, in -v, %t, %j and -d', async () => {
    const { r } = await play('tssub', [...v5sub, '-C', '3', '-d', '-i', 'me', '-F', '%t|%A|%j'], [session(
      aliased('a/b', 'one', 1), aliased('', 'two', 1), aliased('c', 'three', 2), { expect: { cmd: 'disconnect' } })])
    assert.equal(r.code, 0, r.stderr)
    const out = r.stdout.toString()
    assert.match(out, /received PUBLISH \(d0, q0, r0, m0, 'a\/b', \.\.\. \(3 bytes\)\)\na\/b\|1\|\{[^\n]*"topic":"a\/b"[^\n]*"payload":"one"/)
    assert.match(out, /received PUBLISH \(d0, q0, r0, m0, 'a\/b', \.\.\. \(3 bytes\)\)\na\/b\|1\|\{[^\n]*"topic":"a\/b"[^\n]*"payload":"two"/)
    assert.match(out, /'c', \.\.\. \(5 bytes\)\)\nc\|2\|/)
  })

  test('-v after an alias is reset to another topic', async () => {
    const { r } = await play('tssub', [...v5sub, '-C', '3', '-v'], [session(
      aliased('x', '1', 3), aliased('y', '2', 3), aliased('', '3', 3), { expect: { cmd: 'disconnect' } })])
    assert.equal(r.stdout.toString(), 'x 1\ny 2\ny 3\n')
  })

  for (const [name, steps, text] of [
    ['an alias never set', [aliased('', 'x', 2)], /topic alias 2, which the broker never set/],
    ['an alias above the maximum we allow', [aliased('t', 'x', 6)], /topic alias 6, above the maximum of 5 this client allows/],
    ['alias 0', [aliased('t', 'x', 0)], /topic alias 0, above the maximum/],
  ] as const) {
    test(`${name}: DISCONNECT 0x94 (Topic Alias invalid), protocol error, exit 2`, async () => {
      const { r, broker } = await play('tssub', v5sub, [[...session(...steps), { expect: { cmd: 'disconnect', reasonCode: 0x94 } }]])
      assert.equal(r.code, 2, r.stderr)
      assert.match(r.stderr, text)
      assert.equal(r.stdout.toString(), '')
      assert.equal(broker.connections, 1)
    })
  }

  test('without -D connect topic-alias-maximum any alias is invalid (the maximum is 0)', async () => {
    const { r } = await play('tssub', ['-V', '5', '-t', '#'], [[...session(aliased('t', 'x', 1)), { expect: { cmd: 'disconnect', reasonCode: 0x94 } }]])
    assert.equal(r.code, 2)
  })

  test('aliases do not survive a reconnect', async () => {
    const { r } = await play('tssub', [...v5sub, '-C', '2', '-v'], [
      session(aliased('t', 'first', 1), { close: true }),
      [...session(aliased('', 'second', 1)), { expect: { cmd: 'disconnect', reasonCode: 0x94 } }],
    ])
    assert.equal(r.code, 2)
    assert.equal(r.stdout.toString(), 't first\n')
  })
})

describe('QoS 2 in flight when tssub stops (item 9)', () => {
  // With -C 1 the second message is not taken: no PUBREC for it, so the broker keeps it.
  test('-C 1 with two QoS 2 messages in flight: the second is never acknowledged', async () => {
    const { r, broker } = await play('tssub', ['-q', '2', '-t', 't', '-C', '1', '-c', '-i', 'keep'], [
      any, { send: connack(0) }, any, { sendFn: (l) => suback(l.messageId, [2]) },
      { send: publish('t', 'one', { qos: 2, messageId: 1 }) }, { send: publish('t', 'two', { qos: 2, messageId: 2 }) },
      { expect: { cmd: 'pubrec', messageId: 1 } }, { send: pubrel(1) }, { expect: { cmd: 'pubcomp', messageId: 1 } },
      { expect: { cmd: 'disconnect' } },
    ])
    assert.equal(r.code, 0, r.stderr)
    assert.equal(r.stdout.toString(), 'one\n')
    assert.deepEqual(cmds(broker), ['connect', 'subscribe', 'pubrec', 'pubcomp', 'disconnect'])
  })

  test('a stop between PUBREC and PUBREL prints the message it acknowledged', async () => {
    let sigterm = (): void => {}
    const stopped = new Promise<void>((resolve) => { sigterm = resolve })
    const broker = await startFakeBroker([
      any, { send: connack(0) }, any, { sendFn: (l) => suback(l.messageId, [2]) },
      { send: publish('t', 'held', { qos: 2, messageId: 7 }) }, { expect: { cmd: 'pubrec', messageId: 7 } },
      { sendFn: () => { sigterm(); return Buffer.alloc(0) } }, { expect: { cmd: 'disconnect' } },
    ])
    try {
      const { spawnCli } = await import('../helpers/run-cli.js')
      const sub = spawnCli('tssub', [...HOST, '-p', String(broker.port), '-q', '2', '-t', 't'])
      await stopped
      sub.child.kill('SIGTERM')
      const r = await sub.result
      assert.equal(r.code, 0, r.stderr)
      assert.equal(r.stdout.toString(), 'held\n')
      await broker.done()
    } finally {
      await broker.close()
    }
  })

  test('--retained-only: the message that ends the run is not acknowledged', async () => {
    const { r, broker } = await play('tssub', ['-q', '1', '-t', 't', '--retained-only'], [
      any, { send: connack(0) }, any, { sendFn: (l) => suback(l.messageId, [1]) },
      { send: publish('t', 'kept', { qos: 1, messageId: 1, retain: true }) }, { send: publish('t', 'live', { qos: 1, messageId: 2 }) },
      { expect: { cmd: 'puback', messageId: 1 } }, { expect: { cmd: 'disconnect' } },
    ])
    assert.equal(r.code, 0, r.stderr)
    assert.equal(r.stdout.toString(), 'kept\n')
    assert.deepEqual(cmds(broker), ['connect', 'subscribe', 'puback', 'disconnect'])
  })
})
