// Run while the start-up snapshot is built: exercise the code every run needs (option parsing, a
// whole MQTT session against an in-memory broker, message output) so that V8 has compiled it
// before the heap is saved, and a real run starts with that work done. No sockets, files or
// lasting timers: everything is in memory and finishes before the snapshot is taken.
import { Duplex } from 'node:stream'
import { MqttClient } from '../core/client.js'
import { parseCommandLine } from '../options/parse.js'
import type { Tool } from '../options/table.js'
import { compileFormat } from '../output/format.js'
import { renderMessage } from '../output/render.js'

const WARM_ARGS: Record<Tool, string[]> = {
  pub: ['-h', 'localhost', '-p', '1883', '-t', 'warm/up', '-m', 'x', '-q', '1', '-i', 'warm'],
  sub: ['-h', 'localhost', '-p', '1883', '-t', 'warm/up', '-v', '-q', '1', '-C', '1', '-i', 'warm'],
  rr: ['-h', 'localhost', '-p', '1883', '-t', 'warm/up', '-e', 'warm/answer', '-m', 'x', '-q', '1', '-i', 'warm'],
}

/** Exercise `tool`'s usual path; returns what went wrong (a warm-up never fails the build). */
export async function warmUp(tool: Tool): Promise<unknown[]> {
  const problems: unknown[] = []
  const env = { XDG_CONFIG_HOME: '/nonexistent' }
  const args = WARM_ARGS[tool]
  try {
    parseCommandLine(tool, args, env)
  } catch {
    // a warm-up only
  }
  for (const version of [4, 5] as const) {
    try {
      await session(tool, version)
    } catch (err) {
      problems.push(err)
    }
  }
  if (tool !== 'pub') {
    const msg = { topic: Buffer.from('warm/up'), payload: Buffer.from('x'), qos: 1 as const, retain: false, mid: 1 }
    renderMessage(msg, { verbose: true, noEol: false, pretty: false })
    renderMessage(msg, { format: compileFormat(Buffer.from('%t %p')), verbose: false, noEol: false, pretty: false })
  }
  return problems
}

// CONNECT, SUBSCRIBE and/or PUBLISH at QoS 0 and 1, DISCONNECT, against a broker that lives in memory.
async function session(tool: Tool, protocolVersion: 4 | 5): Promise<void> {
  // keepalive 0 and destroy() instead of disconnect(): no timer may be left in the snapshot (a
  // Node timer list saved half-used stops every later timer of the real run from firing).
  const client = new MqttClient({ protocolVersion, clientId: 'warm', keepalive: 0, clean: true, maxInflight: 20 })
  await client.connect(memoryBroker(protocolVersion))
  // tsrr subscribes, then publishes its request.
  if (tool !== 'pub') await client.subscribe(['warm/up'], 1)
  if (tool !== 'sub') {
    const topic = Buffer.from('warm/up')
    for (const qos of [0, 1] as const) {
      await new Promise<void>((resolve) => client.publish({ topic, payload: Buffer.from('x'), qos, retain: false }, () => resolve()))
    }
  }
  client.destroy()
}

// Answers CONNECT, PUBLISH (QoS 1), SUBSCRIBE and DISCONNECT with the bytes a broker would send.
function memoryBroker(protocolVersion: number): Duplex {
  const v5 = protocolVersion === 5
  return new Duplex({
    read() {},
    write(chunk: Buffer, _encoding, done) {
      let at = 0
      while (at < chunk.length) {
        const type = chunk[at] >> 4
        let len = 0
        let mul = 1
        let i = at + 1
        for (;;) {
          const b = chunk[i++]
          len += (b & 0x7f) * mul
          mul *= 128
          if (!(b & 0x80)) break
        }
        const body = chunk.subarray(i, i + len)
        if (type === 1) this.push(Buffer.from(v5 ? [0x20, 3, 0, 0, 0] : [0x20, 2, 0, 0]))
        if (type === 3 && ((chunk[at] >> 1) & 3) === 1) {
          const idAt = 2 + body.readUInt16BE(0)
          this.push(Buffer.from([0x40, 2, body[idAt], body[idAt + 1]]))
        }
        if (type === 8) this.push(Buffer.from(v5 ? [0x90, 4, body[0], body[1], 0, 1] : [0x90, 3, body[0], body[1], 1]))
        if (type === 14) this.push(null)
        at = i + len
      }
      done()
    },
  })
}
