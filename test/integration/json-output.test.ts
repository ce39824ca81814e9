// tssub -F %j / %J: whatever arrives, every line a JSON parser (JSON.parse, as jq) accepts, and the
// message's bytes recoverable from it: invalid UTF-8, NULs, control characters, huge numbers, and
// v5 properties a careless broker may pass on (user properties that are not UTF-8, binary correlation data).
import assert from 'node:assert/strict'
import { isUtf8 } from 'node:buffer'
import { test } from 'node:test'
import { connack, publish, startFakeBroker, suback, type Step } from '../helpers/fake-broker.js'
import { runCli } from '../helpers/run-cli.js'

const HOST = ['-h', '127.0.0.1']

// Seeded, so that a failure can be replayed.
function randomBytes(seed: number, n: number): Buffer {
  const b = Buffer.alloc(n)
  for (let i = 0; i < n; i++) b[i] = (seed = (seed * 1103515245 + 12345) % 2 ** 31) >> 16
  return b
}

const NASTY: Buffer[] = [
  Buffer.from('plain'),
  Buffer.from([0xff, 0xfe, 0x00, 0x41]),
  Buffer.from('bin\0ary\0'),
  Buffer.from('\x01\x02\x1f\x7f\t\n\r"\\/\u2028\u2029 end'),
  Buffer.from('é😀 \ud7ff\ue000'),
  Buffer.from([0xed, 0xa0, 0x80]), // an encoded surrogate: not UTF-8
  Buffer.from([0xc0, 0x80]), // an overlong NUL
  ...Array.from({ length: 20 }, (_, i) => randomBytes(i + 1, 1 + i * 7)),
  Buffer.from('{"id":12345678901234567890,"big":1e400,"neg":-1e999,"tiny":5e-324,"s":"a\\u0000b","e":"\\u00e9"}'),
  Buffer.from('[01, 1., -.5, 1e, "x\ty"]'),
  Buffer.from('"a\xffb"', 'latin1'),
  Buffer.from('"\\u00zz"'),
  Buffer.from('[1,2,]'),
  Buffer.from(' 42 '),
]

function script(messages: (Buffer | { raw: Buffer })[]): Step[] {
  return [
    { expect: { cmd: 'connect' } }, { send: connack(0) },
    { expect: { cmd: 'subscribe' } }, { send: suback(1, [0]) },
    ...messages.map((msg): Step => ({ send: Buffer.isBuffer(msg) ? publish('j/t', msg) : msg.raw })),
    { expect: { cmd: 'disconnect' } },
  ]
}

async function sub(format: string, messages: (Buffer | { raw: Buffer })[], version: 4 | 5 = 4): Promise<string[]> {
  const b = await startFakeBroker(script(messages), { protocolVersion: version })
  const r = await runCli('tssub', [...HOST, '-p', String(b.port), '-t', '#', '-V', version === 5 ? '5' : '311', '-C', String(messages.length), '-F', format])
  await b.close()
  assert.equal(r.code, 0, r.stderr)
  const lines = r.stdout.toString('utf8').split('\n')
  assert.equal(lines.pop(), '')
  assert.equal(lines.length, messages.length)
  // the bytes are UTF-8 as they stand (a decoder that replaced anything would hide invalid output)
  assert.ok(isUtf8(r.stdout), 'the output is not UTF-8')
  return lines
}

test('%j: every line is JSON, and the payload comes back byte for byte', async () => {
  const lines = await sub('%j', NASTY)
  lines.forEach((line, i) => {
    const o = JSON.parse(line) as { payload: string | null; payload_encoding?: string; payloadlen: number; retain: boolean }
    const payload = o.payload_encoding === 'base64' ? Buffer.from(o.payload!, 'base64') : Buffer.from(o.payload ?? '', 'utf8')
    assert.deepEqual(payload, NASTY[i], `message ${i}: ${line}`)
    assert.equal(o.payloadlen, NASTY[i].length)
    assert.equal(o.retain, false)
  })
})

test('%J: every printed line is JSON, with the payload\'s value; a payload that is not JSON prints nothing', async () => {
  const lines = await sub('%J', NASTY)
  lines.forEach((line, i) => {
    if (line === '') return
    const o = JSON.parse(line) as { payload: unknown }
    let want: unknown
    try {
      want = JSON.parse(NASTY[i].toString('utf8'))
    } catch {
      return // cJSON's leniencies ("01", "1."): normalised, and valid JSON all the same
    }
    assert.deepEqual(o.payload, want, `message ${i}: ${line}`)
  })
  // what a double cannot hold keeps its digits; a NUL inside a string stays
  const big = lines[NASTY.findIndex((p) => p.includes('"id"'))]
  assert.match(big, /"payload":\{"id":12345678901234567890,"big":1e400,"neg":-1e999,"tiny":4.94065645841247e-324,"s":"a\\u0000b","e":"é"\}\}$/)
  // not UTF-8, or a \u escape that is not four hex digits: not JSON
  for (const bad of ['"a\xffb"', '"\\u00zz"', '[1,2,]']) assert.equal(lines[NASTY.findIndex((p) => p.equals(Buffer.from(bad, 'latin1')))], '')
})

// A v5 PUBLISH with the given properties block, built by hand: mqtt-packet only encodes strings as UTF-8.
function v5Publish(topic: string, props: Buffer, payload: Buffer): Buffer {
  const t = Buffer.from(topic)
  const varint = (n: number): Buffer => {
    const out: number[] = []
    do {
      let byte = n & 0x7f
      n >>>= 7
      if (n > 0) byte |= 0x80
      out.push(byte)
    } while (n > 0)
    return Buffer.from(out)
  }
  const body = Buffer.concat([Buffer.from([t.length >> 8, t.length & 0xff]), t, varint(props.length), props, payload])
  return Buffer.concat([Buffer.from([0x30]), varint(body.length), body])
}
const str16 = (b: Buffer): Buffer => Buffer.concat([Buffer.from([b.length >> 8, b.length & 0xff]), b])

test('%j: v5 properties from a careless broker are still JSON (user properties not UTF-8, binary correlation data)', async () => {
  const props = Buffer.concat([
    Buffer.from([0x26]), str16(Buffer.from('k\xff', 'latin1')), str16(Buffer.from('v\xfe', 'latin1')),
    Buffer.from([0x26]), str16(Buffer.from('k')), str16(Buffer.from('a\0b')),
    Buffer.from([0x09]), str16(Buffer.from([0x00, 0xff, 0x10])),
  ])
  const [line] = await sub('%j', [{ raw: v5Publish('j/v5', props, Buffer.from('x')) }], 5)
  const o = JSON.parse(line) as { properties: Record<string, unknown> }
  assert.deepEqual(o.properties['user-properties'], [{ 'k\ufffd': 'v\ufffd' }, { k: 'a\0b' }])
  assert.equal(o.properties['correlation-data-encoding'], 'base64')
  assert.deepEqual(Buffer.from(o.properties['correlation-data'] as string, 'base64'), Buffer.from([0x00, 0xff, 0x10]))
})
