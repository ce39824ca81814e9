// tssub against the scripted fake broker: SUBSCRIBE/UNSUBSCRIBE packets, incoming QoS flows,
// message processing (-C, -R, -T, -E), -W, signals and reconnection.
import assert from 'node:assert/strict'
import { test } from 'node:test'
import { connack, disconnect, publish, pubrel, startFakeBroker, suback, unsuback, type Step } from '../helpers/fake-broker.js'
import { mosquittoClient } from '../helpers/mosquitto.js'
import { runCli, spawnCli, waitForOutput } from '../helpers/run-cli.js'

const HOST = ['-h', '127.0.0.1']

const connected: Step[] = [{ expect: { cmd: 'connect' } }, { send: connack(0) }]

test('one SUBSCRIBE carries every -t at one QoS; -U follows; messages print; -C ends with DISCONNECT', async () => {
  const b = await startFakeBroker([
    ...connected,
    { expect: { cmd: 'subscribe', messageId: 1, subscriptions: [{ topic: 'a/#', qos: 1 }, { topic: 'b/+', qos: 1 }] } },
    { expect: { cmd: 'unsubscribe', messageId: 2, unsubscriptions: ['old/x'] } },
    { send: suback(1, [1, 1]) },
    { send: unsuback(2) },
    { send: publish('a/1', 'first') },
    { send: publish('b/2', 'second', { qos: 1, messageId: 7 }) },
    { expect: { cmd: 'puback', messageId: 7 } },
    { expect: { cmd: 'disconnect' } },
  ])
  const r = await runCli('tssub', [...HOST, '-p', String(b.port), '-t', 'a/#', '-t', 'b/+', '-q', '1', '-U', 'old/x', '-C', '2', '-v'])
  await b.done()
  await b.close()
  assert.equal(r.code, 0, r.stderr)
  assert.equal(r.stdout.toString(), 'a/1 first\nb/2 second\n')
})

// mosquitto 2.1: --retain-handling sets bits 4-5 of the v5 subscription options; -R means "never"
// unless --retain-handling is given, wherever it is (2.1.2 ORs "new" then -R into the invalid 3).
// v3 sends the QoS alone.
test('--retain-handling and -R on the wire: the subscription options byte', async () => {
  const cases: [string[], number, number][] = [
    [['--retain-handling', 'new'], 5, 1], [['--retain-handling', 'never'], 5, 2], [['--retain-handling', 'always'], 5, 0],
    [['-R'], 5, 2], [['-R', '--retain-handling', 'new'], 5, 1], [['--retain-handling', 'new', '-R'], 5, 1],
    [['--retain-handling', 'new', '--retain-as-published'], 5, 1], [['--retain-handling', 'never'], 4, 0],
  ]
  for (const [args, version, rh] of cases) {
    const b = await startFakeBroker([
      ...connected,
      { expect: { cmd: 'subscribe', subscriptions: [{ topic: 't', qos: 1, ...(version === 5 ? { rh, rap: args.includes('--retain-as-published') } : {}) }] } },
      { send: suback(1, [1]) },
      { expect: { cmd: 'disconnect' } },
    ])
    const r = await runCli('tssub', [...HOST, '-p', String(b.port), '-V', version === 5 ? '5' : '311', '-t', 't', '-q', '1', '-E', ...args])
    await b.done()
    await b.close()
    assert.equal(r.code, 0, `${args.join(' ')}: ${r.stderr}`)
  }
})

test('-U without -t: no SUBSCRIBE, only the UNSUBSCRIBEs; with -E it exits once both UNSUBACKs are in', async () => {
  const b = await startFakeBroker([
    ...connected,
    { expect: { cmd: 'unsubscribe', messageId: 1, unsubscriptions: ['a'] } },
    { expect: { cmd: 'unsubscribe', messageId: 2, unsubscriptions: ['b/#'] } },
    { send: unsuback(1) },
    { send: unsuback(2) },
    { expect: { cmd: 'disconnect' } },
  ])
  const r = await runCli('tssub', [...HOST, '-p', String(b.port), '-U', 'a', '-U', 'b/#', '-E'])
  await b.done()
  await b.close()
  assert.deepEqual([r.code, r.stderr, r.stdout.toString()], [0, '', ''])
})

test('-w: the header before connecting, each topic on its own line, the cursor parked below', async () => {
  const b = await startFakeBroker([
    ...connected, { expect: { cmd: 'subscribe' } }, { send: suback(1, [0]) },
    { send: publish('x', '100') }, { send: publish('y', 'b') }, { send: publish('x', '9') },
    { expect: { cmd: 'disconnect' } },
  ])
  const r = await runCli('tssub', [...HOST, '-p', String(b.port), '-t', '#', '-w', '-C', '3'])
  await b.done()
  await b.close()
  const E = '\x1b'
  assert.equal(r.stdout.toString(), `${E}[2J${E}[1;1HBroker: 127.0.0.1\n` +
    `${E}[2;1H${E}[K100\n${E}[2;1H\n` + `${E}[3;1H${E}[Kb\n${E}[3;1H\n` + `${E}[2;1H${E}[K9\n${E}[3;1H\n`)
})

test('--message-rate: counts instead of messages, and the count since the last line when -W ends it', async () => {
  const b = await startFakeBroker([
    ...connected, { expect: { cmd: 'subscribe' } }, { send: suback(1, [0]) },
    { send: publish('x', 'a') }, { send: publish('x', 'b') }, { send: publish('y', 'c') },
    { expect: { cmd: 'disconnect' } },
  ])
  const r = await runCli('tssub', [...HOST, '-p', String(b.port), '-t', '#', '--message-rate', '-W', '2', '-v'])
  await b.done()
  await b.close()
  assert.deepEqual([r.code, r.stderr], [27, 'Timed out\n'])
  const lines = r.stdout.toString().split('\n').slice(0, -1)
  // one line a second and a last one at -W: 2 or 3 lines, as the seconds fall; 3 messages in all
  assert.ok(lines.length >= 2 && lines.length <= 3, r.stdout.toString())
  assert.ok(lines.every((l) => /^\d+ msgs\/s$/.test(l)), r.stdout.toString())
  assert.equal(lines.reduce((n, l) => n + parseInt(l, 10), 0), 3)
})

test('QoS 2 delivery: PUBREC, then the message is printed once when PUBREL arrives', async () => {
  const b = await startFakeBroker([
    ...connected,
    { expect: { cmd: 'subscribe' } },
    { send: suback(1, [2]) },
    { send: publish('q/2', 'once', { qos: 2, messageId: 9 }) },
    { expect: { cmd: 'pubrec', messageId: 9 } },
    // A duplicate before PUBREL must not print twice.
    { send: publish('q/2', 'once', { qos: 2, messageId: 9, dup: true }) },
    { expect: { cmd: 'pubrec', messageId: 9 } },
    { send: pubrel(9) },
    { expect: { cmd: 'pubcomp', messageId: 9 } },
    { expect: { cmd: 'disconnect' } },
  ])
  const r = await runCli('tssub', [...HOST, '-p', String(b.port), '-t', 'q/#', '-q', '2', '-C', '1'])
  await b.done()
  await b.close()
  assert.equal(r.stdout.toString(), 'once\n')
  assert.equal(r.code, 0)
})

test('plain output prints nothing for an empty payload, -v prints (null), both count for -C', async () => {
  const script = (): Step[] => [
    ...connected, { expect: { cmd: 'subscribe' } }, { send: suback(1, [0]) },
    { send: publish('e/1', '') }, { send: publish('e/2', Buffer.from([0, 0xff, 10])) }, { expect: { cmd: 'disconnect' } },
  ]
  const b1 = await startFakeBroker(script())
  const plain = await runCli('tssub', [...HOST, '-p', String(b1.port), '-t', 'e/#', '-C', '2'])
  await b1.close()
  assert.deepEqual(plain.stdout, Buffer.from([0, 0xff, 10, 10]))
  const b2 = await startFakeBroker(script())
  const verbose = await runCli('tssub', [...HOST, '-p', String(b2.port), '-t', 'e/#', '-C', '2', '-v'])
  await b2.close()
  assert.deepEqual(verbose.stdout, Buffer.concat([Buffer.from('e/1 (null)\ne/2 '), Buffer.from([0, 0xff, 10, 10])]))
})

test('-R drops retained messages (not counted); -T drops matching topics (not counted)', async () => {
  const b = await startFakeBroker([
    ...connected, { expect: { cmd: 'subscribe' } }, { send: suback(1, [0]) },
    { send: publish('r/old', 'stale', { retain: true }) },
    { send: publish('r/skip/x', 'filtered') },
    { send: publish('r/new', 'fresh') },
    { expect: { cmd: 'disconnect' } },
  ])
  const r = await runCli('tssub', [...HOST, '-p', String(b.port), '-t', 'r/#', '-R', '-T', 'r/skip/#', '-C', '1', '-v'])
  await b.done()
  await b.close()
  assert.equal(r.stdout.toString(), 'r/new fresh\n')
})

test('a denied subscription is reported, and ends the run (with -E too)', async () => {
  const b = await startFakeBroker([...connected, { expect: { cmd: 'subscribe' } }, { send: suback(1, [128]) }, { expect: { cmd: 'disconnect' } }])
  const r = await runCli('tssub', [...HOST, '-p', String(b.port), '-t', 'denied', '-E', '-d'])
  await b.done()
  await b.close()
  assert.equal(r.stderr, 'All subscription requests were denied.\n')
  assert.match(r.stdout.toString(), /Subscribed \(mid: 1\): 128\n/)
  // Deliberate difference: mosquitto exits 0 after a refusal; we exit with the SUBACK's code.
  assert.equal(r.code, 128)
})

test('v5: every subscription refused: the reason code is the exit status', async () => {
  const b = await startFakeBroker([...connected, { expect: { cmd: 'subscribe' } }, { send: suback(1, [135]) }, { expect: { cmd: 'disconnect' } }])
  const r = await runCli('tssub', [...HOST, '-p', String(b.port), '-t', 'denied', '-V', '5'])
  await b.done()
  await b.close()
  assert.equal(r.stderr, 'All subscription requests were denied.\n')
  assert.equal(r.code, 135)
})

test('-W after CONNACK: "Timed out", exit 27; before any CONNACK: exit 255, silent', async () => {
  const b = await startFakeBroker([...connected, { expect: { cmd: 'subscribe' } }, { send: suback(1, [0]) }, { expect: { cmd: 'disconnect' } }])
  const r = await runCli('tssub', [...HOST, '-p', String(b.port), '-t', 't', '-W', '1'])
  await b.done()
  await b.close()
  assert.equal(r.code, 27)
  assert.equal(r.stderr, 'Timed out\n')
  const silent = await startFakeBroker([{ expect: { cmd: 'connect' } }, { wait: 3000 }])
  const s = await runCli('tssub', [...HOST, '-p', String(silent.port), '-t', 't', '-W', '1'])
  await silent.close()
  assert.equal(s.code, 255)
  assert.equal(s.stderr, '')
})

test('SIGINT after CONNACK: DISCONNECT (v5 reason 4, so the will is sent) and exit 0', async () => {
  const b = await startFakeBroker([
    ...connected, { expect: { cmd: 'subscribe' } }, { send: suback(1, [0]) },
    { expect: { cmd: 'disconnect', reasonCode: 4 } },
  ])
  const sub = spawnCli('tssub', [...HOST, '-p', String(b.port), '-t', 't', '-V', '5', '-d'])
  await waitForOutput(sub, 'Subscribed')
  sub.child.kill('SIGINT')
  const r = await sub.result
  await b.done()
  await b.close()
  assert.equal(r.code, 0)
})

test('after the connection drops, tssub reconnects, subscribes again and keeps counting', async () => {
  const b = await startFakeBroker([
    [...connected, { expect: { cmd: 'subscribe', messageId: 1 } }, { send: suback(1, [0]) }, { send: publish('t', 'before') }, { close: true }],
    [...connected, { expect: { cmd: 'subscribe', messageId: 2 } }, { send: suback(2, [0]) }, { send: publish('t', 'after') }, { expect: { cmd: 'disconnect' } }],
  ])
  const r = await runCli('tssub', [...HOST, '-p', String(b.port), '-t', 't', '-C', '2'], { timeoutMs: 8000 })
  await b.done()
  await b.close()
  assert.equal(r.stdout.toString(), 'before\nafter\n')
  assert.equal(r.code, 0)
})

test('v5: a server DISCONNECT is logged with -d and tssub reconnects (as mosquitto 2.0.15+)', async () => {
  const b = await startFakeBroker([
    [...connected, { expect: { cmd: 'subscribe' } }, { send: suback(1, [0]) }, { send: disconnect(0x8b) }],
    [...connected, { expect: { cmd: 'subscribe' } }, { send: suback(2, [0]) }, { send: publish('t', 'back') }, { expect: { cmd: 'disconnect' } }],
  ])
  const r = await runCli('tssub', [...HOST, '-p', String(b.port), '-t', 't', '-C', '1', '-V', '5', '-d'], { timeoutMs: 8000 })
  await b.done()
  await b.close()
  assert.match(r.stdout.toString(), /Received DISCONNECT \(139\)\n/)
  assert.match(r.stdout.toString(), /\nback\n/)
  assert.equal(r.code, 0)
})

test('CONNACK refusal: "Connection error: ..." and the code as exit status', async () => {
  const b = await startFakeBroker([{ expect: { cmd: 'connect' } }, { send: connack(4) }])
  const r = await runCli('tssub', [...HOST, '-p', String(b.port), '-t', 't'])
  await b.close()
  assert.equal(r.code, 4)
  assert.equal(r.stderr, 'Connection error: Connection Refused: bad user name or password\n')
})

test('-R with --retained-only is refused without the usage hint', async () => {
  const r = await runCli('tssub', ['-t', 't', '-R', '--retained-only'])
  assert.equal(r.code, 1)
  assert.equal(r.stderr, "\nError: Combining '-R' and '--retained-only' makes no sense.\n")
})

test('-d: a SUBACK and a PUBLISH in one read print "Subscribed" before the message, as mosquitto does', async () => {
  const mqtt = (await import('mqtt-packet')).default
  const both = Buffer.concat([mqtt.generate(suback(1, [0])), mqtt.generate(publish('t', 'hello'))])
  const b = await startFakeBroker([...connected, { expect: { cmd: 'subscribe' } }, { send: both }, { expect: { cmd: 'disconnect' } }])
  const r = await runCli('tssub', [...HOST, '-p', String(b.port), '-t', 't', '-C', '1', '-d'])
  await b.done()
  await b.close()
  const out = r.stdout.toString()
  assert.ok(out.indexOf('Subscribed (mid: 1): 0') < out.indexOf('hello\n'), out)
  assert.ok(out.indexOf('received SUBACK') < out.indexOf('received PUBLISH'), out)
})

test('v5: interleaved user properties on SUBSCRIBE and UNSUBSCRIBE go out in argv order, as mosquitto_sub sends them', async (t) => {
  const theirs = mosquittoClient('mosquitto_sub')
  if (!theirs) return t.skip('mosquitto_sub is not installed')
  const script = (): Step[] => [
    ...connected, { expect: { cmd: 'subscribe' } }, { expect: { cmd: 'unsubscribe' } }, { send: suback(1, [0]) }, { send: unsuback(2, [0]) },
    { expect: { cmd: 'disconnect' } },
  ]
  const up = (cmd: string, k: string, v: string): string[] => ['-D', cmd, 'user-property', k, v]
  const args = ['-i', 'cid', '-t', 't', '-U', 'old', '-E', ...up('subscribe', 'a', '1'), ...up('subscribe', 'b', '2'), ...up('subscribe', 'a', '3'),
    ...up('unsubscribe', '9', 'x'), ...up('unsubscribe', 'k', 'y'), ...up('unsubscribe', '9', 'z')]
  const raw: string[] = []
  for (const tool of ['tssub', theirs]) {
    const b = await startFakeBroker(script())
    const r = await runCli(tool, [...HOST, '-p', String(b.port), ...args])
    await b.done()
    await b.close()
    assert.equal(r.code, 0, r.stderr)
    raw.push(b.rawReceived.toString('hex'))
  }
  assert.equal(raw[0], raw[1], 'bytes on the wire differ from mosquitto_sub')
})

// A persistent session's queued messages can come in the same read as the CONNACK. mosquitto_sub
// queues SUBSCRIBE and UNSUBSCRIBE from on_connect, before it handles them (with a real broker they
// take effect), so -C reached among them must not leave the session subscribed. After DISCONNECT
// nothing more goes out [MQTT-3.14.4-2], not even the acknowledgement of a message in that read.
// (Fed all of it in one read, mosquitto_sub 2.0.11 closes before writing its queued UNSUBSCRIBE,
// PUBACKs and DISCONNECT: not a baseline here.)
test('-c with queued messages: SUBSCRIBE and UNSUBSCRIBE go out before -C stops the run, and nothing after DISCONNECT', async () => {
  const mqtt = (await import('mqtt-packet')).default
  const queued = Buffer.concat([
    mqtt.generate(connack(0, { sessionPresent: true }), { protocolVersion: 4 }),
    ...[1, 2, 3].map((i) => mqtt.generate(publish(`q/${i}`, `m${i}`, { qos: 1, messageId: i }), { protocolVersion: 4 })),
  ])
  const b = await startFakeBroker([
    { expect: { cmd: 'connect', clean: false } }, { send: queued },
    { expect: { cmd: 'subscribe' } }, { expect: { cmd: 'unsubscribe' } },
    { expect: { cmd: 'puback', messageId: 1 } }, { expect: { cmd: 'puback', messageId: 2 } },
    { expect: { cmd: 'disconnect' } }, { expectClose: true },
  ])
  const r = await runCli('tssub', [...HOST, '-p', String(b.port), '-c', '-i', 'S1', '-q', '1', '-t', 'q/#', '-U', 'q/#', '-C', '2', '-v'])
  await b.done()
  await b.close()
  assert.equal(r.code, 0, r.stderr)
  assert.equal(r.stdout.toString(), 'q/1 m1\nq/2 m2\n')
})

// mosquitto_sub's -W is alarm(): SIGALRM from outside is a timeout. SIGUSR1, which makes Node
// open its debugger on a local port, is fatal as for any C program.
test('signals: SIGALRM after CONNACK is "Timed out" (27); SIGUSR1 ends the run (138), no debugger', async () => {
  for (const [signal, code, stderr] of [['SIGALRM', 27, 'Timed out\n'], ['SIGUSR1', 138, '']] as const) {
    const b = await startFakeBroker([...connected, { expect: { cmd: 'subscribe' } }, { sendFn: (last) => suback(last.messageId, [0]) }], { autoPingresp: true })
    const sub = spawnCli('tssub', [...HOST, '-p', String(b.port), '-t', 't', '-d'])
    try {
      await waitForOutput(sub, 'received SUBACK', 5000)
      sub.child.kill(signal)
      const r = await sub.result
      assert.equal(r.code, code, `${signal}: ${r.stderr}`)
      assert.equal(r.stderr, stderr, signal)
    } finally {
      sub.child.kill('SIGKILL')
      await b.close()
    }
  }
})
