// What went wrong in a TLS handshake, in one line a person can act on, followed by mosquitto's
// "Error: A TLS error occurred" and exit 8. mosquitto 2.0 prints only that last line (peers.md
// §3.6); 2.1.2 prints "Error: Protocol error" (exit 14) or "Unable to connect (A TLS error
// occurred)." (exit 1), by how the handshake fails: we keep 2.0's line and status, in 2.1's words.
import type { DetailedPeerCertificate, PeerCertificate } from 'node:tls'
import { ExitCode, ToolError } from '../core/errors.js'
import { errorLine } from '../core/reason-codes.js'

/** What the handshake was attempted with: named in the messages. */
export interface TlsContext {
  host: string
  port: number
  /** Where the trusted CAs came from, e.g. "--cafile /x/ca.pem". */
  trust: string[]
  certFile?: string
  pskIdentity?: string
  tlsVersion?: string
  alpn?: string
}

/** A handshake failure: the specific line, then mosquitto's line; exit 8. */
export function tlsFailure(line: string, cause?: unknown): ToolError {
  return new ToolError(ExitCode.TLS, `Error: ${line}\n${errorLine(ExitCode.TLS)}`, { cause })
}

// OpenSSL's texts for the verification results Node reports as codes.
const VERIFY_TEXTS: Record<string, string> = {
  UNABLE_TO_GET_ISSUER_CERT: 'unable to get issuer certificate',
  UNABLE_TO_GET_ISSUER_CERT_LOCALLY: 'unable to get local issuer certificate',
  // OpenSSL's follow-up for a lone leaf certificate; the cause is the same missing issuer
  UNABLE_TO_VERIFY_LEAF_SIGNATURE: 'unable to get local issuer certificate',
  DEPTH_ZERO_SELF_SIGNED_CERT: 'self-signed certificate',
  SELF_SIGNED_CERT_IN_CHAIN: 'self-signed certificate in certificate chain',
  CERT_HAS_EXPIRED: 'certificate has expired',
  CERT_NOT_YET_VALID: 'certificate is not yet valid',
  CERT_SIGNATURE_FAILURE: 'certificate signature failure',
  CERT_REVOKED: 'certificate revoked',
  CERT_UNTRUSTED: 'certificate not trusted',
  CERT_REJECTED: 'certificate rejected',
  INVALID_CA: 'invalid CA certificate',
  INVALID_PURPOSE: 'unsupported certificate purpose',
  PATH_LENGTH_EXCEEDED: 'path length constraint exceeded',
  CERT_CHAIN_TOO_LONG: 'certificate chain too long',
}

function dn(name: PeerCertificate['subject'] | undefined): string {
  if (!name) return '?'
  return Object.entries(name).map(([k, v]) => `${k}=${Array.isArray(v) ? v.join('+') : v}`).join(', ')
}

// "Jan  1 00:00:00 2021 GMT" -> "2021-01-01 00:00:00 UTC"
function when(text: string): string {
  const t = Date.parse(text)
  return Number.isNaN(t) ? text : new Date(t).toISOString().replace('T', ' ').replace(/\.\d+Z$/, ' UTC')
}

function describe(cert: PeerCertificate): string {
  return `subject "${dn(cert.subject)}", issuer "${dn(cert.issuer)}"`
}

// The chain the broker sent, leaf first (Node links each certificate to its issuer, the root to itself).
function chain(cert: DetailedPeerCertificate): DetailedPeerCertificate[] {
  const out: DetailedPeerCertificate[] = []
  for (let c: DetailedPeerCertificate | undefined = cert; c && c.raw && !out.includes(c); c = c.issuerCertificate) {
    if (out.some((o) => o.fingerprint256 === c!.fingerprint256)) break
    out.push(c)
  }
  return out
}

function trustText(ctx: TlsContext): string {
  return ctx.trust.length > 0 ? ctx.trust.join(' or ') : 'the trusted CAs'
}

/** The broker's certificate failed verification (Node's authorizationError code). */
export function verifyFailure(code: string, cert: DetailedPeerCertificate, ctx: TlsContext): ToolError {
  const text = VERIFY_TEXTS[code] ?? code.toLowerCase().replaceAll('_', ' ')
  const all = chain(cert)
  const leaf = all[0] ?? cert
  const now = Date.now()
  let why: string
  switch (code) {
    case 'CERT_HAS_EXPIRED': {
      const c = all.find((x) => Date.parse(x.valid_to) < now) ?? leaf
      why = `the ${c === leaf ? "broker's certificate" : 'certificate'} (${describe(c)}) expired on ${when(c.valid_to)}`
      break
    }
    case 'CERT_NOT_YET_VALID': {
      const c = all.find((x) => Date.parse(x.valid_from) > now) ?? leaf
      why = `the certificate (${describe(c)}) is valid only from ${when(c.valid_from)}; check this computer's clock`
      break
    }
    case 'DEPTH_ZERO_SELF_SIGNED_CERT':
      why = `the broker's certificate (${describe(leaf)}) is self-signed, and it is not in ${trustText(ctx)}`
      break
    case 'SELF_SIGNED_CERT_IN_CHAIN': {
      const root = all[all.length - 1] ?? leaf
      why = `the broker's certificate chain ends in the CA "${dn(root.subject)}", which is not in ${trustText(ctx)}`
      break
    }
    case 'UNABLE_TO_GET_ISSUER_CERT_LOCALLY':
    case 'UNABLE_TO_VERIFY_LEAF_SIGNATURE':
    case 'UNABLE_TO_GET_ISSUER_CERT': {
      const top = all[all.length - 1] ?? leaf
      why = `the broker's certificate (${describe(leaf)}) was not issued by a CA in ${trustText(ctx)}`
      if (top !== leaf) why += ` (its chain ends at "${dn(top.issuer)}")`
      break
    }
    default:
      why = `the broker's certificate is ${describe(leaf)}`
  }
  return tlsFailure(`certificate verify failed: ${text}: ${why}.`)
}

/** The broker's certificate is valid but not for the host we connected to. */
export function hostMismatch(host: string, cert: PeerCertificate): ToolError {
  const names = cert.subjectaltname ? cert.subjectaltname.replaceAll('IP Address:', 'IP:') : `CN=${cert.subject?.CN ?? '?'} (no subjectAltName)`
  return tlsFailure(`host name mismatch: the broker's certificate is for ${names}, not for "${host}" (--insecure skips this check).`)
}

// An alert's name from OpenSSL's reason, e.g. "tlsv13 alert certificate required" -> "certificate required".
function alertName(err: NodeJS.ErrnoException & { reason?: string }): string {
  const reason = err.reason ?? err.message
  return reason.replace(/^.*alert /, '')
}

/** A handshake that ended in an error: an alert from the broker, a reset, a timeout... */
export function handshakeFailure(err: NodeJS.ErrnoException & { reason?: string }, ctx: TlsContext): ToolError {
  const code = err.code ?? ''
  const at = `${ctx.host}:${ctx.port}`
  const alert = alertName(err)
  const cert = ctx.certFile
  const line = ((): string => {
    if (code === 'ERR_SSL_TLSV13_ALERT_CERTIFICATE_REQUIRED') return 'the broker requires a client certificate: give one with --cert and --key.'
    if (code === 'ERR_SSL_TLSV1_ALERT_UNKNOWN_CA' && cert) {
      return `the broker does not trust our client certificate (--cert ${cert}): it was not issued by a CA the broker knows ("unknown ca" alert).`
    }
    if (/^ERR_SSL_(SSLV3|TLSV1)_ALERT_(BAD_CERTIFICATE|CERTIFICATE_EXPIRED|CERTIFICATE_REVOKED|CERTIFICATE_UNKNOWN|UNSUPPORTED_CERTIFICATE)$/.test(code)) {
      return cert ? `the broker rejected our client certificate (--cert ${cert}): "${alert}" alert.` : `the broker sent a "${alert}" alert.`
    }
    if (ctx.pskIdentity !== undefined) {
      if (code === 'ERR_SSL_SSLV3_ALERT_HANDSHAKE_FAILURE') {
        return `the broker refused the TLS-PSK handshake: it does not know --psk-identity "${ctx.pskIdentity}", or shares no PSK cipher with us ("handshake failure" alert).`
      }
      if (/ILLEGAL_PARAMETER|DECRYPT_ERROR|BAD_RECORD_MAC/.test(code)) {
        return `the broker did not accept the --psk key for --psk-identity "${ctx.pskIdentity}": the keys differ ("${alert}" alert).`
      }
    }
    if (code === 'ERR_SSL_SSLV3_ALERT_HANDSHAKE_FAILURE') {
      return cert
        ? 'the broker ended the handshake with a "handshake failure" alert: it shares no TLS version or cipher with us.'
        : 'the broker ended the handshake with a "handshake failure" alert: it may require a client certificate (--cert and --key), or share no TLS version or cipher with us.'
    }
    if (/PROTOCOL_VERSION|UNSUPPORTED_PROTOCOL|NO_PROTOCOLS_AVAILABLE|VERSION_TOO_LOW/.test(code)) {
      return `the broker and we share no TLS version (we offer ${ctx.tlsVersion ?? 'tlsv1.2'} and newer: see --tls-version) ("${alert}").`
    }
    if (code === 'ERR_SSL_TLSV1_ALERT_NO_APPLICATION_PROTOCOL') return `the broker does not accept the ALPN protocol "${ctx.alpn}" (--tls-alpn).`
    if (/WRONG_VERSION_NUMBER|PACKET_LENGTH_TOO_LONG|UNKNOWN_PROTOCOL|RECORD_LAYER_FAILURE/.test(code)) {
      return `the server at ${at} does not speak TLS ("${alert}"): is it a plain, non-TLS port? (MQTT over TLS is usually 8883, plain MQTT 1883)`
    }
    if (code === 'ECONNRESET' || code === 'EPIPE' || code === 'ERR_TLS_HANDSHAKE_CLOSED') {
      return `the broker closed the connection during the TLS handshake: is ${at} a TLS listener? (a plain MQTT port does this)`
    }
    if (code === 'ERR_TLS_HANDSHAKE_TIMEOUT') return `the TLS handshake with ${at} did not finish: ${err.message}.`
    if (code.startsWith('ERR_SSL_') && /alert/.test(err.reason ?? '')) return `the broker ended the handshake with a "${alert}" alert.`
    return `the TLS handshake with ${at} failed: ${err.reason ?? err.message}${code ? ` (${code})` : ''}.`
  })()
  return tlsFailure(line, err)
}
