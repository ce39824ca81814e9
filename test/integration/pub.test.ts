// tspub against the scripted fake broker: the exact packets, exit codes and texts. Where
// mosquitto_pub is installed, the same script is also played to it and the raw bytes compared.
import assert from 'node:assert/strict'
import { execFileSync } from 'node:child_process'
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { test } from 'node:test'
import type { Packet } from 'mqtt-packet'
import { connack, puback, pubcomp, pubrec, startFakeBroker, type Step } from '../helpers/fake-broker.js'
import { mosquittoClient } from '../helpers/mosquitto.js'
import { debugLines21 } from '../helpers/mosquitto-texts.js'
import { binPath, runCli, type RunResult } from '../helpers/run-cli.js'

const HOST = ['-h', '127.0.0.1']

// Run `tool` against a fresh fake broker playing `script`; returns the run and the raw bytes sent.
async function play(tool: string, args: string[], script: Step[] | Step[][], stdin?: string | Buffer): Promise<{ r: RunResult; raw: Buffer; done: Promise<void> }> {
  const b = await startFakeBroker(script)
  try {
    const r = await runCli(tool, [...HOST, '-p', String(b.port), ...args], { stdin })
    const done = b.done(3000)
    await done.catch(() => undefined)
    return { r, raw: b.rawReceived, done }
  } finally {
    await b.close()
  }
}

// The same script through tspub and (if installed) mosquitto_pub: same bytes on the wire, same exit.
async function sameAsMosquitto(args: string[], script: Step[], stdin?: string): Promise<RunResult> {
  const ours = await play('tspub', args, script, stdin)
  await ours.done
  const theirsBin = mosquittoClient('mosquitto_pub')
  if (theirsBin) {
    const theirs = await play(theirsBin, args, script, stdin)
    assert.equal(ours.raw.toString('hex'), theirs.raw.toString('hex'), 'bytes on the wire differ from mosquitto_pub')
    assert.equal(ours.r.code, theirs.r.code)
    // -d lines in mosquitto 2.1's words, which ours follow
    assert.equal(ours.r.stdout.toString('latin1'), debugLines21(theirs.r.stdout.toString('latin1')).replaceAll('mosquitto_pub', 'tspub'))
  }
  return ours.r
}

const qos0: Step[] = [
  { expect: { cmd: 'connect', clientId: 'cid', keepalive: 60, clean: true, protocolVersion: 4 } },
  { send: connack(0) },
  { expect: { cmd: 'publish', qos: 0, topic: 't/0', payload: 'hello', retain: false } },
  { expect: { cmd: 'disconnect' } },
  { expectClose: true },
]

test('QoS 0 publish: the same bytes as mosquitto_pub', async () => {
  const r = await sameAsMosquitto(['-i', 'cid', '-t', 't/0', '-m', 'hello'], qos0)
  assert.equal(r.code, 0)
  assert.equal(r.stderr, '')
})

test('QoS 1 publish waits for PUBACK', async () => {
  const r = await sameAsMosquitto(['-i', 'cid', '-q', '1', '-t', 't/1', '-m', 'x', '-r'], [
    { expect: { cmd: 'connect', clientId: 'cid' } },
    { send: connack(0) },
    { expect: { cmd: 'publish', qos: 1, topic: 't/1', payload: 'x', retain: true, messageId: 1 } },
    { sendFn: (last) => puback(last.messageId!) },
    { expect: { cmd: 'disconnect' } },
  ])
  assert.equal(r.code, 0)
})

// v5 too: a PUBREL with reason Success and no properties is 4 bytes, as libmosquitto sends it.
for (const version of ['mqttv311', 'mqttv5']) {
  test(`QoS 2 publish runs the full PUBREC/PUBREL/PUBCOMP flow (${version}), the same bytes as mosquitto_pub`, async () => {
    const r = await sameAsMosquitto(['-V', version, '-i', 'cid', '-q', '2', '-t', 't/2', '-m', 'exactly once'], [
      { expect: { cmd: 'connect', clientId: 'cid', protocolVersion: version === 'mqttv5' ? 5 : 4 } },
      { send: connack(0) },
      { expect: { cmd: 'publish', qos: 2, topic: 't/2', payload: 'exactly once', messageId: 1 } },
      { sendFn: (last) => pubrec(last.messageId!) },
      { expect: { cmd: 'pubrel', messageId: 1 } },
      { sendFn: (last) => pubcomp(last.messageId!) },
      { expect: { cmd: 'disconnect' } },
    ])
    assert.equal(r.code, 0)
  })
}

test('will, credentials, keepalive and a persistent session go into CONNECT as mosquitto sends them', async () => {
  const r = await sameAsMosquitto(
    ['-i', 'cid', '-c', '-k', '30', '-u', 'user', '-P', 'secret', '--will-topic', 'w/t', '--will-payload', 'gone', '--will-qos', '1', '--will-retain', '-t', 't', '-m', 'm'],
    [
      { expect: { cmd: 'connect', clientId: 'cid', clean: false, keepalive: 30, username: 'user', password: 'secret',
        will: { topic: 'w/t', payload: 'gone', qos: 1, retain: true } } },
      { send: connack(0) },
      { expect: { cmd: 'publish', topic: 't', payload: 'm' } },
      { expect: { cmd: 'disconnect' } },
    ],
  )
  assert.equal(r.code, 0)
})

test('MQTT v3.1 CONNECT says MQIsdp and makes up a mosq- client id', async () => {
  const { r, raw, done } = await play('tspub', ['-V', 'mqttv31', '-t', 't', '-m', 'm'], [
    { expect: (p) => {
      assert.equal(p.cmd, 'connect')
      if (p.cmd !== 'connect') return
      assert.equal(p.protocolId, 'MQIsdp')
      assert.equal(p.protocolVersion, 3)
      assert.match(p.clientId, /^mosq-[A-Za-z0-9]{18}$/)
    } },
    { send: connack(0) },
    { expect: { cmd: 'publish', topic: 't' } },
    { expect: { cmd: 'disconnect' } },
  ])
  await done
  assert.equal(r.code, 0)
  assert.equal(raw.subarray(2, 10).toString('latin1'), '\x00\x06MQIsdp')
})

test('-l sends one message per line: \\r kept, empty lines empty, last line without newline sent', async () => {
  const lines = ['one', 'two\r', '', 'bin\x00ary', 'last']
  const script: Step[] = [{ expect: { cmd: 'connect' } }, { send: connack(0) }]
  for (const line of lines) script.push({ expect: { cmd: 'publish', topic: 'l', payload: Buffer.from(line, 'latin1') } })
  script.push({ expect: { cmd: 'disconnect' } })
  const { r, done } = await play('tspub', ['-t', 'l', '-l'], script, Buffer.from(lines.join('\n'), 'latin1'))
  await done
  assert.equal(r.code, 0)
})

test('-l with empty stdin connects, publishes nothing and exits 0', async () => {
  const r = await sameAsMosquitto(['-i', 'cid', '-t', 'l', '-l'], [
    { expect: { cmd: 'connect' } },
    { send: connack(0) },
    { expect: { cmd: 'disconnect' } },
  ], '')
  assert.equal(r.code, 0)
})

test('-d prints libmosquitto\'s debug lines on stdout', async () => {
  const { r, done } = await play('tspub', ['-d', '-q', '1', '-t', 't/1', '-m', 'hello'], [
    { expect: { cmd: 'connect' } },
    { send: connack(0) },
    { expect: { cmd: 'publish' } },
    { sendFn: (last) => puback(last.messageId!) },
    { expect: { cmd: 'disconnect' } },
  ])
  await done
  assert.equal(r.stdout.toString(), [
    'Client null sending CONNECT',
    'Client (null) received CONNACK (0)',
    "Client null sending PUBLISH (d0, q1, r0, m1, 't/1', ... (5 bytes))",
    'Client null received PUBACK (Mid: 1, RC:0)',
    'Client null sending DISCONNECT',
    '',
  ].join('\n'))
})

for (const code of [1, 2, 3, 4, 5]) {
  test(`CONNACK refusal ${code} exits ${code} with mosquitto's text`, async () => {
    const texts = ['', 'unacceptable protocol version', 'identifier rejected', 'broker unavailable', 'bad user name or password', 'not authorised']
    const r = await sameAsMosquitto(['-t', 't', '-m', 'm'], [{ expect: { cmd: 'connect' } }, { send: connack(code) }])
    assert.equal(r.code, code)
    assert.equal(r.stderr, `Connection error: Connection Refused: ${texts[code]}\nError: The connection was refused\n`)
  })
}

test('a broker that closes before CONNACK: exit 7, connection lost', async () => {
  const r = await sameAsMosquitto(['-t', 't', '-m', 'm'], [{ expect: { cmd: 'connect' } }, { close: true }])
  assert.equal(r.code, 7)
  assert.equal(r.stderr, 'Error: The connection was lost\n')
})

test('a closed port: "Error: Connection refused", exit 1', async () => {
  const b = await startFakeBroker([])
  const port = String(b.port)
  await b.close()
  const r = await runCli('tspub', [...HOST, '-p', port, '-t', 't', '-m', 'm'])
  assert.equal(r.code, 1)
  assert.equal(r.stderr, 'Error: Connection refused\n')
})

test('usage errors exit 1 before connecting, with the usage hint', async () => {
  const r = await runCli('tspub', ['-t', 't', '-m', 'm', '-q', '3'])
  assert.equal(r.code, 1)
  assert.equal(r.stderr, "Error: Invalid QoS given: 3\n\nUse 'tspub --help' to see usage.\n")
  const missing = await runCli('tspub', ['-m', 'm'])
  assert.equal(missing.code, 1)
  assert.equal(missing.stderr, 'Error: Both topic and message must be supplied.\n')
  assert.match(missing.stdout.toString(), /^tspub is a simple mqtt client/)
})

test('--help and --version print to stdout and exit 0', async () => {
  const help = await runCli('tspub', ['--help'])
  assert.equal(help.code, 0)
  assert.match(help.stdout.toString(), /Usage: tspub/)
  const version = await runCli('tssub', ['--version'])
  assert.equal(version.code, 0)
  assert.match(version.stdout.toString(), /^tssub version \d+\.\d+\.\d+ running on Node\.js v\d+/)
})

test('v5: a server DISCONNECT while a QoS 1 message is in flight is reported, and the exit is 7', async () => {
  const { disconnect } = await import('../helpers/fake-broker.js')
  const b = await startFakeBroker([
    { expect: { cmd: 'connect', protocolVersion: 5 } },
    { send: connack(0) },
    { expect: { cmd: 'publish', qos: 1 } },
    { send: { ...disconnect(0x97), properties: { reasonString: 'quota used up' } } as never },
  ])
  const r = await runCli('tspub', [...HOST, '-p', String(b.port), '-V', '5', '-q', '1', '-t', 't', '-m', 'm'])
  await b.close()
  assert.equal(r.code, 7)
  assert.equal(r.stderr, 'Error: The connection was lost: the broker sent DISCONNECT (Quota exceeded, reason code 151): quota used up.\n')
})

test('v5: interleaved user properties on CONNECT and DISCONNECT go out in argv order, as mosquitto_pub sends them', async () => {
  const up = (cmd: string, k: string, v: string): string[] => ['-D', cmd, 'user-property', k, v]
  const r = await sameAsMosquitto(
    ['-i', 'cid', '-t', 't', '-m', 'm', ...up('connect', 'a', '1'), '-D', 'connect', 'session-expiry-interval', '30', ...up('connect', 'b', '2'),
      ...up('connect', 'a', '3'), ...up('connect', '2', 'x'), ...up('connect', '1', 'y'), ...up('disconnect', 'z', '1'), ...up('disconnect', 'y', '2'), ...up('disconnect', 'z', '3')],
    [
      { expect: { cmd: 'connect', protocolVersion: 5 } },
      { send: connack(0) },
      { expect: { cmd: 'publish', topic: 't' } },
      { expect: { cmd: 'disconnect' } },
    ],
  )
  assert.equal(r.code, 0, r.stderr)
})

// MQTT v5 allows a password without a user name [MQTT-3.1.2-19]; mqtt-packet's encoder does not.
test('v5: -P without -u sends the password alone, the same bytes as mosquitto_pub', async () => {
  const r = await sameAsMosquitto(['-V', '5', '-i', 'cid', '-P', 'secret', '-t', 't', '-m', 'm'], [
    { expect: (p) => {
      const c = p as { cmd: string, protocolVersion?: number, username?: string, password?: Buffer }
      assert.equal(c.cmd, 'connect')
      assert.equal(c.protocolVersion, 5)
      assert.equal(c.username, undefined)
      assert.equal(String(c.password), 'secret')
    } },
    { send: connack(0) },
    { expect: { cmd: 'publish', topic: 't' } },
    { expect: { cmd: 'disconnect' } },
  ])
  assert.equal(r.code, 0, r.stderr)
})

for (const quiet of [false, true]) {
  test(`v5 -l: a line the broker refuses is reported${quiet ? ' (not with --quiet)' : ''}, and its reason code is the exit status`, async () => {
    const b = await startFakeBroker([
      { expect: { cmd: 'connect', protocolVersion: 5 } },
      { send: connack(0) },
      { expect: { cmd: 'publish', payload: 'ok' } },
      { sendFn: (last) => puback(last.messageId!) },
      { expect: { cmd: 'publish', payload: 'denied' } },
      { sendFn: (last) => puback(last.messageId!, 135) },
      { expect: { cmd: 'disconnect' } },
    ])
    const args = [...HOST, '-p', String(b.port), '-V', '5', '-q', '1', '-M', '1', '-t', 't', '-l', ...(quiet ? ['--quiet'] : [])]
    const r = await runCli('tspub', args, { stdin: 'ok\ndenied\n' })
    await b.done()
    await b.close()
    assert.equal(r.stderr, quiet ? '' : 'Warning: Publish 2 failed: Not authorized.\nError: 1 message was refused by the broker.\n')
    assert.equal(r.code, 135)
  })
}

// The connection drops after PUBREC: the broker has the message but not its release. Back with a
// new session (session present 0), a PUBREL would be answered PUBCOMP by a broker that never had
// the packet id (mosquitto does), and the message would be lost with the old session. So it is
// published again; with the session kept (-c, session present 1), it is released with PUBREL.
for (const kept of [false, true]) {
  test(`-l -q 2, connection lost after PUBREC, session ${kept ? 'kept: PUBREL again' : 'new: PUBLISH again'}`, async () => {
    const first: Step[] = [
      { expect: { cmd: 'connect' } }, { send: connack(0) },
      { expect: { cmd: 'publish', qos: 2, payload: 'only' } }, { sendFn: (last) => pubrec(last.messageId!) },
      { expect: { cmd: 'pubrel' } }, { close: true },
    ]
    const second: Step[] = [
      { expect: { cmd: 'connect' } }, { send: connack(0, { sessionPresent: kept }) },
      kept ? { expect: { cmd: 'pubrel' } } : { expect: { cmd: 'publish', qos: 2, payload: 'only', dup: true } },
      ...(kept ? [] : [{ sendFn: (last: Packet) => pubrec(last.messageId!) }, { expect: { cmd: 'pubrel' } }] as Step[]),
      { sendFn: (last) => pubcomp(last.messageId!) },
      { expect: { cmd: 'disconnect' } },
    ]
    const args = ['-q', '2', '-t', 't', '-l', ...(kept ? ['-c', '-i', 'keep'] : [])]
    const { r, done } = await play('tspub', args, [first, second], 'only\n')
    await done
    assert.equal(r.code, 0, r.stderr)
  })
}

// A signal the caller ignores stays ignored (nohup, trap '', a background job in a script), as
// for mosquitto_pub: Node resets them at start, and bin/tspub hands the caller's mask over.
test('signals the caller ignores (trap \'\' HUP INT TERM) do not stop tspub -l', async () => {
  const b = await startFakeBroker([
    { expect: { cmd: 'connect' } }, { send: connack(0) },
    { expect: { cmd: 'publish', payload: 'after the signals' } },
    { expect: { cmd: 'disconnect' } },
  ])
  try {
    const { spawn } = await import('node:child_process')
    const child = spawn('sh', ['-c', `trap '' HUP INT TERM; exec "$0" "$@"`, binPath('tspub'), ...HOST, '-p', String(b.port), '-t', 't', '-l'],
      { stdio: ['pipe', 'pipe', 'pipe'] })
    let stderr = ''
    child.stderr.on('data', (c: Buffer) => { stderr += c })
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code, signal) => resolve(code ?? (signal ? -1 : null))))
    for (let i = 0; i < 100 && !b.received.some((p) => p.cmd === 'connect'); i++) await new Promise((resolve) => setTimeout(resolve, 50))
    await new Promise((resolve) => setTimeout(resolve, 200)) // the handlers are in place before the CONNECT
    for (const sig of ['SIGHUP', 'SIGINT', 'SIGTERM'] as const) child.kill(sig)
    await new Promise((resolve) => setTimeout(resolve, 300))
    child.stdin.end('after the signals\n')
    const timer = setTimeout(() => child.kill('SIGKILL'), 10_000)
    const code = await exited
    clearTimeout(timer)
    await b.done(3000)
    assert.equal(code, 0, stderr)
  } finally {
    await b.close()
  }
})

// A broker that drops the connection each time before it acknowledges anything (a line over its
// max_packet_size, say): resending cannot succeed. mosquitto_pub -l loops forever; tspub stops.
test('-l -q 1: a broker that closes every connection before acknowledging anything is given up on', async () => {
  const cycle: Step[] = [{ expect: { cmd: 'connect' } }, { send: connack(0) }, { expect: { cmd: 'publish', payload: 'too big' } }, { close: true }]
  const started = Date.now()
  const { r } = await play('tspub', ['-q', '1', '-t', 't', '-l'], [cycle, cycle, cycle, cycle, cycle], 'too big\n')
  assert.equal(r.code, 7, r.stderr)
  assert.match(r.stderr, /^Error: The broker closed the connection 5 times in a row before acknowledging anything: .*; 1 message was not confirmed by the broker\.\n$/)
  assert.ok(Date.now() - started < 9000)
})

// mosquitto_pub (2.0.11 and 2.1.2) takes the size from the file and publishes an empty message.
test('-f reads to the end whatever the size says: a /proc file (size 0) and a FIFO', { skip: process.platform !== 'linux' }, async () => {
  const fifo = join(mkdtempSync(join(tmpdir(), 'tspub-f-')), 'fifo')
  execFileSync('mkfifo', [fifo])
  const proc = readFileSync('/proc/version')
  assert.ok(proc.length > 0)
  const b = await startFakeBroker([
    [{ expect: { cmd: 'connect' } }, { send: connack(0) }, { expect: { cmd: 'publish', topic: 't', payload: proc } }, { expect: { cmd: 'disconnect' } }],
    [{ expect: { cmd: 'connect' } }, { send: connack(0) }, { expect: { cmd: 'publish', topic: 't', payload: 'through a fifo\n' } }, { expect: { cmd: 'disconnect' } }],
  ])
  const r1 = await runCli('tspub', [...HOST, '-p', String(b.port), '-t', 't', '-f', '/proc/version'])
  assert.equal(r1.code, 0, r1.stderr)
  const run = runCli('tspub', [...HOST, '-p', String(b.port), '-t', 't', '-f', fifo])
  // Blocks until tspub opens the FIFO to read it.
  writeFileSync(fifo, 'through a fifo\n')
  const r2 = await run
  assert.equal(r2.code, 0, r2.stderr)
  await b.done()
  await b.close()
})
