// A hostile or broken broker (issue 6): malformed packets, impossible lengths, silence, packets
// the spec forbids. Whatever it sends, tspub and tssub must end with one clear `Error: ...` line
// and a non-zero exit (or carry on, where mosquitto does and it is safe), never a stack trace,
// never a hang, never unbounded memory. mosquitto 2.0.11's behaviour, where it differs, is noted
// per case (observed with the same scripts against mosquitto_pub/mosquitto_sub).
import assert from 'node:assert/strict'
import { describe, test } from 'node:test'
import { connack, puback, startFakeBroker, suback, type FakeBroker, type Step } from '../helpers/fake-broker.js'
import { runCli, type RunResult } from '../helpers/run-cli.js'

const HOST = ['-h', '127.0.0.1']

// Raw bytes from a readable hex string ("20 02 00 00").
const hex = (s: string): Buffer => Buffer.from(s.replace(/\s+/g, ''), 'hex')
const u16 = (n: number): Buffer => Buffer.from([n >> 8, n & 0xff])

// Accept whatever the client sends (the packet is recorded in broker.received anyway). When a
// script ends, the fake broker keeps the connection open and silent: that is how cases stall.
const any: Step = { expect: () => undefined }
// CONNECT answered; then the client's first packet after CONNACK (SUBSCRIBE or PUBLISH) is read.
const accepted: Step[] = [any, { send: connack(0) }]
const acceptedV5: Step[] = [any, { send: hex('20 03 00 00 00') }]
// tssub's first SUBSCRIBE is mid 1: granted QoS 0 for one filter.
const subscribed: Step[] = [...accepted, any, { send: suback(1, [0]) }]
const subscribedV5: Step[] = [...acceptedV5, any, { send: hex('90 04 00 01 00 00') }]

interface Played {
  r: RunResult
  ms: number
  broker: FakeBroker
}

// Runs `tool` against a fresh fake broker playing `script`; the run is bounded by timeoutMs.
async function play(tool: 'tspub' | 'tssub', args: string[], script: Step[] | Step[][], timeoutMs = 5000, stdin?: string): Promise<Played> {
  const broker = await startFakeBroker(script)
  const start = Date.now()
  try {
    const r = await runCli(tool, [...HOST, '-p', String(broker.port), ...args], { timeoutMs, stdin })
    return { r, ms: Date.now() - start, broker }
  } finally {
    await broker.close()
  }
}

// No stack trace or Node internals, whatever else was printed.
function assertNoTrace(r: RunResult): void {
  assert.doesNotMatch(r.stderr, /^ {4}at /m, `stack trace on stderr:\n${r.stderr}`)
  assert.doesNotMatch(r.stderr, /node:internal|TypeError|RangeError|ReferenceError/, `internal error on stderr:\n${r.stderr}`)
}

// Exactly one `Error: ...` line on stderr and a non-zero exit (optionally a given one).
function assertCleanError(r: RunResult, code?: number, text?: RegExp): void {
  assertNoTrace(r)
  assert.match(r.stderr, /^Error: [^\n]+\n$/, `expected one "Error: ..." line, got ${JSON.stringify(r.stderr)} (exit ${r.code})`)
  assert.notEqual(r.code, 0, 'exit status must not be 0')
  assert.equal(r.signal, null)
  if (code !== undefined) assert.equal(r.code, code, `exit status; stderr: ${r.stderr}`)
  if (text !== undefined) assert.match(r.stderr, text)
}

// Everything runs concurrently (the groups, and a few cases within each): several cases wait for
// a keepalive or a -W deadline, and the file must stay quick. Time bounds allow for the start-up
// of a dozen Node processes sharing two cores.
describe('hostile broker', { concurrency: true }, () => {
  describe('malformed packets from the broker', { concurrency: 3 }, () => {
    // mosquitto_pub: exit 2, "A network protocol error occurred..." for all of these.
    test('reserved packet type 0 instead of CONNACK: protocol error, exit 2', async () => {
      const { r } = await play('tspub', ['-t', 't', '-m', 'x'], [any, { send: hex('00 02 00 00') }])
      assertCleanError(r, 2, /protocol error/)
    })

    test('packet type 15 (AUTH) in MQTT v3.1.1: protocol error, exit 2', async () => {
      const { r } = await play('tspub', ['-t', 't', '-m', 'x'], [any, { send: hex('f0 00') }])
      assertCleanError(r, 2, /protocol error/)
    })

    // [MQTT-2.2.2-2] reserved flag bits must be as specified. mosquitto_pub ignores them and
    // publishes (exit 0); refusing is stricter and safe.
    test('CONNACK with reserved header flags set: protocol error, exit 2', async () => {
      const { r } = await play('tspub', ['-t', 't', '-m', 'x'], [any, { send: hex('21 02 00 00') }])
      assertCleanError(r, 2, /protocol error/)
    })

    // mosquitto_pub prints "Error: Success" and exits 14 here (errno 0 after a short read).
    test('truncated CONNACK, then the socket closes: connection lost, exit 7', async () => {
      const { r } = await play('tspub', ['-t', 't', '-m', 'x'], [any, { send: hex('20 02 00') }, { close: true }])
      assertCleanError(r, 7, /connection was lost/)
    })

    test('remaining length encoded in five bytes: protocol error, exit 2', async () => {
      const { r } = await play('tspub', ['-t', 't', '-m', 'x'], [any, { send: hex('20 ff ff ff ff 01') }])
      assertCleanError(r, 2, /protocol error/)
    })

    test('a QoS 3 PUBLISH: protocol error, exit 2, nothing printed', async () => {
      const { r } = await play('tssub', ['-t', '#', '-W', '4'], [...subscribed, { send: hex('36 07 00 01 74 00 01 68 69') }])
      assertCleanError(r, 2, /protocol error/)
      assert.equal(r.stdout.length, 0)
    })

    test('a packet after a protocol error, in the same chunk, is not processed', async () => {
      const { r } = await play('tssub', ['-t', '#', '-W', '4'], [...subscribed, { send: hex('00 00 30 05 00 01 74 68 69') }])
      assertCleanError(r, 2, /protocol error/)
      assert.equal(r.stdout.length, 0, 'the PUBLISH after the bad packet was printed')
    })

    test('a packet after a protocol error, in a later chunk, is not processed', async () => {
      const { r } = await play('tssub', ['-t', '#', '-W', '4'],
        [...subscribed, { send: hex('00 00') }, { wait: 100 }, { send: hex('30 05 00 01 74 68 69') }])
      assertCleanError(r, 2, /protocol error/)
      assert.equal(r.stdout.length, 0)
    })

    // [MQTT-2.3.1-1] a QoS 1 or 2 PUBLISH needs a non-zero packet identifier; mosquitto_sub: exit 2.
    test('a QoS 1 PUBLISH with packet identifier 0: protocol error, exit 2, nothing printed', async () => {
      const { r } = await play('tssub', ['-t', '#', '-W', '2'], [...subscribed, { send: hex('32 07 00 01 74 00 00 68 69') }])
      assert.equal(r.stdout.length, 0, `printed ${JSON.stringify(r.stdout.toString())}`)
      assertCleanError(r, 2, /protocol error/)
    })

    // mosquitto_pub: exit 2 at once. mqtt-packet reads it as a PUBACK for id -1 (peers.md §2.3).
    test('a PUBACK with a 1-byte body: protocol error at once, exit 2', async () => {
      const { r } = await play('tspub', ['-t', 't', '-m', 'x', '-q', '1', '-k', '5'], [...accepted, any, { send: hex('40 01 00') }], 15_000)
      assertCleanError(r, 2, /protocol error/)
    })

    // mosquitto_sub drops the connection and reconnects (MOSQ_ERR_MALFORMED_UTF8); it never prints
    // such a message. [MQTT-1.5.4-1] the receiver closes the connection.
    test('PUBLISH with an invalid UTF-8 topic: not printed, protocol error, exit 2', async () => {
      const { r } = await play('tssub', ['-t', '#', '-v', '-W', '3'], [...subscribed, { send: hex('30 05 00 01 ff 68 69') }])
      assert.doesNotMatch(r.stdout.toString('latin1'), /hi/, `a message with a malformed topic was printed: ${JSON.stringify(r.stdout.toString())}`)
      assertCleanError(r, 2, /UTF-8/)
    })

    // [MQTT-3.9.3-1] one return code per filter. mosquitto_sub does not check and carries on.
    test('SUBACK with fewer return codes than filters: protocol error, exit 2', async () => {
      const { r } = await play('tssub', ['-t', 'a', '-t', 'b', '-W', '3'], [...accepted, any, { send: suback(1, [0]) }])
      assertCleanError(r, 2, /SUBACK/)
    })

    test('SUBACK with more return codes than filters: protocol error, exit 2', async () => {
      const { r } = await play('tssub', ['-t', 'a', '-W', '3'], [...accepted, any, { send: suback(1, [0, 1, 2]) }])
      assertCleanError(r, 2, /SUBACK/)
    })

    // mosquitto_pub and mosquitto_sub answer a PINGREQ from the server with PINGRESP. The spec has
    // PINGREQ client-to-server only [MQTT-4.8.0-1 via 2.2.1 table]; refusing it is stricter.
    test('the server sends PINGREQ: protocol error, exit 2 (tssub)', async () => {
      const { r } = await play('tssub', ['-t', '#', '-W', '4'], [...subscribed, { send: hex('c0 00') }])
      assertCleanError(r, 2, /pingreq/i)
    })

    test('the server sends PINGREQ while a QoS 1 publish is in flight: non-zero exit (tspub)', async () => {
      const { r } = await play('tspub', ['-t', 't', '-m', 'x', '-q', '1'], [...accepted, any, { send: hex('c0 00') }])
      assertCleanError(r)
    })

    // mosquitto_sub sends a second SUBSCRIBE (it takes the CONNACK as a new session); mosquitto_pub
    // ignores it and waits for the PUBACK.
    test('CONNACK twice, the second after SUBSCRIBE: protocol error, exit 2 (tssub)', async () => {
      const { r } = await play('tssub', ['-t', '#', '-W', '4'], [...accepted, any, { send: connack(0) }])
      assertCleanError(r, 2, /CONNACK/)
    })

    test('CONNACK twice, the second while a QoS 1 publish is in flight: non-zero exit (tspub)', async () => {
      const { r } = await play('tspub', ['-t', 't', '-m', 'x', '-q', '1'], [...accepted, any, { send: connack(0) }])
      assertCleanError(r)
    })

    // The connection is lost between CONNACK and the publish: the publish must fail loudly. Today
    // the close happens before main() calls publish(), nothing is left to wake it, Node's event
    // loop drains and the process exits 0 without having published anything.
    test('CONNACK twice in one chunk: the QoS 1 message was never sent, so the exit is not 0 (tspub)', async () => {
      const { r, broker } = await play('tspub', ['-t', 't', '-m', 'x', '-q', '1'], [any, { send: hex('20 02 00 00 20 02 00 00') }])
      assert.equal(broker.received.filter((p) => p.cmd === 'publish').length, 0)
      assertCleanError(r)
    })

    test('CONNACK and PINGREQ in one chunk: the exit is not 0 (tspub)', async () => {
      const { r } = await play('tspub', ['-t', 't', '-m', 'x', '-q', '1'], [any, { send: hex('20 02 00 00 c0 00') }])
      assertCleanError(r)
    })

    // The same loss seen by tssub (its SUBSCRIBE awaits forever) and by tspub -l (its reconnect
    // handler was not yet listening): both exit 0 today, silently or after printing the error.
    test('CONNACK and a malformed packet in one chunk: tssub exits 2, not 0', async () => {
      const { r } = await play('tssub', ['-t', '#', '-W', '3'], [any, { send: hex('20 02 00 00 00 00') }])
      assertCleanError(r, 2, /protocol error/)
    })

    test('CONNACK and a malformed packet in one chunk: tspub -l -q 1 does not exit 0', async () => {
      const { r, broker } = await play('tspub', ['-t', 't', '-l', '-q', '1'], [any, { send: hex('20 02 00 00 00 00') }], 5000, 'a\nb\n')
      assert.equal(broker.received.filter((p) => p.cmd === 'publish').length, 0)
      assertCleanError(r)
    })

    // The same gap later on: the broker goes away during --repeat-delay, between two publishes.
    // The second publish is queued on a dead client that will never call back.
    test('the connection drops during --repeat-delay: the second message was not sent, so the exit is not 0', async () => {
      const { r, broker } = await play('tspub', ['-t', 't', '-m', 'x', '-q', '1', '--repeat', '2', '--repeat-delay', '1'],
        [...accepted, { expect: { cmd: 'publish' } }, { sendFn: (last) => puback(last.messageId) }, { close: true }])
      assert.equal(broker.received.filter((p) => p.cmd === 'publish').length, 1)
      assertCleanError(r, 7, /connection was lost/)
    })

    // A PUBACK for an id we never used: mosquitto logs it and goes on waiting for the real one,
    // which a broker that acknowledges the wrong ids never sends (a hang). Here it ends the run
    // as the protocol error it is, even in -l mode (a broken broker is not an outage to ride out).
    test('PUBACK for an unknown id: logged, then a protocol error, exit 2; -l does not reconnect', async () => {
      const script: Step[] = [
        ...accepted,
        { expect: { cmd: 'publish', messageId: 1, payload: 'one' } },
        { send: puback(7) },
        { expectClose: true },
      ]
      const { r, broker } = await play('tspub', ['-t', 't', '-q', '1', '-M', '1', '-l', '-d'], script, 10_000, 'one\ntwo\n')
      assertCleanError(r, 2, /PUBACK for packet identifier 7, which nothing was waiting for/)
      assert.match(r.stdout.toString(), /Warning: Received PUBACK from null for an unknown packet identifier 7\./)
      assert.equal(broker.connections, 1)
      assert.equal(broker.received.filter((p) => p.cmd === 'publish').length, 1)
    })
  })

  describe('MQTT v5: a zero-length DISCONNECT packed with another packet (mqtt-packet bug, peers.md §2.3)', { concurrency: 3 }, () => {
    // The reference: a lone zero-length DISCONNECT makes tssub reconnect (as mosquitto 2.0.15+;
    // 2.0.11 reports a protocol error for the zero-length form and exits 2). The second connection
    // delivers one message, which ends `-C 1`: proof of the reconnect without racing a deadline.
    const delivered: Step[] = [...acceptedV5, any, { sendFn: (last) => Buffer.concat([hex('90 04'), u16(last.messageId ?? 0), hex('00 00')]) },
      { send: hex('30 06 00 01 74 00 6f 6b') }]
    test('reference: e0 00 alone makes tssub reconnect', async () => {
      const { r, broker } = await play('tssub', ['-t', 't', '-V', '5', '-C', '1'], [[...subscribedV5, { send: hex('e0 00') }], delivered], 15_000)
      assertNoTrace(r)
      assert.equal(broker.connections, 2)
      assert.equal(r.stdout.toString(), 'ok\n')
      assert.equal(r.code, 0, r.stderr)
    })

    for (const [name, bytes] of [['PINGREQ', 'e0 00 c0 00'], ['PINGRESP', 'e0 00 d0 00'], ['PUBLISH', 'e0 00 30 05 00 01 74 68 69']]) {
      test(`e0 00 + ${name} in one chunk is read as the DISCONNECT it is: tssub reconnects`, async () => {
        const { r, broker } = await play('tssub', ['-t', 't', '-V', '5', '-C', '1'], [[...subscribedV5, { send: hex(bytes) }], delivered], 15_000)
        assertNoTrace(r)
        assert.doesNotMatch(r.stderr, /Invalid disconnect reason code/)
        assert.equal(broker.connections, 2, `tssub did not reconnect; stderr: ${r.stderr}`)
        assert.equal(r.stdout.toString(), 'ok\n')
      })
    }

    test('e0 00 c0 00 while a QoS 1 publish is in flight: connection lost, exit 7 (tspub)', async () => {
      const { r } = await play('tspub', ['-t', 't', '-m', 'x', '-q', '1', '-V', '5'], [...acceptedV5, any, { send: hex('e0 00 c0 00') }])
      assertCleanError(r, 7)
      assert.doesNotMatch(r.stderr, /Invalid disconnect reason code/)
    })
  })

  describe('a CONNACK that never comes', { concurrency: 3 }, () => {
    // mosquitto_sub -W: exit 255 at the deadline, silently (contract §3.1).
    test('tssub -W 2: exit 255 after 2 s, silent', async () => {
      const { r } = await play('tssub', ['-t', 't', '-W', '2'], [any], 15_000)
      assertNoTrace(r)
      assert.equal(r.code, 255)
      assert.equal(r.stderr, '')
    })

    // mosquitto_pub closes after one keepalive and exits 19 ("Error: Unknown error." in 2.0.11);
    // mosquitto_sub and mosquitto_pub -l reconnect every keepalive + 1 s forever. tspub gives up
    // after one keepalive too, having sent nothing but CONNECT (no PINGREQ before CONNACK).
    test('tspub -k 5: "Keepalive exceeded", exit 19, after one keepalive, no PINGREQ before CONNACK', async () => {
      const { r, ms, broker } = await play('tspub', ['-t', 't', '-m', 'x', '-k', '5'], [any], 15_000)
      assertCleanError(r, 19, /Keepalive/)
      assert.ok(ms < 9000, `took ${ms} ms`)
      assert.deepEqual(broker.received.map((p) => p.cmd), ['connect'])
    })

    test('tspub -l -q 1 -k 5: exits 19 rather than waiting forever', async () => {
      const { r, ms } = await play('tspub', ['-t', 't', '-l', '-q', '1', '-k', '5'], [any], 15_000, 'a\nb\n')
      assertCleanError(r, 19, /Keepalive/)
      assert.ok(ms < 12_500, `took ${ms} ms`)
    })
  })

  describe('a remaining length of 256 MB', { concurrency: 3 }, () => {
    // No CONNACK, PUBACK... can be that long in MQTT v3.1.1 (they have fixed lengths), so a client
    // can refuse the packet on its fixed header instead of waiting for 256 MB that never come.
    // mosquitto_pub waits for them, until its keepalive (exit 19 after 5 s with -k 5). "At once"
    // is told by the exit status, not a clock: a client that waited would end at its keepalive
    // with 19 (the run may take 15 s, so that it can show that).
    test('a CONNACK announcing 256 MB: protocol error at once', async () => {
      const { r } = await play('tspub', ['-t', 't', '-m', 'x', '-k', '5'], [any, { send: hex('20 ff ff ff 7f 00 00') }], 15_000)
      assertCleanError(r, 2, /protocol error/)
    })

    test('a PUBACK announcing 256 MB: protocol error at once', async () => {
      const { r } = await play('tspub', ['-t', 't', '-m', 'x', '-q', '1', '-k', '5'], [...accepted, any, { send: hex('40 ff ff ff 7f 00 01') }], 15_000)
      assertCleanError(r, 2, /protocol error/)
    })
  })
})
