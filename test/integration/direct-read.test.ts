// Plain TCP sockets read through one reused buffer (transport/direct-read.ts): every byte arrives,
// in order, across thousands of small writes; pause() stops reading at the source, also while a
// gathering pause is under way; and the gathering pause happens only for reads that may wait.

import { test } from 'node:test'
import assert from 'node:assert/strict'
import net from 'node:net'
import { once } from 'node:events'
import { setTimeout as sleep } from 'node:timers/promises'
import { directReadsOf } from '../../src/core/incoming.js'
import { DirectReader } from '../../src/transport/direct-read.js'
import { openTcp } from '../../src/transport/tcp.js'

// A QoS 0 PUBLISH to t/x whose payload is `n` as text.
const publish = (n: number): Buffer => {
  const payload = Buffer.from(`message ${n}`)
  return Buffer.concat([Buffer.from([0x30, 5 + payload.length, 0, 3]), Buffer.from('t/x'), payload])
}

// Wait for `cond`, failing after `ms` (a reader that stopped for good must fail the test, not hang it).
async function until(cond: () => boolean, what: string, ms = 5000): Promise<void> {
  const end = Date.now() + ms
  while (!cond()) {
    if (Date.now() > end) assert.fail(`timed out waiting for ${what}`)
    await sleep(2)
  }
}

async function server(onSocket: (s: net.Socket) => void): Promise<{ port: number; close: () => void }> {
  const sockets = new Set<net.Socket>()
  const srv = net.createServer((s) => {
    sockets.add(s)
    onSocket(s)
  })
  srv.listen(0, '127.0.0.1')
  await once(srv, 'listening')
  // Closing also drops every connection, so that a failed test cannot keep the process alive.
  return { port: (srv.address() as net.AddressInfo).port, close: () => { for (const s of sockets) s.destroy(); srv.close() } }
}

// A client socket read by a DirectReader with the given gathering window; its reads are counted,
// and each is answered `mayWait` (true: only QoS 0 messages in it).
async function readerClient(port: number, gatherMs: number, mayWait: boolean) {
  const reader = new DirectReader(gatherMs)
  const socket = net.connect({ host: '127.0.0.1', port, onread: reader.onread })
  await once(socket, 'connect')
  reader.bind(socket)
  const seen = { bytes: 0, calls: 0 }
  reader.onChunk = (chunk) => {
    seen.bytes += chunk.length
    seen.calls++
    return mayWait
  }
  return { reader, socket, seen }
}

test('a direct socket delivers every byte of 5,000 separate writes, in order, with gathering on', async () => {
  const packets = Array.from({ length: 5000 }, (_, i) => publish(i))
  const srv = await server((s) => {
    let i = 0
    // Small writes as a broker makes them, a few per turn, then the end.
    const next = (): void => {
      for (let k = 0; k < 25 && i < packets.length; k++) s.write(packets[i++])
      if (i < packets.length) setImmediate(next)
      else s.end()
    }
    next()
  })
  try {
    const socket = await openTcp({ host: '127.0.0.1', port: srv.port, direct: true })
    const reads = directReadsOf(socket)
    assert.ok(reads, 'a plain TCP connection is read directly')
    const got: Buffer[] = []
    reads.onChunk = (chunk) => {
      got.push(chunk)
      return true // only QoS 0 messages: the reader may gather
    }
    await once(socket, 'close')
    assert.ok(Buffer.concat(got).equals(Buffer.concat(packets)))
  } finally {
    srv.close()
  }
})

test('pause() stops reading until resume(), and a pending gathering pause does not end it', async () => {
  let peer: net.Socket | undefined
  const srv = await server((s) => { peer = s })
  try {
    // A long gathering window, so that the second read surely starts one.
    const { reader, socket, seen } = await readerClient(srv.port, 300, true)
    await until(() => peer !== undefined, 'the connection')
    peer!.write('a')
    await until(() => seen.calls === 1, 'the first read')
    peer!.write('b')
    await until(() => seen.calls === 2, 'the second read') // within 300 ms of the first: a gathering pause starts
    reader.pause()
    peer!.write('cdef')
    await sleep(600) // past the gathering window: still paused, nothing read
    assert.equal(seen.bytes, 2)
    reader.resume()
    await until(() => seen.bytes === 6, 'the bytes written while paused')
    socket.destroy()
  } finally {
    srv.close()
  }
})

test('reads that want an answer are never held back', async () => {
  let peer: net.Socket | undefined
  const srv = await server((s) => { peer = s })
  try {
    // e.g. PUBACKs or QoS 1 messages: read on at once (a gathering pause would outlast the waits)
    const { socket, seen } = await readerClient(srv.port, 10_000, false)
    await until(() => peer !== undefined, 'the connection')
    for (let i = 1; i <= 20; i++) {
      peer!.write('x')
      await until(() => seen.bytes === i, `write ${i}`)
    }
    assert.equal(seen.bytes, 20)
    socket.destroy()
  } finally {
    srv.close()
  }
})
