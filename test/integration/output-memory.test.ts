// tssub -F with huge widths and precisions: the padding is streamed in chunks, so memory stays
// bounded whatever the width (mosquitto streams 2 GiB of "%2147483647p" padding in 4 MB; ours once
// allocated ~6 GB and died with a misleading "network protocol error"), every byte reaches a slow
// reader, and order with the messages around it is kept.
import assert from 'node:assert/strict'
import fs from 'node:fs'
import { describe, test } from 'node:test'
import { connack, publish, startFakeBroker, suback, type Step } from '../helpers/fake-broker.js'
import { binPath, runCli } from '../helpers/run-cli.js'

const HOST = ['-h', '127.0.0.1']

// A broker that hands tssub these messages and expects its DISCONNECT after them.
function messages(...payloads: [string, string | Buffer][]): Step[] {
  return [
    { expect: { cmd: 'connect' } }, { send: connack(0) },
    { expect: { cmd: 'subscribe' } }, { send: suback(1, [0]) },
    ...payloads.map(([topic, payload]): Step => ({ send: publish(topic, payload) })),
    { expect: { cmd: 'disconnect' } },
  ]
}

// The address space a plain node process reserves here (V8 reserves far more than it touches),
// so that the limit below leaves the same headroom on any node version.
function nodeBaselineKb(): number {
  const m = /^VmPeak:\s+(\d+) kB$/m.exec(fs.readFileSync('/proc/self/status', 'utf8'))
  assert.ok(m, 'no VmPeak in /proc/self/status')
  return Number(m[1])
}

// `tssub ARGS | READER` under bash with `ulimit -v` (when given); prints READER's output, exits with tssub's status.
function piped(port: number, args: string[], reader: string, limitKb?: number): ReturnType<typeof runCli> {
  const quoted = [binPath('tssub'), ...HOST, '-p', String(port), ...args].map((a) => `'${a.replace(/'/g, `'\\''`)}'`).join(' ')
  const limit = limitKb === undefined ? '' : `ulimit -v ${limitKb}; `
  return runCli('bash', ['-c', `${limit}${quoted} | ${reader}; exit \${PIPESTATUS[0]}`], { timeoutMs: 60_000 })
}

describe('huge widths and precisions', { concurrency: 1 }, () => {
  test('-F %805306368p: 768 MiB of padding within 512 MiB more address space than node needs', async () => {
    const width = 768 * 1024 * 1024
    const b = await startFakeBroker(messages(['t', 'hi']))
    // Holding the padding in memory would need the whole 768 MiB (twice, when copied out).
    const r = await piped(b.port, ['-t', '#', '-C', '1', '-F', `%${width}p`], 'wc -c', nodeBaselineKb() + 512 * 1024)
    await b.close()
    assert.equal(r.stderr, '')
    assert.equal(r.code, 0)
    assert.equal(r.stdout.toString().trim(), String(width + 1))
  })

  test('a slow reader gets every byte (no deadline on the way out)', async () => {
    const b = await startFakeBroker(messages(['t', 'hi']))
    // The reader starts after 3.5 s: a 3 s exit deadline cut this at the pipe's 64 KB.
    const r = await piped(b.port, ['-t', '#', '-C', '1', '-F', '%20000000t'], '(sleep 3.5; wc -c)')
    await b.close()
    assert.equal(r.code, 0, r.stderr)
    assert.equal(r.stdout.toString().trim(), '20000001')
  })

  test('a reader that leaves half-way: tssub stops streaming and exits', async () => {
    const b = await startFakeBroker(messages(['t', 'hi']))
    const r = await piped(b.port, ['-t', '#', '-C', '1', '-F', '%2147483647p'], 'head -c 100000 | wc -c')
    await b.close()
    assert.equal(r.stdout.toString().trim(), '100000')
    assert.equal(r.stderr, '')
    assert.equal(r.code, 0)
  })

  test('long paddings between fields and messages come out whole and in order', async () => {
    const b = await startFakeBroker(messages(['a', 'one'], ['b', 'two'], ['c', Buffer.from([0xab, 0xcd, 0xef])]))
    const r = await runCli('tssub', [...HOST, '-p', String(b.port), '-t', '#', '-C', '3', '-F', '<%200000t|%-300000p|%070000.4:X>'])
    await b.close()
    assert.equal(r.code, 0, r.stderr)
    const hexPadding = (payload: string): string => {
      // mosquitto 2.1: the 0 padding counts towards the groups of 4, a ":" after each
      const pads = 70000 - payload.length
      let s = ''
      for (let i = 0; i < pads; i++) s += (i % 4 === 3) ? '0:' : '0'
      let pos = pads
      for (let i = 0; i < payload.length; i++, pos++) s += payload[i] + ((pos % 4 === 3 && i < payload.length - 1) ? ':' : '')
      return s
    }
    const line = (topic: string, payload: Buffer): string => '<' + topic.padStart(200000) + '|' +
      payload.toString('latin1').padEnd(300000) + '|' + hexPadding(payload.toString('hex').toUpperCase()) + '>\n'
    assert.equal(r.stdout.toString('latin1'),
      line('a', Buffer.from('one')) + line('b', Buffer.from('two')) + line('c', Buffer.from([0xab, 0xcd, 0xef])))
  })

  test('%.300000000d: a huge precision streams its zeros (mosquitto 2.1.2 takes 5 bytes of memory per digit)', async () => {
    const double = Buffer.alloc(8)
    double.writeDoubleLE(2.5)
    const b = await startFakeBroker(messages(['t', double]))
    const r = await piped(b.port, ['-t', '#', '-C', '1', '-F', '%.300000000d'], '{ head -c 4; wc -c; }', nodeBaselineKb() + 256 * 1024)
    await b.close()
    assert.equal(r.code, 0, r.stderr)
    // "2." then 300,000,000 zeros and the newline: 4 bytes shown, the rest counted
    assert.equal(r.stdout.toString(), `2.50${300_000_003 - 4}\n`)
  })
})
