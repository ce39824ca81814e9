// Unix sockets, WebSockets (ws and wss) and SOCKS5 against a real mosquitto, byte-exactly, plus
// the pure rules: when TLS is on and which port is the default, and mosquitto's --proxy URLs.
// WebSockets go through test/helpers/ws-bridge.ts: mosquitto 2.0.11 cannot open a websockets
// listener here, so a `ws` server in front of its plain port stands in for one.
import assert from 'node:assert/strict'
import { spawn, type ChildProcess } from 'node:child_process'
import fs from 'node:fs'
import net from 'node:net'
import path from 'node:path'
import { after, describe, test, type TestContext } from 'node:test'
import { UsageError } from '../../src/core/errors.js'
import { parseCommandLine } from '../../src/options/parse.js'
import type { Options } from '../../src/options/types.js'
import { transportPlan } from '../../src/transport/index.js'
import { parseProxyUrl } from '../../src/transport/socks.js'
import { makeCerts, type Certs } from '../helpers/certs.js'
import { freePort, mosquittoClient, requireMosquitto, requireMosquittoClients, startMosquitto, type Broker } from '../helpers/mosquitto.js'
import { runCli, type RunResult } from '../helpers/run-cli.js'
import { startWsBridge, type WsBridge } from '../helpers/ws-bridge.js'

const options = (args: string[]): Options => {
  const r = parseCommandLine('pub', [...args, '-t', 't', '-m', 'm'], { XDG_CONFIG_HOME: '/nonexistent-tsmqtt-test' })
  assert.equal(r.kind, 'run')
  return (r as { options: Options }).options
}

describe('when TLS is on, and the default port (contract §2.1, §2.7)', () => {
  const plan = (args: string[]): [boolean, number, boolean] => {
    const p = transportPlan(options(args))
    return [p.tls, p.port, p.useOsCerts]
  }
  test('mosquitto\'s rules', () => {
    assert.deepEqual(plan([]), [false, 1883, false])
    assert.deepEqual(plan(['--cafile', 'ca.pem']), [true, 8883, false])
    assert.deepEqual(plan(['--capath', '/etc/ssl/certs']), [true, 8883, false])
    assert.deepEqual(plan(['--psk', 'ab', '--psk-identity', 'i']), [true, 8883, false])
    assert.deepEqual(plan(['--tls-use-os-certs']), [true, 1883, true])
    assert.deepEqual(plan(['-p', '8883']), [true, 8883, true])
    assert.deepEqual(plan(['-p', '8883', '--cafile', 'ca.pem']), [true, 8883, false])
    assert.deepEqual(plan(['-L', 'mqtts://h/t']), [true, 8883, true])
    assert.deepEqual(plan(['-L', 'mqtt://h:8883/t']), [false, 8883, false])
    // --no-tls (mosquitto 2.1): no TLS whatever else says so; the default port is then 1883
    // (mosquitto keeps 8883 for --cafile/--capath/--psk and speaks plain MQTT to it)
    assert.deepEqual(plan(['-p', '8883', '--no-tls']), [false, 8883, false])
    assert.deepEqual(plan(['--cafile', 'ca.pem', '--no-tls']), [false, 1883, false])
    assert.deepEqual(plan(['--no-tls', '--psk', 'ab', '--psk-identity', 'i']), [false, 1883, false])
    assert.deepEqual(plan(['-L', 'mqtts://h/t', '--no-tls']), [false, 8883, false])
    assert.deepEqual(plan(['--tls-use-os-certs', '--no-tls']), [false, 1883, false])
    // --cert without a CA turns nothing on (mosquitto ignores it then)
    assert.deepEqual(plan(['--cert', 'c.pem', '--key', 'k.pem']), [false, 1883, false])
    assert.deepEqual(plan(['-L', 'ws://h']), [false, 80, false])
    assert.deepEqual(plan(['-L', 'wss://h:9001/p']), [true, 9001, true])
    assert.equal(transportPlan(options(['-L', 'wss://h:9001/p'])).websocketPath, '/p')
  })
})

test('plain TCP loads neither node:tls nor ws (start-up time)', async () => {
  const index = new URL('../../src/transport/index.js', import.meta.url).href
  const script = `await import(${JSON.stringify(index)}); ` +
    'console.log(process.moduleLoadList.filter((m) => /^NativeModule (_?tls|https?|zlib)$/.test(m)).join(","))'
  const r = await runCli(process.execPath, ['--input-type=module', '-e', script])
  assert.equal(r.stderr, '')
  assert.equal(r.stdout.toString().trim(), '')
})

describe('--proxy URLs as mosquitto parses them', () => {
  const usage = (url: string): string => {
    try {
      parseProxyUrl(url)
    } catch (err) {
      assert.ok(err instanceof UsageError)
      return err.text.toString('latin1')
    }
    assert.fail(`no error for ${url}`)
  }
  test('host, port, user and password; %25, %3A/%3a and %40 decoded', () => {
    assert.deepEqual(parseProxyUrl('socks5h://proxy'), { host: 'proxy', port: 1080 })
    assert.deepEqual(parseProxyUrl('socks5h://proxy:9050'), { host: 'proxy', port: 9050 })
    const p = parseProxyUrl('socks5h://us%3aer:p%3Aa%40s%25s%3Aw@proxy:1')
    assert.equal(p.username?.toString(), 'us:er')
    // fixed: mosquitto decodes %40 to ':'
    assert.equal(p.password?.toString(), 'p:a@s%s:w')
    // mosquitto 2.1: an IPv6 address in brackets, with or without a port
    assert.deepEqual(parseProxyUrl('socks5h://[::1]:1081'), { host: '::1', port: 1081 })
    assert.deepEqual(parseProxyUrl('socks5h://[fe80::1%25eth0]'), { host: 'fe80::1%25eth0', port: 1080 })
    assert.deepEqual(parseProxyUrl('socks5h://u:p@[::1]:9').port, 9)
    // mosquitto: atoi, so trailing junk after the port is ignored
    assert.equal(parseProxyUrl('socks5h://proxy:1080/x').port, 1080)
  })
  test('mosquitto\'s error texts', () => {
    assert.equal(usage('socks5://proxy'), 'Error: Unsupported proxy protocol: socks5://proxy\n')
    assert.equal(usage('SOCKS5H://proxy'), 'Error: Unsupported proxy protocol: SOCKS5H://proxy\n')
    assert.equal(usage('socks5h://'), 'Error: Invalid proxy.\n')
    assert.equal(usage('socks5h://u:p@'), 'Error: Invalid proxy.\n')
    assert.equal(usage('socks5h://proxy:'), 'Error: Invalid proxy.\n')
    assert.equal(usage('socks5h://proxy:0'), 'Error: Invalid proxy port 0\n')
    assert.equal(usage('socks5h://proxy:abc'), 'Error: Invalid proxy port 0\n')
    assert.equal(usage('socks5h://proxy:65536'), 'Error: Invalid proxy port 65536\n')
    // a bad escape gives only the usage line, as in mosquitto
    assert.equal(usage('socks5h://u%zz:p@proxy'), '')
    assert.equal(usage('socks5h://u:p%4@proxy'), '')
    // mosquitto 2.1's texts for the IPv6 form and a second ':' in the user info
    assert.equal(usage('socks5h://[[::1]]'), 'Error: Duplicate IPv6 address.\n')
    assert.equal(usage('socks5h://[::1]x'), 'Error: Invalid proxy port 0\n')
    assert.equal(usage('socks5h://u:p:q@proxy'), "Error: Username cannot contain ':'.\n")
    // mosquitto 2.1 fails these without a word
    assert.equal(usage('socks5h://[::1'), "Error: Invalid proxy: no ']' after the IPv6 address.\n")
    assert.equal(usage('socks5h://[::1]:1:2'), 'Error: Invalid proxy.\n')
    assert.equal(usage('socks5h://proxy:1:2'), 'Error: Invalid proxy.\n')
    assert.equal(usage('socks5h://::1'), 'Error: Invalid proxy.\n')
  })
})

interface Env {
  broker: Broker
  certs: Certs
  sockDir: string
  socket: string
  payload: string
}

let shared: Promise<Env> | undefined
const children: ChildProcess[] = []

// One broker (plain port + unix socket listener) and certificates for the file.
function env(): Promise<Env> {
  shared ??= (async () => {
    const certs = makeCerts()
    // the broker drops to the mosquitto user, which must be able to create the socket here
    const sockDir = path.join(certs.dir, 'sock')
    fs.mkdirSync(sockDir)
    fs.chmodSync(sockDir, 0o1777)
    const socket = path.join(sockDir, 'mqtt.sock')
    const broker = await startMosquitto({ listeners: `listener 0 ${socket}\n` })
    const payload = path.join(certs.dir, 'payload.bin')
    fs.writeFileSync(payload, Buffer.concat([Buffer.from('\x00\xff\r\n€ '), Buffer.alloc(3000, 0xa5)]))
    return { broker, certs, sockDir, socket, payload }
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
  if (!requireMosquitto(t) || !requireMosquittoClients(t)) return undefined
  return env()
}

let topicCount = 0
const newTopic = (): string => `transports/${process.pid}/${++topicCount}`

// tspub over `args` publishes retained; mosquitto_sub on the plain port must receive the same bytes.
async function publishThrough(e: Env, args: string[]): Promise<void> {
  const topic = newTopic()
  const pub = await runCli('tspub', [...args, '-t', topic, '-f', e.payload, '-r', '-q', '1'])
  assert.equal(pub.stderr, '')
  assert.equal(pub.code, 0)
  const sub = await runCli(mosquittoClient('mosquitto_sub')!, ['-h', '127.0.0.1', '-p', String(e.broker.port), '-t', topic, '-C', '1', '-N', '-W', '5'])
  assert.equal(sub.code, 0, sub.stderr)
  assert.deepEqual(sub.stdout, fs.readFileSync(e.payload))
}

// mosquitto_pub publishes retained on the plain port; tssub over `args` must print the same bytes.
async function subscribeThrough(e: Env, args: string[]): Promise<void> {
  const topic = newTopic()
  const pub = await runCli(mosquittoClient('mosquitto_pub')!, ['-h', '127.0.0.1', '-p', String(e.broker.port), '-t', topic, '-f', e.payload, '-r'])
  assert.equal(pub.code, 0, pub.stderr)
  const sub = await runCli('tssub', [...args, '-t', topic, '-C', '1', '-N'])
  assert.equal(sub.stderr, '')
  assert.equal(sub.code, 0)
  assert.deepEqual(sub.stdout, fs.readFileSync(e.payload))
}

function assertFailure(r: RunResult, code: number, stderr: string): void {
  assert.equal(r.stderr, stderr)
  assert.equal(r.code, code)
}

describe('unix sockets against mosquitto\'s unix listener', { concurrency: 2 }, () => {
  test('--unix PATH: both tools, byte-exact', async (t) => {
    const e = await ready(t)
    if (!e) return
    await publishThrough(e, ['--unix', e.socket])
    await subscribeThrough(e, ['--unix', e.socket])
  })
  test('-h PATH -p 0 means the same; a missing socket is mosquitto\'s error', async (t) => {
    const e = await ready(t)
    if (!e) return
    await publishThrough(e, ['-h', e.socket, '-p', '0'])
    const r = await runCli('tspub', ['--unix', path.join(e.sockDir, 'missing.sock'), '-t', 't', '-m', 'm'])
    assertFailure(r, 1, 'Error: No such file or directory\n')
  })
})

describe('WebSockets through a ws bridge to mosquitto', { concurrency: 2 }, () => {
  const bridge = async (t: TestContext, opts: Omit<Parameters<typeof startWsBridge>[0], 'brokerPort'>): Promise<[Env, WsBridge] | undefined> => {
    const e = await ready(t)
    if (!e) return undefined
    const b = await startWsBridge({ brokerPort: e.broker.port, ...opts })
    t.after(() => b.close())
    return [e, b]
  }

  test('ws://: both tools, subprotocol "mqtt", default path /mqtt', async (t) => {
    const r = await bridge(t, {})
    if (!r) return
    const [e, b] = r
    await publishThrough(e, ['-L', `ws://127.0.0.1:${b.port}`])
    await subscribeThrough(e, ['-L', `ws://localhost:${b.port}/mqtt`])
    assert.deepEqual(b.requests, [{ path: '/mqtt', protocols: ['mqtt'] }, { path: '/mqtt', protocols: ['mqtt'] }])
  })

  test('wss:// with --cafile (the TLS options apply), and its certificate checks', async (t) => {
    const e = await ready(t)
    if (!e) return
    const b = await startWsBridge({ brokerPort: e.broker.port, path: '/ws', tls: { cert: e.certs.serverCert, key: e.certs.serverKey } })
    t.after(() => b.close())
    await publishThrough(e, ['-L', `wss://localhost:${b.port}/ws`, '--cafile', e.certs.caCert])
    await subscribeThrough(e, ['-L', `wss://127.0.0.1:${b.port}/ws`, '--cafile', e.certs.caCert])
    const bad = await runCli('tspub', ['-L', `wss://localhost:${b.port}/ws`, '--cafile', e.certs.wrongCaCert, '-t', 't', '-m', 'm'], { env: { SSL_CERT_FILE: e.certs.wrongCaCert, SSL_CERT_DIR: undefined } })
    assert.equal(bad.code, 8)
    assert.match(bad.stderr, /^Error: certificate verify failed: unable to get local issuer certificate: .*\nError: A TLS error occurred\n$/)
  })

  test('a wrong path is named with the HTTP status', async (t) => {
    const r = await bridge(t, {})
    if (!r) return
    const [, b] = r
    const res = await runCli('tspub', ['-L', `ws://127.0.0.1:${b.port}/nope`, '-t', 't', '-m', 'm'])
    assertFailure(res, 1, `Error: WebSocket handshake with ws://127.0.0.1:${b.port}/nope failed: the server answered HTTP 404 Not Found (check the path in -L).\n`)
  })
})

// microsocks, a real SOCKS5 server (Debian package), on a free port; killed when the file ends.
async function microsocks(t: TestContext, auth?: [string, string], address = '127.0.0.1'): Promise<number | undefined> {
  const bin = ['/usr/bin/microsocks', '/usr/local/bin/microsocks'].find((p) => fs.existsSync(p))
  if (bin === undefined) {
    if (process.env.CI === 'true') throw new Error('microsocks is not installed, and the SOCKS5 tests are required in CI (apt-get install microsocks)')
    t.skip('microsocks not installed')
    return undefined
  }
  const port = await freePort()
  const child = spawn(bin, ['-i', address, '-p', String(port), ...(auth ? ['-u', auth[0], '-P', auth[1]] : [])], { stdio: 'ignore' })
  children.push(child)
  t.after(() => child.kill('SIGKILL'))
  for (let i = 0; i < 100; i++) {
    const up = await new Promise<boolean>((resolve) => {
      const s = net.connect({ host: address, port }, () => {
        s.destroy()
        resolve(true)
      })
      s.once('error', () => resolve(false))
    })
    if (up) return port
    await new Promise((r) => setTimeout(r, 30))
  }
  throw new Error('microsocks did not start')
}

describe('SOCKS5 through microsocks', { concurrency: 2 }, () => {
  test('no authentication: both tools, byte-exact', async (t) => {
    const e = await ready(t)
    if (!e) return
    const port = await microsocks(t)
    if (port === undefined) return
    const proxy = ['--proxy', `socks5h://127.0.0.1:${port}`]
    await publishThrough(e, [...proxy, '-h', 'localhost', '-p', String(e.broker.port)])
    await subscribeThrough(e, [...proxy, '-h', '127.0.0.1', '-p', String(e.broker.port)])
  })

  // mosquitto 2.1: --proxy socks5h://[IPv6 address]:port
  test('a proxy at a bracketed IPv6 address: both tools, byte-exact', async (t) => {
    const e = await ready(t)
    if (!e) return
    const port = await microsocks(t, ['user', 'pw'], '::1')
    if (port === undefined) return
    const proxy = ['--proxy', `socks5h://user:pw@[::1]:${port}`]
    await publishThrough(e, [...proxy, '-h', '127.0.0.1', '-p', String(e.broker.port)])
    await subscribeThrough(e, [...proxy, '-h', '127.0.0.1', '-p', String(e.broker.port)])
  })

  test('user name and password, with %3A and %40 in the password', async (t) => {
    const e = await ready(t)
    if (!e) return
    const port = await microsocks(t, ['user', 'p:a@ss'])
    if (port === undefined) return
    await publishThrough(e, ['--proxy', `socks5h://user:p%3Aa%40ss@127.0.0.1:${port}`, '-h', 'localhost', '-p', String(e.broker.port)])
    const where = `the SOCKS5 proxy at 127.0.0.1:${port}`
    const target = ['-h', 'localhost', '-p', String(e.broker.port), '-t', 't', '-m', 'm']
    const [bad, none] = await Promise.all([
      runCli('tspub', ['--proxy', `socks5h://user:wrong@127.0.0.1:${port}`, ...target]),
      runCli('tspub', ['--proxy', `socks5h://127.0.0.1:${port}`, ...target]),
    ])
    assertFailure(bad, 11, `Error: ${where} refused the user name and password in --proxy.\nError: Authorisation failed\n`)
    assertFailure(none, 11, `Error: ${where} requires a user name and password (socks5h://user:pass@host:port).\nError: Authorisation failed\n`)
  })

  test('the proxy cannot reach the broker, the proxy is unreachable, a bad --proxy URL', async (t) => {
    const e = await ready(t)
    if (!e) return
    const port = await microsocks(t)
    if (port === undefined) return
    const closed = await freePort()
    const [refused, unreachable, scheme] = await Promise.all([
      runCli('tspub', ['--proxy', `socks5h://127.0.0.1:${port}`, '-h', '127.0.0.1', '-p', String(closed), '-t', 't', '-m', 'm']),
      runCli('tspub', ['--proxy', `socks5h://127.0.0.1:${closed}`, '-h', '127.0.0.1', '-p', String(e.broker.port), '-t', 't', '-m', 'm']),
      runCli('tssub', ['--proxy', 'socks5://127.0.0.1', '-t', 't']),
    ])
    // mosquitto maps the proxy's reply 5 (connection refused) to "not connected", exit 4.
    assertFailure(refused, 4, `Error: the SOCKS5 proxy at 127.0.0.1:${port} could not connect to 127.0.0.1:${closed}: connection refused.\nError: The client is not currently connected\n`)
    const theirs = mosquittoClient('mosquitto_pub')
    if (theirs) {
      const m = await runCli(theirs, ['--proxy', `socks5h://127.0.0.1:${port}`, '-h', '127.0.0.1', '-p', String(closed), '-t', 't', '-m', 'm'])
      assert.equal(m.code, refused.code)
      assert.equal(m.stderr, 'Error: The client is not currently connected.\n')
    }
    assertFailure(unreachable, 1, `Error: cannot reach the SOCKS5 proxy at 127.0.0.1:${closed} (--proxy).\nError: Connection refused\n`)
    assertFailure(scheme, 1, "Error: Unsupported proxy protocol: socks5://127.0.0.1\n\nUse 'tssub --help' to see usage.\n")
  })

  test('TLS inside the SOCKS tunnel, verified against the broker host name (localhost)', async (t) => {
    const e = await ready(t)
    if (!e) return
    const port = await microsocks(t)
    if (port === undefined) return
    const tlsPort = await freePort()
    const b = await startMosquitto({
      listeners: `listener ${tlsPort} 127.0.0.1\ncafile ${e.certs.caCert}\ncertfile ${e.certs.serverCert}\nkeyfile ${e.certs.serverKey}\n`,
    })
    t.after(() => b.stop())
    const topic = newTopic()
    const pub = await runCli('tspub', ['--proxy', `socks5h://127.0.0.1:${port}`, '-h', 'localhost', '-p', String(tlsPort), '--cafile', e.certs.caCert, '-t', topic, '-f', e.payload, '-r'])
    assert.equal(pub.stderr, '')
    assert.equal(pub.code, 0)
    const sub = await runCli(mosquittoClient('mosquitto_sub')!, ['-h', '127.0.0.1', '-p', String(b.port), '-t', topic, '-C', '1', '-N', '-W', '5'])
    assert.deepEqual(sub.stdout, fs.readFileSync(e.payload))
  })
})
