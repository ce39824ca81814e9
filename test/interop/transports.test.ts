// Unix sockets and SOCKS5 against a real mosquitto, byte-exactly, plus the pure rules: when TLS is
// on and which port is the default, and mosquitto's --proxy URLs. WebSockets: websockets.test.ts.
import assert from 'node:assert/strict'
import fs from 'node:fs'
import path from 'node:path'
import { after, describe, test, type TestContext } from 'node:test'
import { UsageError } from '../../src/core/errors.js'
import { parseCommandLine } from '../../src/options/parse.js'
import type { Options } from '../../src/options/types.js'
import { transportPlan } from '../../src/transport/index.js'
import { parseProxyUrl } from '../../src/transport/socks.js'
import { makeCerts, type Certs } from '../helpers/certs.js'
import { freePort, mosquittoClient, requireMosquitto, requireMosquittoClients, startMosquitto, type Broker } from '../helpers/mosquitto.js'
import { libraryTexts21 } from '../helpers/mosquitto-texts.js'
import { runCli, type RunResult } from '../helpers/run-cli.js'
import { startMicrosocks } from '../helpers/microsocks.js'
import { publishThrough as publish, socketDir, subscribeThrough as subscribe, writePayload, type PlainSide } from '../helpers/through.js'

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
    assert.deepEqual(plan(['-L', 'ws://h/t']), [false, 1883, false])
    assert.deepEqual(plan(['-L', 'wss://h/t']), [true, 8883, true])
    assert.deepEqual(plan(['-L', 'wss://h:9001/p']), [true, 9001, true])
    assert.equal(transportPlan(options(['-L', 'wss://h:9001/p'])).websocket, true)
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

// One broker (plain port + unix socket listener) and certificates for the file.
function env(): Promise<Env> {
  shared ??= (async () => {
    const certs = makeCerts()
    const sockDir = socketDir(certs.dir)
    const socket = path.join(sockDir, 'mqtt.sock')
    const broker = await startMosquitto({ listeners: `listener 0 ${socket}\n` })
    const payload = writePayload(certs.dir, 3000)
    return { broker, certs, sockDir, socket, payload }
  })()
  return shared
}

after(async () => {
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

// The plain port side of the round trips; `args` names the transport, the topic goes in -t.
const side = (e: Env): PlainSide => ({ port: e.broker.port, payload: e.payload,
  mosquittoPub: mosquittoClient('mosquitto_pub')!, mosquittoSub: mosquittoClient('mosquitto_sub')! })
const publishThrough = (e: Env, args: string[]): Promise<void> => publish(side(e), newTopic(), (topic) => [...args, '-t', topic])
const subscribeThrough = (e: Env, args: string[]): Promise<void> => subscribe(side(e), newTopic(), (topic) => [...args, '-t', topic])

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

describe('SOCKS5 through microsocks', { concurrency: 2 }, () => {
  test('no authentication: both tools, byte-exact', async (t) => {
    const e = await ready(t)
    if (!e) return
    const port = await startMicrosocks(t)
    if (port === undefined) return
    const proxy = ['--proxy', `socks5h://127.0.0.1:${port}`]
    await publishThrough(e, [...proxy, '-h', 'localhost', '-p', String(e.broker.port)])
    await subscribeThrough(e, [...proxy, '-h', '127.0.0.1', '-p', String(e.broker.port)])
  })

  // mosquitto 2.1: --proxy socks5h://[IPv6 address]:port
  test('a proxy at a bracketed IPv6 address: both tools, byte-exact', async (t) => {
    const e = await ready(t)
    if (!e) return
    const port = await startMicrosocks(t, ['user', 'pw'], '::1')
    if (port === undefined) return
    const proxy = ['--proxy', `socks5h://user:pw@[::1]:${port}`]
    await publishThrough(e, [...proxy, '-h', '127.0.0.1', '-p', String(e.broker.port)])
    await subscribeThrough(e, [...proxy, '-h', '127.0.0.1', '-p', String(e.broker.port)])
  })

  test('user name and password, with %3A and %40 in the password', async (t) => {
    const e = await ready(t)
    if (!e) return
    const port = await startMicrosocks(t, ['user', 'p:a@ss'])
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
    const port = await startMicrosocks(t)
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
      assert.equal(libraryTexts21(m.stderr), 'Error: The client is not currently connected\n')
    }
    assertFailure(unreachable, 1, `Error: cannot reach the SOCKS5 proxy at 127.0.0.1:${closed} (--proxy).\nError: Connection refused\n`)
    assertFailure(scheme, 1, "Error: Unsupported proxy protocol: socks5://127.0.0.1\n\nUse 'tssub --help' to see usage.\n")
  })

  test('TLS inside the SOCKS tunnel, verified against the broker host name (localhost)', async (t) => {
    const e = await ready(t)
    if (!e) return
    const port = await startMicrosocks(t)
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
