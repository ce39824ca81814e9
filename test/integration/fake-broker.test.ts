// Tests of the test harness itself, driven by the real mosquitto_pub / mosquitto_sub: if the fake
// broker, runCli or the mosquitto helper misbehave, these fail before the tool tests mislead.
import assert from 'node:assert/strict'
import net from 'node:net'
import { describe, it, type TestContext } from 'node:test'
import {
  connack, puback, pubcomp, publish, pubrec, startFakeBroker, suback, type FakeBroker, type Step,
} from '../helpers/fake-broker.js'
import { mosquittoClient, requireMosquitto, requireMosquittoClients, startMosquitto } from '../helpers/mosquitto.js'
import { commandLine, runCli, spawnCli, waitForOutput } from '../helpers/run-cli.js'

const PUB = mosquittoClient('mosquitto_pub') ?? 'mosquitto_pub'
const SUB = mosquittoClient('mosquitto_sub') ?? 'mosquitto_sub'

const at = (port: number): string[] => ['-h', '127.0.0.1', '-p', String(port)]

// Starts a fake broker that is closed when the test ends, whatever happens.
async function fake(t: TestContext, script: Step[] | Step[][], opts?: Parameters<typeof startFakeBroker>[1]): Promise<FakeBroker> {
  const b = await startFakeBroker(script, opts)
  t.after(() => b.close())
  return b
}

const qos2Script: Step[] = [
  { expect: { cmd: 'connect', clientId: 'cid', clean: true, keepalive: 60 } },
  { send: connack(0) },
  { expect: { cmd: 'publish', qos: 2, retain: false, dup: false, topic: 't/q2', payload: 'hello', messageId: 1 } },
  { sendFn: (last) => pubrec(last.messageId) },
  { expect: { cmd: 'pubrel', messageId: 1 } },
  { sendFn: (last) => pubcomp(last.messageId) },
  { expect: { cmd: 'disconnect' } },
  { expectClose: true },
]

describe('fake broker against mosquitto_pub', () => {
  it('plays a QoS 2 publish in v3.1.1, byte for byte', async (t) => {
    if (!requireMosquittoClients(t)) return
    const b = await fake(t, qos2Script)
    const r = await runCli(PUB, [...at(b.port), '-V', 'mqttv311', '-q', '2', '-t', 't/q2', '-m', 'hello', '-i', 'cid'])
    await b.done()
    assert.equal(r.code, 0, r.stderr)
    assert.deepEqual(b.received.map((p) => p.cmd), ['connect', 'publish', 'pubrel', 'disconnect'])
    assert.equal(b.received[0]?.cmd === 'connect' && b.received[0].protocolVersion, 4)
    assert.equal(b.rawReceived.toString('hex'),
      '100f00044d5154540402003c0003636964' + // CONNECT v4, clean, keepalive 60, id "cid"
      '340d0004742f7132000168656c6c6f' + //     PUBLISH q2 't/q2' mid 1 "hello"
      '62020001' + //                           PUBREL mid 1
      'e000') //                                DISCONNECT
  })

  it('answers a v5 client in v5 (mosquitto would reject a v3 CONNACK)', async (t) => {
    if (!requireMosquittoClients(t)) return
    const b = await fake(t, qos2Script)
    const r = await runCli(PUB, [...at(b.port), '-V', '5', '-d', '-q', '2', '-t', 't/q2', '-m', 'hello', '-i', 'cid'])
    await b.done()
    assert.equal(r.code, 0, r.stderr)
    assert.equal(r.stdout.toString(), [
      'Client cid sending CONNECT',
      'Client cid received CONNACK (0)',
      "Client cid sending PUBLISH (d0, q2, r0, m1, 't/q2', ... (5 bytes))",
      'Client cid received PUBREC (Mid: 1)',
      'Client cid sending PUBREL (m1)',
      'Client cid received PUBCOMP (Mid: 1, RC:0)',
      'Client cid sending DISCONNECT',
      '',
    ].join('\n'))
    const connect = b.received[0]
    assert.ok(connect?.cmd === 'connect')
    assert.equal(connect.protocolVersion, 5)
    assert.deepEqual(connect.properties, { receiveMaximum: 20 })
  })

  it('refuses the connection with CONNACK 5: mosquitto_pub exits 5', async (t) => {
    if (!requireMosquittoClients(t)) return
    const b = await fake(t, [{ expect: { cmd: 'connect' } }, { send: connack(5) }, { expectClose: true }])
    const r = await runCli(PUB, [...at(b.port), '-t', 't', '-m', 'x'])
    await b.done()
    assert.equal(r.code, 5)
    assert.equal(r.stderr, 'Connection error: Connection Refused: not authorised.\nError: The connection was refused.\n')
  })

  it('sends raw bytes: a hand-written CONNACK is accepted, a truncated one is a protocol error', async (t) => {
    if (!requireMosquittoClients(t)) return
    const ok = await fake(t, [
      { expect: { cmd: 'connect' } },
      { send: Buffer.from('20020000', 'hex') },
      { expect: { cmd: 'publish', topic: 't', payload: Buffer.from('x') } },
      { expect: { cmd: 'disconnect' } },
      { expectClose: true },
    ])
    const r1 = await runCli(PUB, [...at(ok.port), '-t', 't', '-m', 'x'])
    await ok.done()
    assert.equal(r1.code, 0, r1.stderr)

    const bad = await fake(t, [{ expect: { cmd: 'connect' } }, { send: Buffer.from('2000', 'hex') }, { expectClose: true }])
    const r2 = await runCli(PUB, [...at(bad.port), '-t', 't', '-m', 'x'])
    await bad.done()
    assert.equal(r2.code, 2)
    assert.equal(r2.stderr, 'Error: A network protocol error occurred when communicating with the broker.\n')
  })
})

describe('fake broker against mosquitto_sub', () => {
  it('subscribes at QoS 1, delivers a publish and gets the PUBACK', async (t) => {
    if (!requireMosquittoClients(t)) return
    const b = await fake(t, [
      { expect: { cmd: 'connect', clientId: 'sub1' } },
      { send: connack(0) },
      { expect: { cmd: 'subscribe', subscriptions: [{ topic: 'a/#', qos: 1 }] } },
      { sendFn: (last) => suback(last.messageId, [1]) },
      { send: publish('a/b', 'msg', { qos: 1, messageId: 7 }) },
      { expect: { cmd: 'puback', messageId: 7 } },
      { expect: { cmd: 'disconnect' } },
      { expectClose: true },
    ])
    const r = await runCli(SUB, [...at(b.port), '-q', '1', '-t', 'a/#', '-C', '1', '-v', '-i', 'sub1'])
    await b.done()
    assert.equal(r.code, 0, r.stderr)
    assert.equal(r.stdout.toString(), 'a/b msg\n')
  })

  it('plays one script per connection: mosquitto_sub reconnects after the broker drops it', async (t) => {
    if (!requireMosquittoClients(t)) return
    const first: Step[] = [
      { expect: { cmd: 'connect' } }, { send: connack(0) },
      { expect: { cmd: 'subscribe' } }, { sendFn: (last) => suback(last.messageId, [0]) },
      { close: true },
    ]
    const second: Step[] = [
      { expect: { cmd: 'connect' } }, { send: connack(0) },
      { expect: { cmd: 'subscribe', subscriptions: [{ topic: 'r', qos: 0 }] } },
      { sendFn: (last) => suback(last.messageId, [0]) },
      { send: publish('r', 'after reconnect') },
      { expect: { cmd: 'disconnect' } },
    ]
    const b = await fake(t, [first, second])
    const r = await runCli(SUB, [...at(b.port), '-t', 'r', '-C', '1'])
    await b.done()
    assert.equal(r.code, 0, r.stderr)
    assert.equal(r.stdout.toString(), 'after reconnect\n')
    assert.equal(b.connections, 2)
  })

  it('spawnCli + waitForOutput: SIGINT after the first message exits 0', async (t) => {
    if (!requireMosquittoClients(t)) return
    const b = await fake(t, [
      { expect: { cmd: 'connect' } }, { send: connack(0) },
      { expect: { cmd: 'subscribe' } }, { sendFn: (last) => suback(last.messageId, [0]) },
      { send: publish('s', 'one') },
      { expect: { cmd: 'disconnect' } },
    ])
    // Without -d/-v mosquitto_sub flushes each message, so the output shows up at once.
    const sub = spawnCli(SUB, [...at(b.port), '-t', 's'])
    assert.equal((await waitForOutput(sub, 'one\n')).toString(), 'one\n')
    sub.child.kill('SIGINT')
    const r = await sub.result
    await b.done()
    assert.equal(r.code, 0)
  })
})

describe('fake broker reports', () => {
  it('rejects done() with the decoded expected and received packets on a mismatch', async (t) => {
    if (!requireMosquittoClients(t)) return
    const b = await fake(t, [
      { expect: { cmd: 'connect' } }, { send: connack(0) },
      { expect: { cmd: 'publish', topic: 'wrong', payload: 'x' } },
    ])
    await runCli(PUB, [...at(b.port), '-t', 't', '-m', 'x'])
    await assert.rejects(b.done(), (e: Error) => {
      assert.match(e.message, /connection 1, step 3 \(expect/)
      assert.match(e.message, /packet mismatch at \.topic: expected 'wrong', received 't'/)
      assert.match(e.message, /expected: \{ cmd: 'publish', topic: 'wrong'/)
      assert.match(e.message, /received: \{ cmd: 'publish'.*topic: 't', payload: <Buffer 78>/)
      return true
    })
  })

  it('compares Buffers by bytes and shows them as hex', async (t) => {
    if (!requireMosquittoClients(t)) return
    const b = await fake(t, [
      { expect: { cmd: 'connect' } }, { send: connack(0) },
      { expect: { cmd: 'publish', payload: Buffer.from([1, 2]) } },
    ])
    await runCli(PUB, [...at(b.port), '-t', 't', '-m', 'AB'])
    await assert.rejects(b.done(), /\.payload: expected <Buffer 01 02> "\\u0001\\u0002", received <Buffer 41 42> "AB"/)
  })

  it('fails an expectClose when another packet arrives, and a function expectation that throws', async (t) => {
    if (!requireMosquittoClients(t)) return
    const b = await fake(t, [{ expect: { cmd: 'connect' } }, { send: connack(0) }, { expectClose: true }])
    await runCli(PUB, [...at(b.port), '-t', 't', '-m', 'x'])
    await assert.rejects(b.done(), /step 3 \(expectClose\): expected the client to close the connection, received:\n.*cmd: 'publish'/)
    const b2 = await fake(t, [{ expect: (p) => assert.equal(p.cmd, 'publish') }])
    await runCli(PUB, [...at(b2.port), '-t', 't', '-m', 'x'])
    await assert.rejects(b2.done(), /connection 1, step 1 \(expect fn\): assertion failed on received \{ cmd: 'connect'[\s\S]*'publish'/)
  })

  it('times out with the pending step and what was received', async (t) => {
    if (!requireMosquittoClients(t)) return
    const b = await fake(t, [[{ expect: { cmd: 'connect' } }, { send: connack(0) }], [{ expect: { cmd: 'connect' } }]])
    await runCli(PUB, [...at(b.port), '-t', 't', '-m', 'x'])
    await assert.rejects(b.done(300), (e: Error) => {
      assert.match(e.message, /script not finished after 300 ms\n {2}connection 2: waiting for the connection/)
      assert.match(e.message, /received so far \(3 packets\)/)
      return true
    })
  })

  it('fails when the client closes while a packet is expected, and when it sends garbage', async (t) => {
    const b = await fake(t, [{ expect: { cmd: 'connect' } }])
    const s = net.connect(b.port, '127.0.0.1')
    await new Promise((resolve) => s.once('close', resolve).end())
    await assert.rejects(b.done(), /connection 1, step 1 .*: the client closed the connection instead/)
    const b2 = await fake(t, [{ expect: { cmd: 'connect' } }])
    const s2 = net.connect(b2.port, '127.0.0.1', () => s2.write(Buffer.from('00000000', 'hex')))
    s2.on('error', () => {})
    await new Promise((resolve) => s2.once('close', resolve))
    await assert.rejects(b2.done(), /connection 1, step 1 .*: the client sent a malformed packet: /)
  })

  it('records packets after the script without failing, and answers PINGREQ when asked to', async (t) => {
    const b = await fake(t, [{ expect: { cmd: 'connect' } }, { send: connack(0) }], { autoPingresp: true })
    const s = net.connect(b.port, '127.0.0.1')
    t.after(() => s.destroy())
    const replies: Buffer[] = []
    s.on('data', (c: Buffer) => replies.push(c))
    s.write(Buffer.from('100c00044d5154540402003c0000', 'hex')) // CONNECT v4, empty id
    await b.done()
    s.write(Buffer.from('c000', 'hex')) // PINGREQ
    await waitUntil(() => Buffer.concat(replies).length >= 6)
    assert.equal(Buffer.concat(replies).toString('hex'), '20020000' + 'd000')
    assert.deepEqual(b.received.map((p) => p.cmd), ['connect', 'pingreq'])
  })
})

describe('runCli', () => {
  it('delivers Buffer arguments as raw bytes (mosquitto_pub -m $\'\\xff\')', async (t) => {
    if (!requireMosquittoClients(t)) return
    const weird = Buffer.from("'%\\\"$x`\n\t\xfe\n\n", 'latin1')
    const b = await fake(t, [
      [{ expect: { cmd: 'connect' } }, { send: connack(0) }, { expect: { cmd: 'publish', topic: 't', payload: Buffer.from([0xff]) } }],
      [{ expect: { cmd: 'connect' } }, { send: connack(0) }, { expect: { cmd: 'publish', topic: 'é/ü', payload: weird } }],
    ])
    const r = await runCli(PUB, ['-d', ...at(b.port), '-t', 't', '-m', Buffer.from([0xff])])
    assert.equal(r.code, 0, r.stderr)
    assert.match(r.stdout.toString(), /sending PUBLISH \(d0, q0, r0, m1, 't', \.\.\. \(1 bytes\)\)/)
    // A Buffer topic (valid UTF-8) among string args (sent as UTF-8); trailing newlines are kept.
    const r2 = await runCli(PUB, [...at(b.port), '-i', 'ü', '-t', Buffer.from('é/ü'), '-m', weird])
    assert.equal(r2.code, 0, r2.stderr)
    await b.done()
  })

  it('rejects NUL in an argument, which argv cannot carry', () => {
    assert.throws(() => commandLine('/bin/echo', [Buffer.from([0x61, 0, 0x62])]), /NUL/)
  })

  it('passes arguments through unchanged, with or without the shell', async () => {
    const args = ['', ' a b ', '$HOME', '"', "'", '-', 'ü']
    const plain = await runCli('/usr/bin/printf', ['%s|', ...args])
    const viaSh = await runCli('/usr/bin/printf', [Buffer.from('%s|'), ...args])
    assert.equal(plain.stdout.toString(), args.join('|') + '|')
    assert.equal(viaSh.stdout.toString(), plain.stdout.toString())
  })

  it('gives the child a clean environment', async () => {
    const r = await runCli('/usr/bin/env', [], { env: { EXTRA: 'yes' } })
    const env = new Map(r.stdout.toString().trim().split('\n').map((l) => [l.slice(0, l.indexOf('=')), l.slice(l.indexOf('=') + 1)]))
    assert.equal(env.get('NO_COLOR'), '1')
    assert.equal(env.get('EXTRA'), 'yes')
    assert.match(env.get('XDG_CONFIG_HOME') ?? '', /does-not-exist$/)
    for (const k of ['NODE_OPTIONS', 'NODE_TEST_CONTEXT', 'FORCE_COLOR', 'DEBUG']) assert.equal(env.has(k), false, k)
  })

  it('kills a child that outlives its timeout and reports its output so far', async () => {
    const start = Date.now()
    // The sleep outlives the killed shell and holds its pipes: runCli must not wait for it.
    await assert.rejects(runCli('/bin/sh', ['-c', 'echo started; echo oops >&2; sleep 10'], { timeoutMs: 300 }),
      /timed out after 300 ms and was killed with SIGKILL\nstdout so far: "started\\n"\nstderr so far: "oops\\n"/)
    assert.ok(Date.now() - start < 3000, `took ${Date.now() - start} ms`)
  })

  it('feeds stdin', async () => {
    const r = await runCli('/bin/cat', [], { stdin: Buffer.from([0, 1, 0xff]) })
    assert.deepEqual([...r.stdout], [0, 1, 0xff])
  })
})

describe('real mosquitto helper', () => {
  it('starts a broker with users, refuses bad credentials, and stops', async (t) => {
    if (!requireMosquitto(t) || !requireMosquittoClients(t)) return
    const broker = await startMosquitto({ users: { alice: 's3cret' } })
    t.after(() => broker.stop())
    const bad = await runCli(PUB, [...at(broker.port), '-u', 'alice', '-P', 'wrong', '-t', 't', '-m', 'x'])
    assert.equal(bad.code, 5, bad.stderr)
    const anon = await runCli(PUB, [...at(broker.port), '-t', 't', '-m', 'x'])
    assert.equal(anon.code, 5, anon.stderr)
    const good = await runCli(PUB, [...at(broker.port), '-u', 'alice', '-P', 's3cret', '-t', 't', '-m', 'x'])
    assert.equal(good.code, 0, good.stderr)
    assert.match(broker.log(), /New client connected from 127\.0\.0\.1.* u'alice'/)
    await broker.stop()
    assert.equal(await canConnect(broker.port), false)
  })

  it('keeps retained messages across restart() with persistence', async (t) => {
    if (!requireMosquitto(t) || !requireMosquittoClients(t)) return
    const broker = await startMosquitto({ persistence: true })
    t.after(() => broker.stop())
    const pub = await runCli(PUB, [...at(broker.port), '-q', '1', '-r', '-t', 'keep', '-m', 'kept'])
    assert.equal(pub.code, 0, pub.stderr)
    await broker.restart()
    const sub = await runCli(SUB, [...at(broker.port), '-t', 'keep', '-C', '1', '-W', '3'])
    assert.equal(sub.stdout.toString(), 'kept\n', broker.log())
    assert.match(broker.log(), /--- restart ---/)
  })

  it('rejects with the broker log when the config is bad', async (t) => {
    if (!requireMosquitto(t)) return
    await assert.rejects(startMosquitto({ extraConfig: 'no_such_option 1' }), /mosquitto exited during start-up[\s\S]*no_such_option/)
  })
})

function canConnect(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = net.connect(port, '127.0.0.1')
    s.once('connect', () => { s.destroy(); resolve(true) })
    s.once('error', () => resolve(false))
  })
}

async function waitUntil(cond: () => boolean, timeoutMs = 2000): Promise<void> {
  const deadline = Date.now() + timeoutMs
  while (!cond()) {
    if (Date.now() > deadline) throw new Error('waitUntil: timed out')
    await new Promise((r) => setTimeout(r, 10))
  }
}
