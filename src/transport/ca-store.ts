// Trusted CA certificates for TLS: --cafile, --capath and --tls-use-os-certs. Node 20 has no API
// to the OS store, so all three read PEM files themselves (shared/notes.md).
import fs from 'node:fs'
import path from 'node:path'
import { rootCertificates } from 'node:tls'
import { ExitCode, ToolError } from '../core/errors.js'
import { errorLine, unableToConnect } from '../core/reason-codes.js'
import { systemErrorText } from './errno.js'

/** PEM certificates to trust, and where they came from (named in verification errors). */
export interface TrustStore {
  pems: string[]
  sources: string[]
}

const CERT_BLOCK = /-----BEGIN (?:TRUSTED )?CERTIFICATE-----[^-]+-----END (?:TRUSTED )?CERTIFICATE-----/g

// Where OpenSSL's default bundle lives on the common distributions (Debian first).
const OS_BUNDLES = [
  '/etc/ssl/certs/ca-certificates.crt',
  '/etc/pki/tls/certs/ca-bundle.crt',
  '/etc/ssl/ca-bundle.pem',
  '/etc/ssl/cert.pem',
]

/** mosquitto's line for a TLS file or option it only finds unusable when connecting. */
export const TLS_AT_CONNECT = unableToConnect(ExitCode.TLS)

/**
 * mosquitto's error for a file or directory it cannot use, plus a line naming the flag and file
 * (observed with 2.0.11): a missing file is refused when set; an unusable --capath leaves it
 * without a CA, so the handshake fails (exit 8); a directory given as a file fails when
 * connecting (exit 1).
 */
export function fileError(flag: string, file: string, err: NodeJS.ErrnoException): ToolError {
  const detail = `Error: ${flag}: cannot read ${file} (${systemErrorText(err)}).\n`
  if (flag === '--capath') return new ToolError(ExitCode.TLS, `${errorLine(ExitCode.TLS)}${detail}`, { cause: err })
  const first = err.code === 'EISDIR' ? TLS_AT_CONNECT : 'Error: Problem setting TLS options: File not found.\n'
  return new ToolError(ExitCode.USAGE, `${first}${detail}`, { cause: err })
}

/** Read a file given to a TLS flag, or fail with fileError. */
export function readTlsFile(flag: string, file: string): string {
  try {
    return fs.readFileSync(file, 'latin1')
  } catch (err) {
    throw fileError(flag, file, err as NodeJS.ErrnoException)
  }
}

/** The certificate blocks of a PEM text (other blocks, such as CRLs and keys, are left out). */
export function certBlocks(text: string): string[] {
  return text.match(CERT_BLOCK) ?? []
}

/** --cafile: every certificate in the file; a file without one is a set-up error. */
export function readCaFile(file: string): string[] {
  const pems = certBlocks(readTlsFile('--cafile', file))
  if (pems.length === 0) {
    throw new ToolError(ExitCode.USAGE,
      `${TLS_AT_CONNECT}Error: --cafile: ${file} holds no PEM certificate ("-----BEGIN CERTIFICATE-----").\n`)
  }
  return pems
}

/** --capath: the certificates of every readable file in the directory (hashed links are followed, duplicates dropped). */
export function readCaPath(dir: string, flag = '--capath'): string[] {
  let names: string[]
  try {
    names = fs.readdirSync(dir)
  } catch (err) {
    throw fileError(flag, dir, err as NodeJS.ErrnoException)
  }
  const seen = new Set<string>()
  for (const name of names.sort()) {
    let text: string
    try {
      text = fs.readFileSync(path.join(dir, name), 'latin1')
    } catch {
      continue // a subdirectory, a dangling link or an unreadable file: OpenSSL skips those too
    }
    for (const pem of certBlocks(text)) seen.add(pem)
  }
  return [...seen]
}

/**
 * --tls-use-os-certs: what OpenSSL's default paths would give mosquitto. SSL_CERT_FILE and
 * SSL_CERT_DIR are honoured as OpenSSL honours them; otherwise the distribution's bundle file,
 * and Node's bundled Mozilla roots when there is none.
 */
export function osCerts(env: NodeJS.ProcessEnv = process.env): TrustStore {
  const pems: string[] = []
  const from: string[] = []
  const file = env.SSL_CERT_FILE
  const dirs = env.SSL_CERT_DIR?.split(':').filter((d) => d !== '') ?? []
  if (file !== undefined && file !== '') {
    try {
      pems.push(...certBlocks(fs.readFileSync(file, 'latin1')))
    } catch { /* OpenSSL ignores a missing default file too; verification errors name it */ }
    from.push(`SSL_CERT_FILE=${file}`)
  }
  for (const d of dirs) {
    try {
      pems.push(...readCaPath(d, 'SSL_CERT_DIR'))
    } catch { /* as above */ }
    from.push(`SSL_CERT_DIR=${d}`)
  }
  if (from.length > 0) return { pems: [...new Set(pems)], sources: [`the OS certificates (${from.join(', ')})`] }
  for (const bundle of OS_BUNDLES) {
    try {
      const found = certBlocks(fs.readFileSync(bundle, 'latin1'))
      if (found.length > 0) return { pems: found, sources: [`the OS certificates (${bundle})`] }
    } catch { /* try the next place */ }
  }
  return { pems: [...rootCertificates], sources: ["Node's bundled root certificates"] }
}
