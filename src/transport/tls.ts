// TLS and TLS-PSK over an already connected socket (TCP, unix or a SOCKS tunnel). Loaded only when
// TLS is on, so plain connections never pay for node:tls.
//
// TLS-PSK with Node 20 (OpenSSL 3), checked against mosquitto 2.0.11's psk_hint/psk_file listener:
// - TLS 1.3 works with pskCallback; the callback's key is bound to SHA-256, so only
//   TLS_AES_128_GCM_SHA256 and TLS_CHACHA20_POLY1305_SHA256 can carry it (not TLS_AES_256_GCM_SHA384).
// - TLS 1.2 works only with PSK suites named in `ciphers` (Node's default list says !PSK): PSK_CIPHERS.
// - TLS 1.1 (tried in process with maxVersion) needs a CBC PSK suite at @SECLEVEL=0; --tls-version
//   only sets a minimum, so the tools themselves never end up below TLS 1.2 against mosquitto.
import fs from 'node:fs'
import net from 'node:net'
import type { Duplex } from 'node:stream'
import tls from 'node:tls'
import { ExitCode, ToolError } from '../core/errors.js'
import { osCerts, readCaFile, readCaPath, readTlsFile, TLS_AT_CONNECT } from './ca-store.js'
import { systemErrorText } from './errno.js'
import { handshakeFailure, hostMismatch, type TlsContext, verifyFailure } from './tls-errors.js'
import type { TlsOptions } from '../options/types.js'
import { nowMs } from '../core/now.js'

/** What to set up: the TLS options plus where we connect (useOsCerts may be forced by the plan). */
export interface TlsRequest extends Omit<TlsOptions, 'tlsEngineKpassSha1' | 'noTls'> {
  host: string
  port: number
  /** Where a warning goes (none under --quiet). */
  warn?: (text: string) => void
}

/** Everything checked and loaded before any connection is made. */
export interface TlsSetup {
  context: tls.SecureContext
  psk?: { psk: Buffer, identity: string }
  alpn?: string
  /** Check the host name only: the chain is still verified (--insecure alone). */
  insecure: boolean
  /** Accept any certificate (--insecure with --tls-version or --ciphers, as mosquitto 2.1). */
  noVerify: boolean
  /** --tls-keylog: where to append the session keys. */
  keylog?: { file: string, warn?: (text: string) => void }
  ctx: TlsContext
}

const HANDSHAKE_TIMEOUT_MS = 10_000
const VERSIONS: Record<string, tls.SecureVersion> = { 'tlsv1.3': 'TLSv1.3', 'tlsv1.2': 'TLSv1.2', 'tlsv1.1': 'TLSv1.1' }
// TLS 1.2 suites for PSK, strongest first; TLS 1.3 suites stay Node's defaults.
// Exported for the tests that force TLS 1.2.
export const PSK_CIPHERS = [
  'ECDHE-PSK-CHACHA20-POLY1305', 'ECDHE-PSK-AES256-CBC-SHA384', 'ECDHE-PSK-AES128-CBC-SHA256',
  'DHE-PSK-AES256-GCM-SHA384', 'DHE-PSK-AES128-GCM-SHA256', 'DHE-PSK-CHACHA20-POLY1305',
  'PSK-AES256-GCM-SHA384', 'PSK-AES128-GCM-SHA256', 'PSK-CHACHA20-POLY1305', 'PSK-AES256-CBC-SHA384', 'PSK-AES128-CBC-SHA256',
].join(':')

// mosquitto checks some options when they are set (INVALID), and loads files and ciphers only when
// it connects (TLS_AT_CONNECT); each failure keeps mosquitto's line, and ours says what failed.
const INVALID = 'Error: Problem setting TLS options, check the options are valid.\n'
const setupError = (first: string, detail: string): ToolError => new ToolError(ExitCode.USAGE, `${first}Error: ${detail}\n`)

/**
 * The key mosquitto derives from --psk (observed; its broker reads psk_file the same way): each
 * leading "00" pair is a zero byte, and the whole text is then read as one big number, so an odd
 * number of digits gets a leading 0 nibble ("abc" is 0a bc, "000ab" is 00 ab).
 */
export function pskKey(hex: string): Buffer {
  const bad = hex.search(/[^0-9a-fA-F]/)
  if (hex === '' || bad !== -1) {
    const where = hex === '' ? 'it is empty' : `character ${bad + 1} is not a hexadecimal digit (write the key without 0x)`
    throw setupError('Error: Problem setting TLS-PSK options.\n', `--psk must be a key in hexadecimal: ${where}.`)
  }
  let zeros = 0
  while (hex.startsWith('00', zeros * 2)) zeros++
  let digits = hex.replace(/^0+/, '')
  if (digits.length % 2 === 1) digits = '0' + digits
  const key = Buffer.concat([Buffer.alloc(zeros), Buffer.from(digits, 'hex')])
  if (key.length === 0) throw setupError('Error: Problem setting TLS-PSK options.\n', '--psk must not be empty or zero.')
  return key
}

// Text from a byte-string option value (file names, host) as UTF-8 for display and for node APIs.
const text = (s: string): string => Buffer.from(s, 'latin1').toString('utf8')

// The certificate and key as PEM, with the mistakes people make named before OpenSSL sees them.
function clientIdentity(certFile: string, keyFile: string): { cert: string, key: string } {
  const cert = readTlsFile('--cert', certFile)
  const key = readTlsFile('--key', keyFile)
  if (!cert.includes('-----BEGIN CERTIFICATE-----')) {
    throw setupError(TLS_AT_CONNECT, `--cert ${certFile} holds no PEM certificate ("-----BEGIN CERTIFICATE-----").`)
  }
  if (/ENCRYPTED PRIVATE KEY|Proc-Type: 4,ENCRYPTED/.test(key)) {
    throw setupError(TLS_AT_CONNECT, `--key ${keyFile} is encrypted, and tspub cannot ask for its password: decrypt it with "openssl pkey -in ${keyFile} -out plain.key".`)
  }
  if (!/-----BEGIN [A-Z ]*PRIVATE KEY-----/.test(key)) {
    throw setupError(TLS_AT_CONNECT, `--key ${keyFile} holds no PEM private key ("-----BEGIN PRIVATE KEY-----").`)
  }
  return { cert, key }
}

// The CAs to trust and, for messages, where they came from.
function trustFor(r: TlsRequest): { ca: string[], trust: string[] } {
  const ca: string[] = []
  const trust: string[] = []
  if (r.cafile) {
    ca.push(...readCaFile(text(r.cafile)))
    trust.push(`--cafile ${text(r.cafile)}`)
  }
  if (r.capath) {
    const found = readCaPath(text(r.capath))
    ca.push(...found)
    trust.push(`--capath ${text(r.capath)}${found.length === 0 ? ' (which holds no certificates)' : ''}`)
  }
  if (r.useOsCerts) {
    const os = osCerts()
    ca.push(...os.pems)
    trust.push(...os.sources)
  }
  return { ca, trust }
}

// Options mosquitto checks as values, before any file is used (--tls-engine and --tls-version
// even when TLS is not used at all: exported for that case).
export function checkValues(r: TlsRequest): { minVersion?: tls.SecureVersion, alpn?: string } {
  if (r.tlsEngine !== undefined) {
    throw setupError(`Error: Problem setting TLS engine, is ${r.tlsEngine} a valid engine?\n`, '--tls-engine is not supported: Node.js cannot load OpenSSL engines.')
  }
  if (r.keyform !== undefined && r.keyform !== 'pem') {
    if (r.keyform !== 'engine') throw new ToolError(ExitCode.USAGE, "Error: Problem setting key form, it must be one of 'pem' or 'engine'.\n")
    throw setupError(INVALID, '--keyform engine is not supported: Node.js cannot use OpenSSL engines; give --key a PEM file.')
  }
  const minVersion = r.tlsVersion === undefined ? undefined : VERSIONS[r.tlsVersion]
  if (r.tlsVersion !== undefined && minVersion === undefined) {
    throw setupError(INVALID, `--tls-version must be tlsv1.3, tlsv1.2 or tlsv1.1, not "${text(r.tlsVersion)}".`)
  }
  const alpn = r.tlsAlpn && text(r.tlsAlpn)
  if (alpn !== undefined && (alpn === '' || Buffer.byteLength(alpn) > 255)) {
    throw setupError('Error: Problem setting TLS ALPN protocol.\n', '--tls-alpn must be 1 to 255 bytes long.')
  }
  return { minVersion, alpn }
}

/** Check and load every TLS option (set-up errors exit 1, as mosquitto's do), before connecting. */
export function setupTls(r: TlsRequest): TlsSetup {
  const { minVersion, alpn } = checkValues(r)
  const { ca, trust } = trustFor(r)
  const certFile = r.cert && text(r.cert)
  const keyFile = r.key && text(r.key)
  const identity = certFile && keyFile ? clientIdentity(certFile, keyFile) : undefined
  const psk = r.psk === undefined ? undefined : { psk: pskKey(r.psk), identity: text(r.pskIdentity ?? '') }
  const ciphers = r.ciphers !== undefined ? text(r.ciphers) : psk ? PSK_CIPHERS : undefined
  let context: tls.SecureContext
  try {
    context = tls.createSecureContext({ ca: ca.length > 0 ? ca : undefined, ...identity, ciphers, minVersion })
  } catch (err) {
    const e = err as NodeJS.ErrnoException & { reason?: string }
    if (e.code === 'ERR_SSL_NO_CIPHER_MATCH') throw setupError(TLS_AT_CONNECT, `--ciphers "${ciphers}": OpenSSL knows none of these ciphers.`)
    if (e.code === 'ERR_OSSL_X509_KEY_VALUES_MISMATCH') {
      throw setupError(TLS_AT_CONNECT, `--key ${keyFile} is not the private key of the certificate in --cert ${certFile} (key values mismatch).`)
    }
    throw setupError(TLS_AT_CONNECT, `cannot use ${identity ? `--cert ${certFile} and --key ${keyFile}` : 'the TLS options'}: ${e.reason ?? e.message}.`)
  }
  return {
    context,
    psk,
    alpn,
    insecure: r.insecure,
    // mosquitto 2.1 asks OpenSSL not to verify the certificate (SSL_VERIFY_NONE) when --insecure
    // comes with --tls-version or --ciphers; alone, --insecure skips only the host name check.
    noVerify: r.insecure && (r.tlsVersion !== undefined || r.ciphers !== undefined),
    keylog: r.keylog === undefined ? undefined : { file: text(r.keylog), warn: r.warn },
    ctx: { host: text(r.host), port: r.port, trust, certFile, pskIdentity: psk?.identity, tlsVersion: r.tlsVersion, alpn },
  }
}

// The broker's certificate against the trusted CAs and the host name; undefined when it passes.
function checkPeer(s: tls.TLSSocket, setup: TlsSetup): ToolError | undefined {
  const { ctx } = setup
  const cert = s.getPeerCertificate(true)
  // with PSK there is no certificate to check; a certificate, if one came anyway, is checked
  if (setup.psk && (cert === null || Object.keys(cert).length === 0)) return undefined
  if (setup.noVerify) return undefined
  if (!s.authorized) return verifyFailure(String(s.authorizationError), cert, ctx)
  // --insecure skips only this check, as in mosquitto; the chain was verified above
  if (!setup.insecure && ctx.port !== 0 && tls.checkServerIdentity(ctx.host, cert) !== undefined) return hostMismatch(ctx.host, cert)
  return undefined
}

const handshakeError = (code: string, message: string): NodeJS.ErrnoException => Object.assign(new Error(message), { code })

/** Run the handshake over `socket` and verify the broker; resolves the encrypted stream. */
export function startTls(socket: Duplex, setup: TlsSetup): Promise<tls.TLSSocket> {
  const { ctx } = setup
  return new Promise((resolve, reject) => {
    const started = nowMs()
    const s = tls.connect({
      socket,
      secureContext: setup.context,
      // a unix socket path is no host name, and SNI must not carry an IP address
      servername: ctx.port !== 0 && net.isIP(ctx.host) === 0 ? ctx.host : undefined,
      ALPNProtocols: setup.alpn !== undefined ? [setup.alpn] : undefined,
      // verification is done in checkPeer, where the certificate is at hand for the message
      rejectUnauthorized: false,
      checkServerIdentity: () => undefined,
      pskCallback: setup.psk && (() => setup.psk!),
    })
    if (setup.keylog !== undefined) logKeys(s, setup.keylog.file, setup.keylog.warn)
    let settled = false
    let waitTimer: NodeJS.Timeout | undefined
    const done = (err?: ToolError): void => {
      if (settled) return
      settled = true
      clearTimeout(timer)
      clearTimeout(waitTimer)
      s.off('error', onError)
      s.off('close', onClose)
      s.off('session', onSession)
      if (err) s.destroy()
      if (err) reject(err)
      else resolve(s)
    }
    // Node calls these from inside OpenSSL's read: a write made before that returns (the client's
    // CONNECT, in a microtask after resolve) is lost, so resolve on the next turn of the loop.
    const succeed = (): void => void setImmediate(() => done())
    const onError = (err: NodeJS.ErrnoException): void => done(handshakeFailure(err, ctx))
    const onClose = (): void => done(handshakeFailure(handshakeError('ERR_TLS_HANDSHAKE_CLOSED', 'closed'), ctx))
    const onSession = succeed
    const timer = setTimeout(() => {
      done(handshakeFailure(handshakeError('ERR_TLS_HANDSHAKE_TIMEOUT', `no answer within ${HANDSHAKE_TIMEOUT_MS / 1000} s`), ctx))
    }, HANDSHAKE_TIMEOUT_MS)
    s.on('error', onError)
    s.on('close', onClose)
    s.on('session', onSession)
    s.once('secureConnect', () => {
      const failure = checkPeer(s, setup)
      if (failure) return done(failure)
      if (s.getProtocol() !== 'TLSv1.3' || setup.psk) return succeed()
      // TLS 1.3: the broker checks our certificate (or its absence) after our last handshake
      // message, so a refusal arrives as an alert just after this point. Wait for its answer:
      // the session ticket OpenSSL servers send at once, or that alert. Bounded, for servers
      // that send no ticket: a few round trips, and at least 250 ms, as a loaded broker can take
      // more than 50 ms to answer (then the alert came after our CONNECT, and read as a lost
      // connection). A broker that sends tickets (mosquitto, any OpenSSL server) is not delayed.
      const rtt = nowMs() - started
      waitTimer = setTimeout(() => done(), Math.min(1000, Math.max(250, 4 * rtt)))
    })
  })
}

// --tls-keylog: each key log line OpenSSL produces, appended to the file as it comes (the NSS
// format Wireshark reads). mosquitto ignores a file it cannot open; we say so, once.
function logKeys(s: tls.TLSSocket, file: string, warn?: (text: string) => void): void {
  let warned = false
  s.on('keylog', (line: Buffer) => {
    try {
      fs.appendFileSync(file, line)
    } catch (err) {
      if (!warned) warn?.(`Warning: --tls-keylog: cannot write ${file} (${systemErrorText(err as NodeJS.ErrnoException)}).\n`)
      warned = true
    }
  })
}
