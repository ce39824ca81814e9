// A scripted fake MQTT broker for integration tests, in the manner of mosquitto's test/lib/*.py:
// each connection plays a list of expect/send steps and done() reports the first divergence,
// with the expected and the received packet both decoded.
import net from 'node:net'
import { inspect, isDeepStrictEqual } from 'node:util'
import mqtt from 'mqtt-packet'
import type { Packet, QoS, IPublishPacket, IConnackPacket } from 'mqtt-packet'

// Re-exported so that tests need not import mqtt-packet's types themselves.
export type { Packet } from 'mqtt-packet'

// A partial packet to match: any subset of one packet type's fields, nested objects and array
// elements partial too (arrays keep their length); a string may stand for a Buffer's UTF-8 bytes.
export type Expectation = Packet extends infer P ? (P extends Packet ? DeepPartial<P> : never) : never

type DeepPartial<T> = T extends Buffer ? T | string
  : T extends (infer U)[] ? DeepPartial<U>[]
  : T extends object ? { [K in keyof T]?: DeepPartial<T[K]> }
  : T

// What a connection's script can ask for, one step at a time.
export type Step =
  | { expect: Expectation | ((p: Packet) => void) }
  | { send: Packet | Buffer }
  // `last` is the packet matched by the most recent expect step of this connection.
  | { sendFn: (last: Packet) => Packet | Buffer }
  | { close: true }
  | { wait: number }
  // Go on once the test says so (a step that must come after something the test does).
  | { until: Promise<unknown> }
  | { expectClose: true }

// Options of startFakeBroker.
export interface FakeBrokerOptions {
  // Protocol used to parse and generate before a CONNECT has been seen (default 4, i.e. v3.1.1);
  // after a CONNECT the connection follows the CONNECT's protocolVersion.
  protocolVersion?: 3 | 4 | 5
  // Answer PINGREQ with PINGRESP outside the script (still recorded in `received`); for long waits
  // with a short keepalive. Off by default so that keepalive tests can script the ping themselves.
  autoPingresp?: boolean
  // Keep the broker's side open after the client's FIN (a broker that does not close after
  // DISCONNECT); the client's end of the connection then counts as its close (`expectClose`).
  halfOpen?: boolean
}

// The running fake broker a test talks to.
export interface FakeBroker {
  port: number
  // Destroys every connection and stops listening.
  close(): Promise<void>
  // Resolves when every connection's script has finished; rejects with a readable report on the
  // first mismatch, on an unexpected close, or after timeoutMs (default 5000).
  done(timeoutMs?: number): Promise<void>
  // Every packet received, in order, over all connections.
  received: Packet[]
  // Raw bytes received on the first connection.
  rawReceived: Buffer
  // How many connections were accepted so far (reconnect tests).
  readonly connections: number
}

interface Conn {
  index: number
  socket: net.Socket
  version: 3 | 4 | 5
  queue: Packet[]
  last?: Packet
  closed: boolean
  wake?: () => void
}

type Settle = { ok: true } | { ok: false, error: Error }

const DEFAULT_DONE_TIMEOUT = 5000

// Starts a fake broker on 127.0.0.1 and an ephemeral port. `script` is one connection's steps, or
// an array of scripts for the 1st, 2nd… connection; connections beyond the scripts are only recorded.
export async function startFakeBroker(script: Step[] | Step[][], opts: FakeBrokerOptions = {}): Promise<FakeBroker> {
  const scripts = normaliseScripts(script)
  const received: Packet[] = []
  const rawChunks: Buffer[] = []
  const sockets = new Set<net.Socket>()
  const outcomes: (Settle | undefined)[] = scripts.map(() => undefined)
  const progress: string[] = scripts.map(() => 'waiting for the connection')
  let connections = 0
  // done() waiters, woken whenever a script settles.
  const waiters = new Set<() => void>()

  const settle = (index: number, outcome: Settle): void => {
    if (outcomes[index] === undefined) outcomes[index] = outcome
    for (const w of [...waiters]) w()
  }

  const server = net.createServer({ allowHalfOpen: opts.halfOpen === true }, (socket) => {
    const index = connections++
    sockets.add(socket)
    socket.on('close', () => sockets.delete(socket))
    const conn: Conn = { index, socket, version: opts.protocolVersion ?? 4, queue: [], closed: false }
    attachParser(conn, opts, received, index === 0 ? rawChunks : undefined)
    const steps = scripts[index]
    if (steps === undefined) return
    runScript(conn, steps, (s) => { progress[index] = s })
      .then(() => settle(index, { ok: true }), (error: Error) => {
        settle(index, { ok: false, error })
        // A failed script leaves the client waiting for an answer that will not come.
        socket.destroy()
      })
  })
  // The listening handle must not keep a test process alive if a test forgets close().
  server.unref()
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject)
    server.listen(0, '127.0.0.1', () => resolve())
  })
  const port = (server.address() as net.AddressInfo).port

  const done = (timeoutMs = DEFAULT_DONE_TIMEOUT): Promise<void> => new Promise((resolve, reject) => {
    const check = (): boolean => {
      const failed = outcomes.findIndex((o) => o !== undefined && !o.ok)
      if (failed !== -1) {
        const o = outcomes[failed] as { ok: false, error: Error }
        reject(o.error)
        return true
      }
      if (outcomes.every((o) => o !== undefined)) {
        resolve()
        return true
      }
      return false
    }
    if (check()) return
    const timer = setTimeout(() => {
      waiters.delete(waiter)
      const pending = outcomes.map((o, i) => o === undefined ? `  connection ${i + 1}: ${progress[i]}` : '')
        .filter((s) => s !== '').join('\n')
      reject(new Error(`fake broker: script not finished after ${timeoutMs} ms\n${pending}\n` +
        `received so far (${received.length} packets):\n${received.map((p) => '  ' + describe(p)).join('\n')}`))
    }, timeoutMs)
    const waiter = (): void => {
      if (check()) {
        clearTimeout(timer)
        waiters.delete(waiter)
      }
    }
    waiters.add(waiter)
  })

  const close = async (): Promise<void> => {
    for (const s of sockets) s.destroy()
    await new Promise<void>((resolve) => server.close(() => resolve()))
  }

  return {
    port,
    close,
    done,
    received,
    get rawReceived() { return Buffer.concat(rawChunks) },
    get connections() { return connections },
  }
}

function normaliseScripts(script: Step[] | Step[][]): Step[][] {
  if (script.length > 0 && script.every((s) => Array.isArray(s))) return script as Step[][]
  return [script as Step[]]
}

// Feeds the socket through mqtt-packet's parser. The parser switches to the CONNECT's protocol
// version by itself (it keeps the CONNECT as its settings); we mirror that for generate().
function attachParser(conn: Conn, opts: FakeBrokerOptions, received: Packet[], raw?: Buffer[]): void {
  const parser = mqtt.parser({ protocolVersion: conn.version })
  parser.on('packet', (p: Packet) => {
    received.push(p)
    if (p.cmd === 'connect' && p.protocolVersion !== undefined) conn.version = p.protocolVersion
    if (p.cmd === 'pingreq' && opts.autoPingresp === true) {
      writePacket(conn, { cmd: 'pingresp' })
      return
    }
    conn.queue.push(p)
    conn.wake?.()
  })
  parser.on('error', (err: Error) => {
    // mqtt-packet emits no more packets after an error; a broker closes such a connection.
    conn.queue.push({ cmd: 'parse-error', message: err.message } as unknown as Packet)
    conn.wake?.()
    conn.socket.destroy()
  })
  conn.socket.on('data', (chunk: Buffer) => {
    raw?.push(chunk)
    parser.parse(chunk)
  })
  conn.socket.on('error', () => { /* reported as a close */ })
  const closed = (): void => {
    conn.closed = true
    conn.wake?.()
  }
  conn.socket.on('close', closed)
  if (opts.halfOpen === true) conn.socket.on('end', closed)
}

function writePacket(conn: Conn, packet: Packet | Buffer): void {
  const buf = Buffer.isBuffer(packet) ? packet : mqtt.generate(packet, { protocolVersion: conn.version })
  conn.socket.write(buf)
}

// Next packet of this connection; 'closed' once the peer has gone and the queue is empty.
function nextEvent(conn: Conn): Promise<Packet | 'closed'> {
  return new Promise((resolve) => {
    const poll = (): void => {
      const p = conn.queue.shift()
      if (p !== undefined) {
        conn.wake = undefined
        resolve(p)
      } else if (conn.closed) {
        conn.wake = undefined
        resolve('closed')
      } else {
        conn.wake = poll
      }
    }
    poll()
  })
}

async function runScript(conn: Conn, steps: Step[], report: (s: string) => void): Promise<void> {
  for (let i = 0; i < steps.length; i++) {
    const step = steps[i] as Step
    const where = `connection ${conn.index + 1}, step ${i + 1} (${stepName(step)})`
    report(`${where}: waiting`)
    try {
      await runStep(conn, step)
    } catch (err) {
      throw new Error(`fake broker: ${where}: ${(err as Error).message}`)
    }
  }
  report('finished')
}

function stepName(step: Step): string {
  if ('expect' in step) return typeof step.expect === 'function' ? 'expect fn' : `expect ${describe(step.expect)}`
  if ('send' in step) return Buffer.isBuffer(step.send) ? `send raw ${step.send.toString('hex')}` : `send ${step.send.cmd}`
  if ('sendFn' in step) return 'sendFn'
  if ('close' in step) return 'close'
  if ('wait' in step) return `wait ${step.wait}`
  if ('until' in step) return 'until'
  return 'expectClose'
}

async function runStep(conn: Conn, step: Step): Promise<void> {
  if ('expect' in step) {
    const p = await nextEvent(conn)
    if (p === 'closed') throw new Error('the client closed the connection instead')
    rejectParseError(p)
    conn.last = p
    checkExpectation(step.expect, p)
  } else if ('send' in step) {
    writePacket(conn, step.send)
  } else if ('sendFn' in step) {
    if (conn.last === undefined) throw new Error('sendFn needs a previously received packet')
    writePacket(conn, step.sendFn(conn.last))
  } else if ('close' in step) {
    conn.socket.destroy()
  } else if ('wait' in step) {
    await new Promise((resolve) => setTimeout(resolve, step.wait))
  } else if ('until' in step) {
    await step.until
  } else {
    const p = await nextEvent(conn)
    if (p !== 'closed') {
      rejectParseError(p)
      throw new Error(`expected the client to close the connection, received:\n  ${describe(p)}`)
    }
  }
}

function rejectParseError(p: Packet): void {
  const cmd = (p as { cmd: string }).cmd
  if (cmd === 'parse-error') throw new Error(`the client sent a malformed packet: ${(p as unknown as { message: string }).message}`)
}

function checkExpectation(expected: unknown, p: Packet): void {
  if (typeof expected === 'function') {
    try {
      (expected as (p: Packet) => void)(p)
    } catch (err) {
      throw new Error(`assertion failed on received ${describe(p)}\n${(err as Error).message}`)
    }
    return
  }
  const diff = partialDiff(expected, p, '')
  if (diff !== undefined) {
    throw new Error(`packet mismatch at ${diff}\n  expected: ${describe(expected)}\n  received: ${describe(p)}`)
  }
}

// Partial deep match: every key of `expected` must match in `actual` (extra keys in `actual` are
// ignored); arrays must have the same length; Buffers compare by bytes, and a string expected
// against a received Buffer compares its UTF-8 bytes (payloads are always Buffers once parsed).
// Returns a description of the first difference, or undefined when it matches.
export function partialDiff(expected: unknown, actual: unknown, path: string): string | undefined {
  const here = path === '' ? '(root)' : path
  if (Buffer.isBuffer(expected) || (typeof expected === 'string' && Buffer.isBuffer(actual))) {
    const exp = Buffer.isBuffer(expected) ? expected : Buffer.from(expected as string)
    if (Buffer.isBuffer(actual) && exp.equals(actual)) return undefined
    if (!Buffer.isBuffer(actual) && typeof actual === 'string' && exp.equals(Buffer.from(actual))) return undefined
    return `${here}: expected ${show(exp)}, received ${show(actual)}`
  }
  if (Array.isArray(expected)) {
    if (!Array.isArray(actual)) return `${here}: expected an array, received ${show(actual)}`
    if (actual.length !== expected.length) {
      return `${here}: expected ${expected.length} elements, received ${actual.length}: ${show(actual)}`
    }
    for (let i = 0; i < expected.length; i++) {
      const d = partialDiff(expected[i], actual[i], `${path}[${i}]`)
      if (d !== undefined) return d
    }
    return undefined
  }
  if (expected !== null && typeof expected === 'object') {
    if (actual === null || typeof actual !== 'object') return `${here}: expected an object, received ${show(actual)}`
    for (const [k, v] of Object.entries(expected)) {
      const d = partialDiff(v, (actual as Record<string, unknown>)[k], `${path}.${k}`)
      if (d !== undefined) return d
    }
    return undefined
  }
  return isDeepStrictEqual(expected, actual) ? undefined : `${here}: expected ${show(expected)}, received ${show(actual)}`
}

function show(v: unknown): string {
  if (Buffer.isBuffer(v)) return `<Buffer ${v.toString('hex').replace(/(..)(?!$)/g, '$1 ')}> ${JSON.stringify(v.toString('latin1'))}`
  return inspect(v, { depth: 6, breakLength: Infinity })
}

// One-line decoded form of a packet for reports: drops mqtt-packet's null/default placeholders
// (every parsed packet carries topic: null, payload: null, length…) and shows Buffers as hex + text.
export function describe(p: unknown): string {
  if (p === null || typeof p !== 'object') return show(p)
  const cleaned: Record<string, unknown> = {}
  for (const [k, v] of Object.entries(p)) {
    if (v === null || k === 'length') continue
    if ((p as { cmd?: string }).cmd !== 'publish' && ['retain', 'qos', 'dup'].includes(k) && !v) continue
    cleaned[k] = v
  }
  return inspect(cleaned, { depth: 6, breakLength: Infinity, maxStringLength: 200 })
}

// The ack helpers take `last.messageId` as it comes (optional in mqtt-packet's types).
function id(messageId: number | undefined): number {
  if (messageId === undefined) throw new Error('fake broker: no messageId to acknowledge (was the last packet QoS 0?)')
  return messageId
}

// CONNACK with return/reason code `rc` (written as returnCode in v3.x and reasonCode in v5).
export function connack(rc = 0, opts: { sessionPresent?: boolean, properties?: IConnackPacket['properties'] } = {}): Packet {
  const p: IConnackPacket = { cmd: 'connack', returnCode: rc, reasonCode: rc, sessionPresent: opts.sessionPresent ?? false }
  if (opts.properties !== undefined) p.properties = opts.properties
  return p
}

// SUBACK for `messageId` granting one code per filter.
export function suback(messageId: number | undefined, granted: number[]): Packet {
  return { cmd: 'suback', messageId: id(messageId), granted }
}

// UNSUBACK for `messageId` (v5: one reason code per filter, default success).
export function unsuback(messageId: number | undefined, granted: number[] = []): Packet {
  return { cmd: 'unsuback', messageId: id(messageId), granted }
}

// PUBACK; reasonCode only matters in v5.
export function puback(messageId: number | undefined, reasonCode = 0): Packet {
  return { cmd: 'puback', messageId: id(messageId), reasonCode }
}

// PUBREC; reasonCode only matters in v5.
export function pubrec(messageId: number | undefined, reasonCode = 0): Packet {
  return { cmd: 'pubrec', messageId: id(messageId), reasonCode }
}

// PUBREL (mqtt-packet sets the mandatory 0x62 header flags itself).
export function pubrel(messageId: number | undefined, reasonCode = 0): Packet {
  return { cmd: 'pubrel', messageId: id(messageId), reasonCode }
}

// PUBCOMP; reasonCode only matters in v5.
export function pubcomp(messageId: number | undefined, reasonCode = 0): Packet {
  return { cmd: 'pubcomp', messageId: id(messageId), reasonCode }
}

// PUBLISH from the broker; QoS > 0 needs a messageId (default 1).
export function publish(topic: string, payload: string | Buffer, opts: {
  qos?: QoS, retain?: boolean, dup?: boolean, messageId?: number, properties?: IPublishPacket['properties']
} = {}): Packet {
  const qos = opts.qos ?? 0
  const p: IPublishPacket = { cmd: 'publish', topic, payload, qos, retain: opts.retain ?? false, dup: opts.dup ?? false }
  if (qos > 0) p.messageId = opts.messageId ?? 1
  if (opts.properties !== undefined) p.properties = opts.properties
  return p
}

// DISCONNECT from the broker (v5 reason code; v3.x sends the bare packet).
export function disconnect(reasonCode = 0): Packet {
  return { cmd: 'disconnect', reasonCode }
}

// PINGRESP, for scripts that answer keepalive pings themselves.
export function pingresp(): Packet {
  return { cmd: 'pingresp' }
}
