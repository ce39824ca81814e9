// TLS and TLS-PSK against a real mosquitto with TLS, client-certificate, expired, wrong-CA,
// wrong-name and PSK listeners, using certificates the suite makes itself. Each success is a
// byte-exact round trip (mosquitto_pub/mosquitto_sub on the plain port are the reference); each
// failure must give its own line, then mosquitto's, and the right exit code.
import assert from 'node:assert/strict'
import fs from 'node:fs'
import net from 'node:net'
import path from 'node:path'
import tls from 'node:tls'
import { after, describe, test, type TestContext } from 'node:test'
import { makeCerts, type Certs } from '../helpers/certs.js'
import { freePort, mosquittoClient, requireMosquitto, requireMosquittoClients, startMosquitto, type Broker } from '../helpers/mosquitto.js'
import { libraryTexts21 } from '../helpers/mosquitto-texts.js'
import { runCli, type RunResult } from '../helpers/run-cli.js'
import { PSK_CIPHERS, pskKey, setupTls, startTls } from '../../src/transport/tls.js'
import { openTcp } from '../../src/transport/tcp.js'

interface Env {
  certs: Certs
  broker: Broker
  ports: { tls: number, require: number, expired: number, wrongCa: number, otherName: number, psk: number }
  payload: string
}

const PSK_HEX = '0123456789abcdef0123456789abcdef'
let shared: Promise<Env> | undefined

// One broker and one set of certificates for the whole file, started by the first test that runs.
function env(): Promise<Env> {
  shared ??= (async () => {
    const certs = makeCerts()
    const ports = { tls: await freePort(), require: await freePort(), expired: await freePort(), wrongCa: await freePort(), otherName: await freePort(), psk: await freePort() }
    const tlsListener = (port: number, cert: string, key: string, extra = ''): string =>
      `listener ${port} 127.0.0.1\ncafile ${certs.caCert}\ncertfile ${cert}\nkeyfile ${key}\n${extra}`
    const pskFile = path.join(certs.dir, 'psk.txt')
    // keys whose hex text mosquitto does not read digit pair by digit pair (leading zeros, odd length)
    fs.writeFileSync(pskFile, `psk-id:${PSK_HEX}\nzero-id:00ab12cd\nodd-id:0abc\n`, { mode: 0o644 })
    const broker = await startMosquitto({
      listeners: [
        tlsListener(ports.tls, certs.serverCert, certs.serverKey),
        tlsListener(ports.require, certs.serverCert, certs.serverKey, 'require_certificate true\n'),
        tlsListener(ports.expired, certs.expiredCert, certs.expiredKey),
        tlsListener(ports.wrongCa, certs.wrongServerCert, certs.wrongServerKey),
        tlsListener(ports.otherName, certs.otherNameCert, certs.otherNameKey),
        `listener ${ports.psk} 127.0.0.1\npsk_hint tspub-test\npsk_file ${pskFile}\n`,
      ].join('\n'),
    })
    const payload = path.join(certs.dir, 'payload.bin')
    // every byte value but a trailing newline mosquitto_sub -N would not add anyway
    fs.writeFileSync(payload, Buffer.from([...Array(256).keys()].reverse()))
    return { certs, broker, ports, payload }
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

const SUB = (): string => mosquittoClient('mosquitto_sub')!
const PUB = (): string => mosquittoClient('mosquitto_pub')!
let topicCount = 0
const newTopic = (): string => `tls/${process.pid}/${++topicCount}`

// tspub (over `args`) publishes the payload retained; mosquitto_sub on the plain port must get it exactly.
async function publishThrough(e: Env, args: string[], env?: Record<string, string | undefined>): Promise<void> {
  const topic = newTopic()
  const pub = await runCli('tspub', [...args, '-t', topic, '-f', e.payload, '-r', '-q', '1'], { env })
  assert.equal(pub.stderr, '')
  assert.equal(pub.code, 0)
  const sub = await runCli(SUB(), ['-h', '127.0.0.1', '-p', String(e.broker.port), '-t', topic, '-C', '1', '-N', '-W', '5'])
  assert.equal(sub.code, 0, sub.stderr)
  assert.deepEqual(sub.stdout, fs.readFileSync(e.payload))
}

// mosquitto_pub publishes the payload retained on the plain port; tssub (over `args`) must print it exactly.
async function subscribeThrough(e: Env, args: string[]): Promise<void> {
  const topic = newTopic()
  const pub = await runCli(PUB(), ['-h', '127.0.0.1', '-p', String(e.broker.port), '-t', topic, '-f', e.payload, '-r'])
  assert.equal(pub.code, 0, pub.stderr)
  const sub = await runCli('tssub', [...args, '-t', topic, '-C', '1', '-N'])
  assert.equal(sub.stderr, '')
  assert.equal(sub.code, 0)
  assert.deepEqual(sub.stdout, fs.readFileSync(e.payload))
}

const tlsError = (line: string): string => `Error: ${line}\nError: A TLS error occurred\n`
const at = (host: string, port: number): string[] => ['-h', host, '-p', String(port)]

function assertFailure(r: RunResult, code: number, stderr: string): void {
  assert.equal(r.stderr, stderr)
  assert.equal(r.code, code)
  assert.equal(r.stdout.length, 0)
}

// A set-up failure starts with mosquitto_pub's own line (in 2.1's words) and exits as it does (when it is installed).
async function sameFirstLine(args: string[], ours: RunResult): Promise<void> {
  const bin = mosquittoClient('mosquitto_pub')
  if (!bin) return
  const theirs = await runCli(bin, [...args, '-t', 't', '-m', 'm'], { stdin: '' })
  assert.equal(ours.stderr.split('\n')[0], libraryTexts21(theirs.stderr).split('\n')[0], `first line, args ${args.join(' ')}`)
  assert.equal(ours.code, theirs.code, `exit status, args ${args.join(' ')}`)
}

const AT_CONNECT = 'Unable to connect (A TLS error occurred).\n'

describe('TLS round trips through mosquitto', { concurrency: 3 }, () => {
  test('--cafile, host name localhost: tspub publishes and tssub receives byte-exactly', async (t) => {
    const e = await ready(t)
    if (!e) return
    const args = [...at('localhost', e.ports.tls), '--cafile', e.certs.caCert]
    await publishThrough(e, args)
    await subscribeThrough(e, args)
  })

  test('--capath (a hashed directory) and an IP address matched against the IP subjectAltName', async (t) => {
    const e = await ready(t)
    if (!e) return
    await publishThrough(e, [...at('127.0.0.1', e.ports.tls), '--capath', e.certs.capath])
  })

  test('client certificate on a require_certificate listener, both tools', async (t) => {
    const e = await ready(t)
    if (!e) return
    const args = [...at('localhost', e.ports.require), '--cafile', e.certs.caCert, '--cert', e.certs.clientCert, '--key', e.certs.clientKey, '--keyform', 'pem']
    await publishThrough(e, args)
    await subscribeThrough(e, args)
  })

  test('--insecure skips only the host name check', async (t) => {
    const e = await ready(t)
    if (!e) return
    await publishThrough(e, [...at('localhost', e.ports.otherName), '--cafile', e.certs.caCert, '--insecure'])
    // the chain is still verified
    const r = await runCli('tspub', [...at('localhost', e.ports.wrongCa), '--cafile', e.certs.caCert, '--insecure', '-t', 't', '-m', 'm'])
    assert.equal(r.code, 8)
  })

  // mosquitto 2.1 turns certificate verification off (SSL_VERIFY_NONE) when --insecure comes with
  // --tls-version or --ciphers; its man page says --insecure only skips the host name check.
  test('--insecure with --tls-version or --ciphers accepts any certificate, as mosquitto 2.1 does', async (t) => {
    const e = await ready(t)
    if (!e) return
    const wrong = [...at('localhost', e.ports.wrongCa), '--cafile', e.certs.caCert, '--insecure']
    await publishThrough(e, [...wrong, '--tls-version', 'tlsv1.2'])
    await subscribeThrough(e, [...wrong, '--ciphers', 'ECDHE-ECDSA-AES128-GCM-SHA256:ECDHE-RSA-AES128-GCM-SHA256'])
    const theirs = mosquittoClient('mosquitto_pub', '2.1')
    if (theirs) {
      const r = await runCli(theirs, [...wrong, '--tls-version', 'tlsv1.2', '-t', newTopic(), '-m', 'm'])
      assert.deepEqual([r.code, r.stderr], [0, ''], 'mosquitto_pub 2.1.2 accepts it too')
    }
  })

  test('--tls-keylog appends the session keys (NSS key log format); --no-tls turns TLS off', async (t) => {
    const e = await ready(t)
    if (!e) return
    const keylog = path.join(e.certs.dir, `keylog-${process.pid}`)
    await publishThrough(e, [...at('localhost', e.ports.tls), '--cafile', e.certs.caCert, '--tls-keylog', keylog, '--tls-version', 'tlsv1.3'])
    const lines = fs.readFileSync(keylog, 'latin1').trimEnd().split('\n')
    assert.ok(lines.length >= 4, lines.join('\n'))
    for (const line of lines) assert.match(line, /^(CLIENT_HANDSHAKE_TRAFFIC_SECRET|SERVER_HANDSHAKE_TRAFFIC_SECRET|CLIENT_TRAFFIC_SECRET_0|SERVER_TRAFFIC_SECRET_0|EXPORTER_SECRET) [0-9a-f]{64} [0-9a-f]+$/)
    // TLS options (as from an options file) cancelled: plain MQTT to the plain port, no key log.
    fs.rmSync(keylog)
    await publishThrough(e, [...at('127.0.0.1', e.broker.port), '--cafile', e.certs.caCert, '--tls-keylog', keylog, '--no-tls'])
    assert.equal(fs.existsSync(keylog), false)
  })

  test('mqtts:// and --tls-use-os-certs trust the OS store (SSL_CERT_FILE, as OpenSSL reads it)', async (t) => {
    const e = await ready(t)
    if (!e) return
    const osEnv = { SSL_CERT_FILE: e.certs.caCert, SSL_CERT_DIR: undefined }
    await publishThrough(e, ['-L', `mqtts://localhost:${e.ports.tls}/x`], osEnv)
    await publishThrough(e, [...at('localhost', e.ports.tls), '--tls-use-os-certs'], osEnv)
    // without the test CA in the store the same command fails
    const r = await runCli('tspub', [...at('localhost', e.ports.tls), '--tls-use-os-certs', '-t', 't', '-m', 'm'], { env: { SSL_CERT_FILE: e.certs.wrongCaCert, SSL_CERT_DIR: undefined } })
    assert.equal(r.code, 8)
    assert.match(r.stderr, /was not issued by a CA in the OS certificates \(SSL_CERT_FILE=.*wrong-ca\.pem\)|not in the OS certificates/)
  })

  test('--tls-version, --ciphers and --tls-alpn are accepted by the handshake', async (t) => {
    const e = await ready(t)
    if (!e) return
    const base = [...at('localhost', e.ports.tls), '--cafile', e.certs.caCert]
    await publishThrough(e, [...base, '--tls-version', 'tlsv1.3', '--tls-alpn', 'mqtt'])
    await publishThrough(e, [...base, '--tls-version', 'tlsv1.2', '--ciphers', 'ECDHE-ECDSA-AES128-GCM-SHA256'])
  })
})

describe('TLS failures: a specific line, then mosquitto\'s, never a hang', { concurrency: 4 }, () => {
  const fail = async (t: TestContext, args: (e: Env) => string[], code: number, stderr: (e: Env) => string, tool = 'tspub'): Promise<void> => {
    const e = await ready(t)
    if (!e) return
    const r = await runCli(tool, [...args(e), '-t', 't', ...(tool === 'tspub' ? ['-m', 'm'] : [])])
    assertFailure(r, code, stderr(e))
  }

  test('unknown CA: the broker\'s certificate comes from a CA not in --cafile', (t) => fail(t,
    (e) => [...at('localhost', e.ports.wrongCa), '--cafile', e.certs.caCert], 8,
    (e) => tlsError('certificate verify failed: unable to get local issuer certificate: the broker\'s certificate ' +
      `(subject "CN=localhost", issuer "CN=tspub wrong CA") was not issued by a CA in --cafile ${e.certs.caCert}.`)))

  test('the chain ends in a CA that --cafile does not hold (self-signed in chain)', (t) => fail(t,
    (e) => [...at('localhost', e.ports.tls), '--cafile', e.certs.wrongCaCert], 8,
    (e) => tlsError('certificate verify failed: self-signed certificate in certificate chain: the broker\'s certificate chain ' +
      `ends in the CA "CN=tspub test CA", which is not in --cafile ${e.certs.wrongCaCert}.`)))

  test('expired certificate, with its end date', (t) => fail(t,
    (e) => [...at('localhost', e.ports.expired), '--cafile', e.certs.caCert], 8,
    () => tlsError('certificate verify failed: certificate has expired: the broker\'s certificate ' +
      '(subject "CN=localhost", issuer "CN=tspub test CA") expired on 2021-01-01 00:00:00 UTC.')))

  test('host name mismatch names the certificate\'s names and the host', (t) => fail(t,
    (e) => [...at('localhost', e.ports.otherName), '--cafile', e.certs.caCert], 8,
    () => tlsError('host name mismatch: the broker\'s certificate is for DNS:elsewhere.example, not for "localhost" (--insecure skips this check).')))

  test('host name mismatch for an IP address (tssub too)', (t) => fail(t,
    (e) => [...at('127.0.0.1', e.ports.otherName), '--cafile', e.certs.caCert], 8,
    () => tlsError('host name mismatch: the broker\'s certificate is for DNS:elsewhere.example, not for "127.0.0.1" (--insecure skips this check).'),
    'tssub'))

  test('the broker requires a client certificate', (t) => fail(t,
    (e) => [...at('localhost', e.ports.require), '--cafile', e.certs.caCert], 8,
    () => tlsError('the broker requires a client certificate: give one with --cert and --key.')))

  test('the broker does not trust our client certificate', (t) => fail(t,
    (e) => [...at('localhost', e.ports.require), '--cafile', e.certs.caCert, '--cert', e.certs.wrongClientCert, '--key', e.certs.wrongClientKey], 8,
    (e) => tlsError(`the broker does not trust our client certificate (--cert ${e.certs.wrongClientCert}): it was not issued by a CA the broker knows ("unknown ca" alert).`)))

  test('TLS spoken to the plain MQTT port', (t) => fail(t,
    (e) => [...at('localhost', e.broker.port), '--cafile', e.certs.caCert], 8,
    (e) => tlsError(`the broker closed the connection during the TLS handshake: is localhost:${e.broker.port} a TLS listener? (a plain MQTT port does this)`)))

  test('key and certificate that do not belong together: mosquitto\'s line, then both files named', async (t) => {
    const e = await ready(t)
    if (!e) return
    const args = [...at('localhost', e.ports.require), '--cafile', e.certs.caCert, '--cert', e.certs.clientCert, '--key', e.certs.serverKey]
    const r = await runCli('tspub', [...args, '-t', 't', '-m', 'm'])
    assertFailure(r, 1, `${AT_CONNECT}Error: --key ${e.certs.serverKey} is not the private key of the certificate in --cert ${e.certs.clientCert} (key values mismatch).\n`)
    await sameFirstLine(args, r)
  })

  test('missing files: mosquitto\'s line, then the flag and the file', async (t) => {
    const e = await ready(t)
    if (!e) return
    const missing = path.join(e.certs.dir, 'missing.pem')
    const notFound = 'Error: Problem setting TLS options: File not found.\n'
    // mosquitto: an unusable --capath leaves no CA (the handshake fails, exit 8); a directory as
    // --cafile fails when connecting.
    // (For a bad --capath, mosquitto_pub -h localhost says one or the other from run to run.)
    const cases: [string[], number, string, boolean?][] = [
      [['--cafile', missing], 1, `${notFound}Error: --cafile: cannot read ${missing} (No such file or directory).\n`],
      [['--capath', missing], 8, `Error: A TLS error occurred\nError: --capath: cannot read ${missing} (No such file or directory).\n`, false],
      [['--capath', e.certs.caCert], 8, `Error: A TLS error occurred\nError: --capath: cannot read ${e.certs.caCert} (Not a directory).\n`, false],
      [['--cafile', e.certs.dir], 1, `${AT_CONNECT}Error: --cafile: cannot read ${e.certs.dir} (Is a directory).\n`],
      [['--cafile', e.certs.caCert, '--cert', missing, '--key', e.certs.clientKey], 1, `${notFound}Error: --cert: cannot read ${missing} (No such file or directory).\n`],
      [['--cafile', e.certs.caCert, '--cert', e.certs.clientCert, '--key', missing], 1, `${notFound}Error: --key: cannot read ${missing} (No such file or directory).\n`],
    ]
    await Promise.all(cases.map(async ([args, code, stderr, compare = true]) => {
      const full = [...at('localhost', e.ports.tls), ...args]
      const r = await runCli('tspub', [...full, '-t', 't', '-m', 'm'])
      assertFailure(r, code, stderr)
      if (compare) await sameFirstLine(full, r)
    }))
    // --quiet silences it, as mosquitto's set-up errors are silenced
    const quiet = await runCli('tspub', [...at('localhost', e.ports.tls), '--cafile', missing, '-t', 't', '-m', 'm', '--quiet'])
    assertFailure(quiet, 1, '')
  })

  test('bad --tls-version and --ciphers, a --cafile with no certificate', async (t) => {
    const e = await ready(t)
    if (!e) return
    const base = [...at('localhost', e.ports.tls), '--cafile', e.certs.caCert, '-t', 't', '-m', 'm']
    const invalid = 'Error: Problem setting TLS options, check the options are valid.\n'
    const [v, c, k] = await Promise.all([
      runCli('tspub', [...base, '--tls-version', 'tlsv1.0']),
      runCli('tspub', [...base, '--ciphers', 'NOT-A-CIPHER']),
      runCli('tspub', [...at('localhost', e.ports.tls), '--cafile', e.certs.caKey, '-t', 't', '-m', 'm']),
    ])
    assertFailure(v, 1, `${invalid}Error: --tls-version must be tlsv1.3, tlsv1.2 or tlsv1.1, not "tlsv1.0".\n`)
    // mosquitto loads ciphers and CA files only when connecting.
    assertFailure(c, 1, `${AT_CONNECT}Error: --ciphers "NOT-A-CIPHER": OpenSSL knows none of these ciphers.\n`)
    assertFailure(k, 1, `${AT_CONNECT}Error: --cafile: ${e.certs.caKey} holds no PEM certificate ("-----BEGIN CERTIFICATE-----").\n`)
    await sameFirstLine([...base.slice(0, -4), '--tls-version', 'tlsv1.0'], v)
    await sameFirstLine([...base.slice(0, -4), '--ciphers', 'NOT-A-CIPHER'], c)
    await sameFirstLine([...at('localhost', e.ports.tls), '--cafile', e.certs.caKey], k)
  })

  test('a server that never answers the handshake: exit 8 after the 10 s bound', async (t) => {
    if (!requireMosquitto(t)) return
    const e = await env()
    const held: net.Socket[] = []
    const silent = net.createServer((s) => held.push(s))
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', () => resolve()))
    t.after(() => {
      held.forEach((s) => s.destroy())
      silent.close()
    })
    const port = (silent.address() as net.AddressInfo).port
    const started = Date.now()
    const r = await runCli('tspub', [...at('localhost', port), '--cafile', e.certs.caCert, '-t', 't', '-m', 'm'], { timeoutMs: 20_000 })
    assertFailure(r, 8, tlsError(`the TLS handshake with localhost:${port} did not finish: no answer within 10 s.`))
    assert.ok(Date.now() - started < 15_000)
  })
})

describe('TLS-PSK against mosquitto\'s psk_file listener', { concurrency: 3 }, () => {
  test('--psk and --psk-identity: both tools, byte-exact', async (t) => {
    const e = await ready(t)
    if (!e) return
    const args = [...at('localhost', e.ports.psk), '--psk', PSK_HEX, '--psk-identity', 'psk-id']
    await publishThrough(e, args)
    await subscribeThrough(e, args)
  })

  test('keys with leading zeros or an odd digit count match mosquitto\'s reading of its psk_file', async (t) => {
    const e = await ready(t)
    if (!e) return
    await publishThrough(e, [...at('127.0.0.1', e.ports.psk), '--psk', '00AB12CD', '--psk-identity', 'zero-id'])
    await publishThrough(e, [...at('127.0.0.1', e.ports.psk), '--psk', 'abc', '--psk-identity', 'odd-id'])
  })

  test('TLS 1.2 with the default PSK cipher list, and TLS 1.3 (in process)', async (t) => {
    const e = await ready(t)
    if (!e) return
    for (const maxVersion of ['TLSv1.2', 'TLSv1.3'] as const) {
      const setup = setupTls({ host: '127.0.0.1', port: e.ports.psk, useOsCerts: false, insecure: false, psk: PSK_HEX, pskIdentity: 'psk-id' })
      setup.context = tls.createSecureContext({ ciphers: PSK_CIPHERS, maxVersion })
      const s = await startTls(await openTcp({ host: '127.0.0.1', port: e.ports.psk }), setup)
      assert.equal(s.getProtocol(), maxVersion)
      s.destroy()
    }
  })

  test('wrong key, unknown identity, and a key that is not hex', async (t) => {
    const e = await ready(t)
    if (!e) return
    const base = [...at('localhost', e.ports.psk), '-t', 't', '-m', 'm']
    const [key, id, hex] = await Promise.all([
      runCli('tspub', [...base, '--psk', 'ffff', '--psk-identity', 'psk-id']),
      runCli('tspub', [...base, '--psk', PSK_HEX, '--psk-identity', 'nobody']),
      runCli('tspub', [...base, '--psk', '0x1234', '--psk-identity', 'psk-id']),
    ])
    assertFailure(key, 8, tlsError('the broker did not accept the --psk key for --psk-identity "psk-id": the keys differ ("illegal parameter" alert).'))
    assertFailure(id, 8, tlsError('the broker refused the TLS-PSK handshake: it does not know --psk-identity "nobody", or shares no PSK cipher with us ("handshake failure" alert).'))
    assertFailure(hex, 1, 'Error: Problem setting TLS-PSK options.\nError: --psk must be a key in hexadecimal: character 2 is not a hexadecimal digit (write the key without 0x).\n')
  })

  test('pskKey reads the hex as mosquitto does', () => {
    // checked against mosquitto_pub and a mosquitto psk_file with the same texts
    assert.deepEqual(pskKey('00ab12cd'), Buffer.from('00ab12cd', 'hex'))
    assert.deepEqual(pskKey('abc'), Buffer.from('0abc', 'hex'))
    assert.deepEqual(pskKey('000ab'), Buffer.from('00ab', 'hex'))
    assert.deepEqual(pskKey('00'), Buffer.from([0]))
    assert.throws(() => pskKey('0'), /must not be empty or zero/)
    assert.throws(() => pskKey(''), /it is empty/)
  })
})
