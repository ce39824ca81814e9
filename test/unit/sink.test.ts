// Unit tests for OutputSink with Repeat pieces: expanded in bounded chunks, in order with what comes
// before and after, backpressure held while expanding, and stopped when the reader goes away.
import assert from 'node:assert/strict'
import { Writable } from 'node:stream'
import { test } from 'node:test'
import { ByteWriter, joinOutput, type OutPart } from '../../src/output/byte-writer.js'
import { OutputSink } from '../../src/output/sink.js'

// A stdout whose reader takes one chunk per turn of the event loop.
function slowStdout(): { stream: NodeJS.WriteStream; got: Buffer[]; largest: () => number } {
  const got: Buffer[] = []
  const stream = new Writable({
    highWaterMark: 16 * 1024,
    write(chunk: Buffer, _enc, done) {
      got.push(Buffer.from(chunk))
      setImmediate(done)
    },
  })
  return { stream: stream as unknown as NodeJS.WriteStream, got, largest: () => Math.max(...got.map((c) => c.length)) }
}

const until = (cond: () => boolean): Promise<void> => new Promise((resolve) => {
  const poll = (): void => (cond() ? resolve() : void setImmediate(poll))
  poll()
})

test('ByteWriter: a long repeat stays a Repeat; short ones are written out', () => {
  const w = new ByteWriter()
  w.latin1('<')
  w.repeat(0x20, 100)
  w.repeat(0x30, 5_000_000)
  w.repeatPattern(Buffer.from('00:'), 200_000)
  w.latin1('>')
  const out = w.take() as OutPart[]
  assert.ok(Array.isArray(out))
  assert.equal(out.length, 4)
  assert.deepEqual(out[1], { pattern: Buffer.from('0'), length: 5_000_000 })
  assert.deepEqual(out[2], { pattern: Buffer.from('00:'), length: 200_000 })
  const all = joinOutput(out)
  assert.equal(all.length, 1 + 100 + 5_000_000 + 200_000 + 1)
  assert.equal(all.toString('latin1', 5_000_101, 5_000_101 + 7), '00:00:0')
  // the writer starts afresh
  w.latin1('x')
  assert.deepEqual(w.take(), Buffer.from('x'))
})

test('the sink expands a Repeat in bounded chunks, in order, holding the tool back meanwhile', async () => {
  const { stream, got, largest } = slowStdout()
  const sink = new OutputSink(stream)
  const pressure: boolean[] = []
  sink.onBackpressure = (congested) => pressure.push(congested)
  sink.write(Buffer.from('before|'))
  sink.write([Buffer.from('['), { pattern: Buffer.from('ab'), length: 9_000_001 }, Buffer.from(']')])
  sink.write(Buffer.from('|after')) // queued behind the Repeat
  sink.flush() // a flush while expanding must not overtake it
  const total = 7 + 1 + 9_000_001 + 1 + 6
  await until(() => got.reduce((n, c) => n + c.length, 0) >= total)
  await until(() => pressure.at(-1) === false)
  const all = Buffer.concat(got)
  assert.equal(all.length, total)
  assert.equal(all.toString('latin1', 0, 12), 'before|[abab')
  assert.equal(all.toString('latin1', total - 10), 'aba]|after')
  assert.ok(largest() <= 1.1 * 1024 * 1024, `a chunk of ${largest()} bytes`)
  assert.equal(pressure[0], true)
})

test('a sink whose reader is gone stops expanding', async () => {
  let written = 0
  const stream = new Writable({
    write(chunk: Buffer, _enc, done) {
      written += chunk.length
      // the reader leaves after the first megabyte
      setImmediate(() => done(written > 1 << 20 ? Object.assign(new Error('EPIPE'), { code: 'EPIPE' }) : undefined))
    },
  }) as unknown as NodeJS.WriteStream
  const sink = new OutputSink(stream)
  let closed = false
  sink.onClosed = () => (closed = true)
  sink.write([{ pattern: Buffer.from(' '), length: 2 ** 31 - 1 }])
  await until(() => closed)
  const at = written
  await new Promise((resolve) => setTimeout(resolve, 20))
  assert.equal(written, at)
  assert.ok(written < 4 << 20)
})
