// Unit tests for renderMessage (contract §2.11): plain, -v, -N and -F; outputs checked against mosquitto_sub 2.0.11.

import { test } from 'node:test'
import assert from 'node:assert/strict'
import type { ReceivedMessage } from '../../src/core/message.js'
import { compileFormat } from '../../src/output/format.js'
import { joinOutput } from '../../src/output/byte-writer.js'
import { renderMessage, type OutputOptions } from '../../src/output/render.js'
import type { Clock } from '../../src/output/time.js'

const noClock: Clock = { now: () => assert.fail('the clock must not be read') }
const msg = (payload: Buffer | string, topic = 'w/x'): ReceivedMessage => ({
  topic: Buffer.from(topic), payload: Buffer.isBuffer(payload) ? payload : Buffer.from(payload), qos: 0, retain: false, mid: 0,
})
const opts = (o: Partial<OutputOptions> = {}): OutputOptions => ({ verbose: false, noEol: false, pretty: false, ...o })
const out = (m: ReceivedMessage, o: Partial<OutputOptions> = {}): Buffer => {
  return joinOutput(renderMessage(m, opts(o), noClock).out)
}

// [mode, payload, expected stdout]
const modes: Array<[string, Partial<OutputOptions>, string, string]> = [
  ['default', {}, 'abc', 'abc\n'],
  ['default, empty payload: nothing at all', {}, '', ''],
  ['-N', { noEol: true }, 'abc', 'abc'],
  ['-N, empty payload', { noEol: true }, '', ''],
  ['-v', { verbose: true }, 'abc', 'w/x abc\n'],
  ['-v, empty payload', { verbose: true }, '', 'w/x (null)\n'],
  ['-v -N', { verbose: true, noEol: true }, 'abc', 'w/x abc'],
  ['-v -N, empty payload: nothing', { verbose: true, noEol: true }, '', ''],
  ['--pretty alone changes nothing', { pretty: true }, 'abc', 'abc\n'],
]
for (const [name, o, payload, want] of modes) {
  test(`mode: ${name}`, () => {
    const r = renderMessage(msg(payload), opts(o), noClock)
    assert.deepEqual(joinOutput(r.out), Buffer.from(want))
    assert.deepEqual(r.errors, [])
  })
}

test('payload bytes pass through unchanged: NUL, invalid UTF-8, CR/LF', () => {
  const raw = Buffer.from([0x00, 0xff, 0x0a, 0x0d, 0xc3, 0x28, 0x7f])
  assert.deepEqual(out(msg(raw)), Buffer.concat([raw, Buffer.from('\n')]))
  assert.deepEqual(out(msg(raw), { verbose: true }), Buffer.concat([Buffer.from('w/x '), raw, Buffer.from('\n')]))
  assert.deepEqual(out(msg(raw), { format: compileFormat(Buffer.from('%p')) }), Buffer.concat([raw, Buffer.from('\n')]))
})

test('the topic is printed as received, spaces included', () => {
  assert.deepEqual(out(msg('x', 'a b/é'), { verbose: true }), Buffer.from('a b/é x\n'))
})

test('-F overrides -v but not -N', () => {
  const format = compileFormat(Buffer.from('%t:%p'))
  assert.deepEqual(out(msg('abc'), { format, verbose: true }), Buffer.from('w/x:abc\n'))
  assert.deepEqual(out(msg('abc'), { format, verbose: true, noEol: true }), Buffer.from('w/x:abc'))
})

test('-F prints the format even for an empty payload', () => {
  assert.deepEqual(out(msg(''), { format: compileFormat(Buffer.from('%p')) }), Buffer.from('\n'))
  assert.deepEqual(out(msg(''), { format: compileFormat(Buffer.from('[%l]')) }), Buffer.from('[0]\n'))
})

test('-F %J with a payload that is not JSON: an empty line and one error line', () => {
  const clock: Clock = { now: () => ({ epochMs: 0, nanos: 0 }) }
  const r = renderMessage(msg('message'), opts({ format: compileFormat(Buffer.from('%J')) }), clock)
  assert.deepEqual(r.out, Buffer.from('\n'))
  assert.deepEqual(r.errors, ['Error: Message payload is not valid JSON on topic w/x.\n'])
})

test('each call returns its own buffer', () => {
  const format = compileFormat(Buffer.from('%p'))
  const a = out(msg('first'), { format })
  const b = out(msg('second'), { format })
  assert.equal(a.toString(), 'first\n')
  assert.equal(b.toString(), 'second\n')
})

test('a large payload through -F', () => {
  const big = Buffer.alloc(100000, 0x61)
  const r = out(msg(big), { format: compileFormat(Buffer.from('%l %p')) })
  assert.equal(r.length, 7 + 100000 + 1)
  assert.equal(r.subarray(0, 7).toString(), '100000 ')
})

test('a payload is handed on in parts, never copied next to its newline', () => {
  const big = Buffer.alloc(200_000, 0x61)
  const r = renderMessage(msg(big), opts(), noClock).out
  assert.ok(!Buffer.isBuffer(r))
  assert.equal((r as Buffer[])[0], big)
  assert.deepEqual(Buffer.concat(r as Buffer[]), Buffer.concat([big, Buffer.from('\n')]))
})
