// Bounded fuzzing from the broker side (issue 6): a server answers CONNECT with a valid CONNACK,
// then sends valid, mutated and random bytes in random chunks and closes. Later connections get a
// well-behaved broker, so a tool that reconnects can finish. Whatever arrives, tspub and tssub
// must never print a stack trace, never hang past a bound, and exit cleanly: 0 only when that is
// true (tspub at QoS >= 1: every message reached the broker).
//
// Reproduce a failure with the seed printed in its message: FUZZ_SEED=<seed> [FUZZ_RUN=<i>];
// FUZZ_VERBOSE=1 adds -d to every run and prints what each run printed.
import assert from 'node:assert/strict'
import net from 'node:net'
import { test } from 'node:test'
import mqtt from 'mqtt-packet'
import type { Packet } from 'mqtt-packet'
import { runCli, type RunResult } from '../helpers/run-cli.js'

// Launch new runs for this long; runs in progress then finish (each is bounded by RUN_TIMEOUT_MS).
const LAUNCH_WINDOW_MS = 6000
const RUN_TIMEOUT_MS = 6000
const PARALLEL = 4
const MAX_RUNS = 64

// mulberry32: small, fast and reproducible from one 32-bit seed.
function prng(seed: number): () => number {
  let a = seed >>> 0
  return () => {
    a = (a + 0x6d2b79f5) >>> 0
    let t = a
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

type Rand = () => number
const int = (rand: Rand, n: number): number => Math.floor(rand() * n)
const pick = <T>(rand: Rand, xs: readonly T[]): T => xs[int(rand, xs.length)] as T

// Valid packets a broker might send, as the starting point for mutations.
function corpus(version: 4 | 5): Buffer[] {
  const v5 = version === 5
  const gen = (p: object): Buffer => mqtt.generate(p as Packet, { protocolVersion: version })
  const packets: object[] = [
    { cmd: 'suback', messageId: 1, granted: [0] },
    { cmd: 'suback', messageId: 1, granted: [128] },
    { cmd: 'unsuback', messageId: 2, granted: v5 ? [0] : [] },
    { cmd: 'publish', topic: 't', payload: Buffer.from('hi'), qos: 0, retain: false, dup: false },
    { cmd: 'publish', topic: 'a/b', payload: Buffer.from('x'), qos: 1, messageId: 7, retain: true, dup: false },
    { cmd: 'publish', topic: 'q2', payload: Buffer.alloc(0), qos: 2, messageId: 9, retain: false, dup: true },
    { cmd: 'pubrel', messageId: 9 },
    { cmd: 'puback', messageId: 1 },
    { cmd: 'puback', messageId: 2 },
    { cmd: 'pubrec', messageId: 1 },
    { cmd: 'pubcomp', messageId: 1 },
    { cmd: 'pingresp' },
  ]
  if (v5) {
    packets.push(
      { cmd: 'publish', topic: 't/x', payload: Buffer.from('hi'), qos: 1, messageId: 5, retain: false, dup: false,
        properties: { userProperties: { k: 'v' }, payloadFormatIndicator: true, contentType: 'text/plain', subscriptionIdentifier: 3 } },
      { cmd: 'puback', messageId: 1, reasonCode: 0x87, properties: { reasonString: 'no' } },
      { cmd: 'disconnect', reasonCode: 0x8b, properties: { reasonString: 'bye' } },
      { cmd: 'auth', reasonCode: 0x18, properties: { authenticationMethod: 'x' } },
    )
  } else {
    packets.push({ cmd: 'disconnect' })
  }
  const out = packets.map(gen)
  // Hand-made: the mqtt-packet v5 DISCONNECT bug (peers.md §2.3), a huge announced length.
  out.push(Buffer.from('e000c000', 'hex'), Buffer.from('30ffffff7f0001', 'hex'))
  return out
}

// One mutation of `buf` (a copy).
function mutate(rand: Rand, buf: Buffer): Buffer {
  const b = Buffer.from(buf)
  if (b.length === 0) return Buffer.from([int(rand, 256)])
  switch (int(rand, 7)) {
    case 0: { // flip a bit
      const i = int(rand, b.length)
      b[i] = (b[i] as number) ^ (1 << int(rand, 8))
      return b
    }
    case 1: // a random byte
      b[int(rand, b.length)] = int(rand, 256)
      return b
    case 2: // truncate
      return b.subarray(0, int(rand, b.length))
    case 3: // another packet type, same flags and body
      b[0] = (int(rand, 16) << 4) | ((b[0] as number) & 0x0f)
      return b
    case 4: // another remaining length
      if (b.length > 1) b[1] = int(rand, 256)
      return b
    case 5: { // insert random bytes
      const at = int(rand, b.length + 1)
      const junk = Buffer.from(Array.from({ length: 1 + int(rand, 8) }, () => int(rand, 256)))
      return Buffer.concat([b.subarray(0, at), junk, b.subarray(at)])
    }
    default: { // duplicate a slice
      const from = int(rand, b.length)
      const to = from + int(rand, b.length - from + 1)
      return Buffer.concat([b, b.subarray(from, to)])
    }
  }
}

// What the first connection receives after its CONNACK.
function garbage(rand: Rand, version: 4 | 5): Buffer {
  const base = corpus(version)
  const parts: Buffer[] = []
  const n = 1 + int(rand, 6)
  for (let i = 0; i < n; i++) {
    const r = rand()
    if (r < 0.3) parts.push(pick(rand, base))
    else if (r < 0.85) {
      let b = pick(rand, base)
      for (let m = 1 + int(rand, 3); m > 0; m--) b = mutate(rand, b)
      parts.push(b)
    } else parts.push(Buffer.from(Array.from({ length: 1 + int(rand, 24) }, () => int(rand, 256))))
  }
  return Buffer.concat(parts)
}

interface Scenario {
  tool: 'tspub' | 'tssub'
  version: 4 | 5
  args: string[]
  stdin?: string
  // tspub at QoS >= 1: these payloads must all have reached the broker if the exit is 0.
  mustArrive: string[]
}

function scenario(rand: Rand): Scenario {
  const version = rand() < 0.5 ? 4 : 5
  const v = version === 5 ? ['-V', '5'] : []
  switch (int(rand, 4)) {
    case 0:
      return { tool: 'tssub', version, args: ['-t', '#', '-v', '-W', '2', ...v], mustArrive: [] }
    case 1: {
      const qos = int(rand, 3)
      return { tool: 'tspub', version, args: ['-t', 't', '-m', 'fuzz-m', '-q', String(qos), ...v], mustArrive: qos > 0 ? ['fuzz-m'] : [] }
    }
    case 2: {
      const qos = 1 + int(rand, 2)
      const lines = ['l1', 'l2', 'l3']
      return { tool: 'tspub', version, args: ['-t', 't', '-l', '-q', String(qos), ...v], stdin: lines.join('\n') + '\n', mustArrive: lines }
    }
    default:
      return { tool: 'tssub', version, args: ['-t', 'a/#', '-t', 't', '-q', '2', '-C', '3', '-W', '2', ...v], mustArrive: [] }
  }
}

// The fuzzing broker for one run: connection 1 gets CONNACK + garbage and is closed; later ones
// are answered properly. Records every payload the clients published.
async function fuzzBroker(rand: Rand, version: 4 | 5): Promise<{ port: number, published: Set<string>, close: () => Promise<void> }> {
  const published = new Set<string>()
  const sockets = new Set<net.Socket>()
  const timers = new Set<NodeJS.Timeout>()
  const later = (ms: number, f: () => void): void => {
    const t = setTimeout(() => { timers.delete(t); f() }, ms)
    timers.add(t)
  }
  let connections = 0
  const server = net.createServer((socket) => {
    const first = connections++ === 0
    sockets.add(socket)
    socket.on('close', () => sockets.delete(socket))
    socket.on('error', () => {})
    const send = (p: object): void => { if (!socket.destroyed) socket.write(mqtt.generate(p as Packet, { protocolVersion: version })) }
    const parser = mqtt.parser({ protocolVersion: version })
    parser.on('error', () => socket.destroy())
    parser.on('packet', (p: Packet) => {
      if (p.cmd === 'publish') published.add(Buffer.from(p.payload).toString('latin1'))
      if (p.cmd === 'connect') {
        socket.write(Buffer.from(version === 5 ? '2003000000' : '20020000', 'hex'))
        if (first) sendGarbage()
        return
      }
      if (first) return
      switch (p.cmd) {
        case 'subscribe': return send({ cmd: 'suback', messageId: p.messageId, granted: p.subscriptions.map((s) => s.qos) })
        case 'unsubscribe': return send({ cmd: 'unsuback', messageId: p.messageId, granted: version === 5 ? p.unsubscriptions.map(() => 0) : [] })
        case 'publish':
          if (p.qos === 1) send({ cmd: 'puback', messageId: p.messageId })
          if (p.qos === 2) send({ cmd: 'pubrec', messageId: p.messageId })
          return
        case 'pubrel': return send({ cmd: 'pubcomp', messageId: p.messageId })
        case 'pingreq': return send({ cmd: 'pingresp' })
        case 'disconnect': socket.end(); return
        default:
      }
    })
    socket.on('data', (c: Buffer) => parser.parse(c))

    // Random chunks with small random gaps, then a half-close: the client's last bytes are still
    // read, so a publish it wrote is counted even when the garbage acknowledged it.
    function sendGarbage(): void {
      const bytes = garbage(rand, version)
      let at = 0
      let delay = 0
      while (at < bytes.length) {
        const n = 1 + int(rand, Math.max(1, bytes.length - at))
        const chunk = bytes.subarray(at, at + n)
        at += n
        delay += int(rand, 3) === 0 ? int(rand, 30) : 0
        later(delay, () => { if (!socket.destroyed) socket.write(chunk) })
      }
      later(delay + int(rand, 200), () => socket.end())
    }
  })
  server.unref()
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()))
  return {
    port: (server.address() as net.AddressInfo).port,
    published,
    async close() {
      for (const t of timers) clearTimeout(t)
      for (const s of sockets) s.destroy()
      await new Promise<void>((resolve) => server.close(() => resolve()))
    },
  }
}

// The invariants of one run: 'crash' for a stack trace, a hang or garbage on stderr; 'lie' for
// an exit status that claims more than happened.
type Violation = { kind: 'crash' | 'lie', text: string }

function check(s: Scenario, r: RunResult, published: Set<string>): Violation | undefined {
  const crash = (text: string): Violation => ({ kind: 'crash', text })
  const lie = (text: string): Violation => ({ kind: 'lie', text })
  if (/^ {4}at |node:internal|TypeError|RangeError|ReferenceError|SyntaxError|Assertion/m.test(r.stderr)) return crash('stack trace or internal error on stderr')
  if (r.signal !== null) return crash(`killed by ${r.signal}`)
  const allowed = /^(Error: |Warning: |Timed out$|Connection error: |All subscription requests were denied\.$)/
  // mosquitto's format puts a v5 reason-string property (the broker's own text) on the line
  // after "Warning: Publish <mid> failed: ..."; that line may say anything.
  const lines = r.stderr.split('\n')
  const bad = lines.filter((l, i) => l !== '' && !allowed.test(l) && !/^Warning: Publish \d+ failed: /.test(lines[i - 1] ?? ''))
  if (bad.length > 0) return crash(`unexpected stderr line ${JSON.stringify(bad[0])}`)
  if (r.code !== 0 && r.stderr === '' && !(s.tool === 'tssub' && r.code === 255)) return lie(`exit ${r.code} without a word on stderr`)
  if (r.code === 0) {
    if (r.stderr.includes('Error:')) return lie('exit 0 after printing an error')
    const missing = s.mustArrive.filter((m) => !published.has(m))
    if (missing.length > 0) return lie(`exit 0 but the broker never received ${JSON.stringify(missing)}`)
  }
  return undefined
}

// A module-load failure means dist/ was being rebuilt under us (others build concurrently); such
// a run says nothing about the broker's bytes and is run again.
const REBUILD = /SyntaxError: The requested module .* does not provide an export/

interface Campaign {
  seed: number
  runs: number
  crashes: string[]
  lies: string[]
}

// One fuzzing campaign per test process, shared by the tests below.
let campaign: Promise<Campaign> | undefined
function fuzzOnce(): Promise<Campaign> {
  campaign ??= runCampaign()
  return campaign
}

async function runCampaign(): Promise<Campaign> {
  const seed = process.env.FUZZ_SEED !== undefined ? Number(process.env.FUZZ_SEED) : Math.floor(Math.random() * 2 ** 32)
  const verbose = process.env.FUZZ_VERBOSE !== undefined
  const only = process.env.FUZZ_RUN !== undefined ? Number(process.env.FUZZ_RUN) : undefined
  const crashes: string[] = []
  const lies: string[] = []
  const start = Date.now()
  let next = only ?? 0
  let runs = 0

  const oneRun = async (i: number): Promise<void> => {
    // Each run has its own stream, so FUZZ_RUN=i replays run i alone (timing aside).
    const rand = prng(seed ^ Math.imul(i + 1, 0x9e3779b1))
    const s = scenario(rand)
    const broker = await fuzzBroker(rand, s.version)
    const label = `FUZZ_SEED=${seed} FUZZ_RUN=${i}: ${s.tool} ${s.args.join(' ')}`
    try {
      const args = ['-h', '127.0.0.1', '-p', String(broker.port), ...s.args, ...(verbose ? ['-d'] : [])]
      let r = await runCli(s.tool, args, { stdin: s.stdin, timeoutMs: RUN_TIMEOUT_MS })
      if (REBUILD.test(r.stderr)) r = await runCli(s.tool, args, { stdin: s.stdin, timeoutMs: RUN_TIMEOUT_MS })
      if (verbose) console.log(`${label}\nexit ${r.code}\nstdout:\n${r.stdout.toString('latin1')}stderr:\n${r.stderr}received: ${[...broker.published].join(' ')}\n`)
      const v = check(s, r, broker.published)
      if (v !== undefined) (v.kind === 'crash' ? crashes : lies).push(`${label}\n  ${v.text}\n  exit ${r.code}, stderr ${JSON.stringify(r.stderr)}`)
    } catch (err) {
      crashes.push(`${label}\n  ${(err as Error).message.split('\n')[0]} (a hang)`)
    } finally {
      await broker.close()
    }
  }

  const worker = async (): Promise<void> => {
    while (Date.now() - start < LAUNCH_WINDOW_MS && next < MAX_RUNS && (only === undefined || runs === 0)) {
      const i = next++
      runs++
      await oneRun(i)
    }
  }
  await Promise.all(Array.from({ length: only === undefined ? PARALLEL : 1 }, worker))
  return { seed, runs, crashes, lies }
}

test('fuzz: random and mutated bytes from the broker never cause a stack trace or a hang', async () => {
  const c = await fuzzOnce()
  assert.ok(c.runs > 0)
  assert.deepEqual(c.crashes, [], `seed ${c.seed}, ${c.runs} runs, ${c.crashes.length} failed:\n${c.crashes.join('\n')}`)
})

// Fails today: a loss in the same chunk as the CONNACK leaves the tool awaiting a dead client,
// Node's event loop drains, and the process exits 0 (see the report for issue 6).
test('fuzz: exit 0 only when true (tspub: every QoS >= 1 message reached the broker)', async () => {
  const c = await fuzzOnce()
  assert.deepEqual(c.lies, [], `seed ${c.seed}, ${c.runs} runs, ${c.lies.length} failed:\n${c.lies.join('\n')}`)
})
