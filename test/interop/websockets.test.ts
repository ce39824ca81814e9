// MQTT over WebSockets against mosquitto 2.1.2's built-in WebSockets listeners (ws, wss with the
// suite's certificates, and one on a unix socket), byte-exactly, plus what the client sends in its
// upgrade and what it does when the upgrade goes wrong (raw servers stand in for those).
import assert from 'node:assert/strict'
import type { ChildProcess } from 'node:child_process'
import net from 'node:net'
import path from 'node:path'
import { after, describe, test, type TestContext } from 'node:test'
import { makeCerts, type Certs } from '../helpers/certs.js'
import { freePort, mosquittoClient, requireMosquitto21, startMosquitto, type Broker } from '../helpers/mosquitto.js'
import { startMicrosocks } from '../helpers/microsocks.js'
import { runCli, spawnCli, type RunResult } from '../helpers/run-cli.js'
import { publishThrough as publish, socketDir, subscribeThrough as subscribe, writePayload, type ArgsFor, type PlainSide } from '../helpers/through.js'

interface Env {
  broker: Broker
  certs: Certs
  wssPort: number
  wsSocket: string
  payload: string
}

let shared: Promise<Env> | undefined
const children: ChildProcess[] = []

// One 2.1.2 broker for the file: plain MQTT, ws (broker.wsPort), wss, and ws on a unix socket.
function env(): Promise<Env> {
  shared ??= (async () => {
    const certs = makeCerts()
    const wsSocket = path.join(socketDir(certs.dir), 'ws.sock')
    const wssPort = await freePort()
    const broker = await startMosquitto({
      version: '2.1',
      websockets: true,
      listeners: `listener ${wssPort} 127.0.0.1\nprotocol websockets\ncertfile ${certs.serverCert}\nkeyfile ${certs.serverKey}\n` +
        `listener 0 ${wsSocket}\nprotocol websockets\n`,
    })
    // larger than one WebSocket frame's 16-bit length
    const payload = writePayload(certs.dir, 70_000)
    return { broker, certs, wssPort, wsSocket, payload }
  })()
  return shared
}

after(async () => {
  for (const c of children) c.kill('SIGKILL')
  if (shared === undefined) return
  const e = await shared.catch(() => undefined)
  await e?.broker.stop()
  e?.certs.remove()
})

async function ready(t: TestContext): Promise<Env | undefined> {
  if (!requireMosquitto21(t)) return undefined
  return env()
}

let topicCount = 0
const newTopic = (): string => `websockets/${process.pid}/${++topicCount}`
const theirs = (tool: 'mosquitto_pub' | 'mosquitto_sub'): string => mosquittoClient(tool, '2.1')!

// The plain port side of the round trips, with mosquitto 2.1.2's clients.
const side = (e: Env): PlainSide => ({ port: e.broker.port, payload: e.payload, mosquittoPub: theirs('mosquitto_pub'), mosquittoSub: theirs('mosquitto_sub') })
const publishThrough = (e: Env, args: ArgsFor): Promise<void> => publish(side(e), newTopic(), args)
const subscribeThrough = (e: Env, args: ArgsFor): Promise<void> => subscribe(side(e), newTopic(), args)

// Polls `done` every 20 ms for at most 20 s (a loaded machine is slow, never this slow).
async function until(done: () => boolean, what: string): Promise<void> {
  for (let i = 0; i < 1000; i++) {
    if (done()) return
    await new Promise((r) => setTimeout(r, 20))
  }
  throw new Error(`no ${what} within 20 s`)
}

function assertFailure(r: RunResult, code: number, stderr: string | RegExp): void {
  if (typeof stderr === 'string') assert.equal(r.stderr, stderr)
  else assert.match(r.stderr, stderr)
  assert.equal(r.code, code)
}

describe('WebSockets through mosquitto 2.1.2\'s listeners', { concurrency: 2 }, () => {
  test('-L ws://host:port/topic and --ws -h -p: both tools, byte-exact', async (t) => {
    const e = await ready(t)
    if (!e) return
    const ws = e.broker.wsPort
    await publishThrough(e, (topic) => ['-L', `ws://127.0.0.1:${ws}/${topic}`])
    await publishThrough(e, (topic) => ['--ws', '-h', 'localhost', '-p', String(ws), '-t', topic])
    await subscribeThrough(e, (topic) => ['-L', `ws://localhost:${ws}/${topic}`])
    await subscribeThrough(e, (topic) => ['--ws', '-h', '127.0.0.1', '-p', String(ws), '-t', topic])
  })

  test('wss:// and --ws with --cafile (the TLS options apply), and the certificate checks', async (t) => {
    const e = await ready(t)
    if (!e) return
    const port = String(e.wssPort)
    await publishThrough(e, (topic) => ['-L', `wss://localhost:${port}/${topic}`, '--cafile', e.certs.caCert])
    await subscribeThrough(e, (topic) => ['--ws', '-h', '127.0.0.1', '-p', port, '--cafile', e.certs.caCert, '-t', topic])
    const bad = await runCli('tspub', ['-L', `wss://localhost:${port}/t`, '--cafile', e.certs.wrongCaCert, '-m', 'm'])
    assertFailure(bad, 8, /^Error: certificate verify failed: unable to get local issuer certificate: .*\nError: A TLS error occurred\n$/)
  })

  test('--ws over --unix', async (t) => {
    const e = await ready(t)
    if (!e) return
    await publishThrough(e, (topic) => ['--ws', '--unix', e.wsSocket, '-t', topic])
    await subscribeThrough(e, (topic) => ['--unix', e.wsSocket, '--ws', '-t', topic])
  })

  test('--ws through a SOCKS5 proxy: the upgrade goes through it (mosquitto 2.1.2 frames the SOCKS request and fails)', async (t) => {
    const e = await ready(t)
    if (!e) return
    const port = await startMicrosocks(t)
    if (port === undefined) return
    const proxy = ['--proxy', `socks5h://127.0.0.1:${port}`]
    await publishThrough(e, (topic) => [...proxy, '-L', `ws://localhost:${e.broker.wsPort}/${topic}`])
    await subscribeThrough(e, (topic) => [...proxy, '--ws', '-h', '127.0.0.1', '-p', String(e.broker.wsPort), '-t', topic])
    const r = await runCli(theirs('mosquitto_pub'), [...proxy, '-L', `ws://127.0.0.1:${e.broker.wsPort}/t`, '-m', 'x'])
    assert.equal(r.code, 11, `mosquitto_pub 2.1.2 through a proxy: ${r.stderr}`)
  })

  test('tssub over ws reconnects after a broker restart, with a new upgrade', async (t) => {
    if (!requireMosquitto21(t)) return
    // its own broker: a restart of the shared one would break the tests running beside this one
    const broker = await startMosquitto({ version: '2.1', websockets: true })
    t.after(() => broker.stop())
    const topic = newTopic()
    const subscribes = (): number => broker.log().split(`\t${topic} (QoS 1)`).length - 1
    const sub = spawnCli('tssub', ['-L', `ws://127.0.0.1:${broker.wsPort}/${topic}`, '-C', '1', '-q', '1'], { timeoutMs: 30_000 })
    children.push(sub.child)
    await until(() => subscribes() === 1, 'the first SUBSCRIBE')
    await broker.restart()
    await until(() => subscribes() === 2, 'the SUBSCRIBE after the restart')
    const pub = await runCli(theirs('mosquitto_pub'), ['-h', '127.0.0.1', '-p', String(broker.port), '-t', topic, '-m', 'after restart', '-q', '1'])
    assert.equal(pub.code, 0, pub.stderr)
    const r = await sub.result
    assert.equal(r.stdout.toString(), 'after restart\n')
    assert.equal(r.code, 0, r.stderr)
    assert.equal(broker.log().split('New client connected').length - 1, 3)
  })
})

// A raw TCP server that records each connection's request head and answers with `reply` (or closes,
// or stays silent), to see what the client sends and how it takes each answer.
interface RawServer { port: number; heads: string[]; connections: number; close(): void }

async function rawServer(t: TestContext, reply: 'close' | 'silent' | ((head: string) => string)): Promise<RawServer> {
  const sockets = new Set<net.Socket>()
  const s: RawServer = { port: 0, heads: [], connections: 0, close: () => undefined }
  const server = net.createServer((sock) => {
    s.connections++
    sockets.add(sock)
    sock.on('error', () => undefined)
    sock.on('close', () => sockets.delete(sock))
    let head = ''
    sock.on('data', (d) => {
      head += d.toString('latin1')
      if (!head.includes('\r\n\r\n')) return
      s.heads.push(head)
      if (reply === 'close') sock.destroy()
      else if (reply !== 'silent') sock.end(reply(head))
    })
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  s.port = (server.address() as net.AddressInfo).port
  s.close = () => {
    for (const sock of sockets) sock.destroy()
    server.close()
  }
  t.after(() => s.close())
  return s
}

function headers(head: string): Record<string, string> {
  const out: Record<string, string> = {}
  for (const line of head.split('\r\n').slice(1)) {
    const colon = line.indexOf(':')
    if (colon > 0) out[line.slice(0, colon).toLowerCase()] = line.slice(colon + 1).trim()
  }
  return out
}

describe('the upgrade request, and refused or unanswered upgrades', { concurrency: 2 }, () => {
  test('GET /mqtt with the subprotocol "mqtt" and Host host:port, whatever the URL\'s path', async (t) => {
    const srv = await rawServer(t, () => 'HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n\r\n')
    await runCli('tspub', ['-L', `ws://127.0.0.1:${srv.port}/some/topic`, '-m', 'x'])
    await runCli('tssub', ['--ws', '-h', 'localhost', '-p', String(srv.port), '-t', 't'])
    assert.equal(srv.heads.length, 2)
    for (const [i, host] of [`127.0.0.1:${srv.port}`, `localhost:${srv.port}`].entries()) {
      assert.match(srv.heads[i], /^GET \/mqtt HTTP\/1\.1\r\n/)
      const h = headers(srv.heads[i])
      assert.equal(h['sec-websocket-protocol'], 'mqtt')
      assert.equal(h['upgrade'], 'websocket')
      assert.equal(h['sec-websocket-version'], '13')
      assert.equal(h['host'], host)
    }
  })

  test('an upgrade refused by status or subprotocol: what the server said, then mosquitto\'s "Unknown error", exit 13; tssub does not retry', async (t) => {
    const notFound = await rawServer(t, () => 'HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n\r\n')
    const r = await runCli('tspub', ['-L', `ws://127.0.0.1:${notFound.port}/t`, '-m', 'x'])
    assertFailure(r, 13, `Error: WebSocket upgrade at ws://127.0.0.1:${notFound.port}/mqtt refused: the server answered HTTP 404 Not Found.\nError: Unknown error\n`)
    const s = await runCli('tssub', ['-L', `ws://127.0.0.1:${notFound.port}/t`, '-W', '5'])
    // Exit 13, not -W's 27: tssub took the refusal as final and did not try again. (Counting the
    // server's connections proved nothing more and could be thrown by a stray client of another
    // test that reached this port.)
    assertFailure(s, 13, /^Error: WebSocket upgrade at .* refused: the server answered HTTP 404 Not Found\.\nError: Unknown error\n$/)
    // a 101 without "mqtt" in Sec-WebSocket-Protocol
    const noProtocol = await rawServer(t, (head) => 'HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n' +
      `Sec-WebSocket-Accept: ${acceptKey(headers(head)['sec-websocket-key'])}\r\n\r\n`)
    const p = await runCli('tspub', ['--ws', '-h', '127.0.0.1', '-p', String(noProtocol.port), '-t', 't', '-m', 'x'])
    assertFailure(p, 13, /^Error: WebSocket upgrade at .* refused: the server does not speak the "mqtt" subprotocol \(.*\)\.\nError: Unknown error\n$/)
    // an answer that is not HTTP at all (mosquitto 2.1.2 waits for more)
    const notHttp = await rawServer(t, () => 'SSH-2.0-OpenSSH_9.2\r\n\r\n')
    const n = await runCli('tspub', ['--ws', '-h', '127.0.0.1', '-p', String(notHttp.port), '-t', 't', '-m', 'x'])
    assertFailure(n, 13, /^Error: WebSocket upgrade at .* refused: the answer is not HTTP \(.*\)\.\nError: Unknown error\n$/)
  })

  test('closed without an answer: the right cause (not TLS), exit 7; tssub tries again every second until -W', async (t) => {
    const closer = await rawServer(t, 'close')
    const r = await runCli('tspub', ['-L', `ws://127.0.0.1:${closer.port}/t`, '-m', 'x'])
    assertFailure(r, 7, `Error: 127.0.0.1:${closer.port} closed the connection without answering the WebSocket upgrade: is it a WebSocket listener? ` +
      '(a plain MQTT port does this, and so does a TLS port without wss://)\nError: The connection was lost\n')
    const before = closer.connections
    const s = await runCli('tssub', ['-L', `ws://127.0.0.1:${closer.port}/t`, '-W', '3'])
    assertFailure(s, 255, '')
    assert.ok(closer.connections - before >= 2, `tssub connected ${closer.connections - before} times`)
  })

  test('never answered: the keepalive error, exit 19; tssub tries again with a new upgrade (mosquitto_sub 2.1.2 sends a bare CONNECT)', async (t) => {
    const [silent, silentToSub] = [await rawServer(t, 'silent'), await rawServer(t, 'silent')]
    const [r, s] = await Promise.all([
      runCli('tspub', ['--ws', '-h', '127.0.0.1', '-p', String(silent.port), '-k', '5', '-t', 't', '-m', 'x'], { timeoutMs: 20_000 }),
      runCli('tssub', ['--ws', '-h', '127.0.0.1', '-p', String(silentToSub.port), '-k', '5', '-W', '9', '-t', 't'], { timeoutMs: 20_000 }),
    ])
    assertFailure(r, 19, 'Error: Keepalive exceeded: the broker stopped answering.\n')
    assert.equal(silent.heads.length, 1)
    assertFailure(s, 255, '')
    assert.ok(silentToSub.connections >= 2, `tssub connected ${silentToSub.connections} times`)
    // a bare CONNECT would never complete a request head
    assert.equal(silentToSub.heads.length, silentToSub.connections)
    for (const head of silentToSub.heads) assert.match(head, /^GET \/mqtt HTTP\/1\.1\r\n/)
  })
})

function acceptKey(key = ''): string {
  const { createHash } = process.getBuiltinModule('node:crypto')
  return createHash('sha1').update(key + '258EAFA5-E914-47DA-95CA-C5AB0DC85B11').digest('base64')
}
